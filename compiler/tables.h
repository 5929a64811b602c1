/* tables.h - input table declarations for sema. */
#ifndef KPI_TABLES_H
#define KPI_TABLES_H
#include "base/alloc.h"
#include "compiler/ir.h"

/* Fills s->tables[index] from a D_TABLE declaration. */
void     tables_declare(Sema *s, const Decl *d, uint32_t index);
int32_t  table_find_col(const TableSpec *t, const char *name);
/* Reports an unknown column with the table's columns and the nearest name. */
void     table_unknown_col(Sema *s, const TableSpec *t, Name field);
TypeKind col_value_type(ColType t);
bool     empty_meaning(const char *w, uint8_t *out);

#endif
