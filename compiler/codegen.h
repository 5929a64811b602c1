/* codegen.h - checked IR -> Program (employee bytecode and row programs). */
#ifndef KPI_CODEGEN_H
#define KPI_CODEGEN_H
#include "compiler/ir.h"
#include "vm/program.h"

/* Fills p from the resolved scheme. Returns false (with diagnostics) when
 * the scheme exceeds a limit of the bytecode. */
bool codegen(Sema *s, Program *p);
/* Compiles the aggregates of every fact table into row programs. */
bool rowgen(Sema *s, Program *p);
/* Adds v to the constant pool (shared between equal values). */
uint32_t cg_const(Program *p, Value v);

#endif
