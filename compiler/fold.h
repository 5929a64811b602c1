/* fold.h - IR constructors that fold constants as they build. */
#ifndef KPI_FOLD_H
#define KPI_FOLD_H
#include "base/alloc.h"
#include "compiler/ir.h"

Ir *ir_new(Sema *s, IrKind kind, TypeKind type, Ctx ctx, uint32_t span);
Ir *ir_const(Sema *s, Value v, uint32_t span);
Ir *ir_binary(Sema *s, Op op, Ir *a, Ir *b, uint32_t span);
Ir *ir_unary(Sema *s, Op op, Ir *a, uint32_t span);
Ir *ir_if(Sema *s, Ir *c, Ir *t, Ir *e, uint32_t span);
Ir *ir_fail(Sema *s, ErrorKind k, uint32_t span);
/* conds[i] NULL is an else row. The arrays must outlive the node. */
Ir *ir_bands(Sema *s, uint32_t n, Ir **conds, Ir **vals, uint32_t *row_spans, uint32_t span);
Ir *ir_builtin(Sema *s, Builtin fn, uint8_t mode, uint32_t nargs, Ir **args, uint32_t span);

#endif
