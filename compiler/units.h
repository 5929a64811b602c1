/* units.h - the dimension check over the checked IR (see units.c). */
#ifndef KPI_UNITS_H
#define KPI_UNITS_H
#include "compiler/ir.h"

/* Which defs the scheme's unit requirements apply to. */
typedef struct UnitRoles {
    const uint32_t *weights;    /* defs that are weights: plain numbers */
    size_t          nweights;
    const uint32_t *facts, *plans;  /* indicators with a plan: one unit each */
    size_t          nindex;
    uint32_t        payout, bonus;  /* UINT32_MAX when absent; money */
} UnitRoles;

/* Reports unit errors (K05xx) into s->diags. */
void units_check(Sema *s, const UnitRoles *roles);

#endif
