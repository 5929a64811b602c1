/* team.c - team fields: a value aggregated over the members of each group
 * (department), computed between two strata from the members' registers. */
#include "base/alloc.h"
#include "vm/run_int.h"

#include <stdlib.h>
#include <string.h>

/* Groups are the distinct values of a roster column; blank is no group.
 * Numbered in order of first appearance (employees are in key order). */
typedef struct GroupKey {
    Value    v;
    uint32_t emp;
} GroupKey;

static int group_order(const void *a, const void *b)
{
    const GroupKey *x = a, *y = b;
    if (x->v.kind != y->v.kind)
        return x->v.kind < y->v.kind ? -1 : 1;
    int c = x->v.kind == V_NUM ? rat_cmp(x->v.q, y->v.q) : (x->v.aux > y->v.aux) - (x->v.aux < y->v.aux);
    return c ? c : (x->emp > y->emp) - (x->emp < y->emp);
}

/* Sorting by value puts each group's members together, first member
 * first; a second pass numbers the groups by first member. */
static uint32_t group_employees(Run *r, uint32_t col, int32_t *group)
{
    const TableSpec *ros = &r->p->tables[r->p->roster];
    uint32_t nemp = r->res->nemp, nkeys = 0, ngroups = 0;
    GroupKey *keys = kpi_calloc(nemp ? nemp : 1, sizeof(GroupKey));
    for (uint32_t e = 0; e < nemp; e++) {
        Value k = ref_cell_value(&ros->cols[col], r->roster[(size_t)e * ros->ncols + col]);
        group[e] = -1;
        if (k.kind != V_BLANK && k.kind != V_ERROR)
            keys[nkeys++] = (GroupKey){k, e};
    }
    qsort(keys, nkeys, sizeof(GroupKey), group_order);
    /* per employee: the first member of its group, UINT32_MAX for none */
    uint32_t *leader = kpi_malloc(sizeof(uint32_t) * (nemp ? nemp : 1));
    for (uint32_t e = 0; e < nemp; e++)
        leader[e] = UINT32_MAX;
    for (uint32_t i = 0; i < nkeys; i++)
        leader[keys[i].emp] = i > 0 && group_order(&(GroupKey){keys[i].v, 0}, &(GroupKey){keys[i - 1].v, 0}) == 0
                                  ? leader[keys[i - 1].emp] : keys[i].emp;
    for (uint32_t e = 0; e < nemp; e++)
        if (leader[e] == e)
            group[e] = (int32_t)ngroups++;
    for (uint32_t e = 0; e < nemp; e++)
        if (leader[e] != UINT32_MAX && leader[e] != e)
            group[e] = group[leader[e]];
    kpi_free(leader);
    kpi_free(keys);
    return ngroups;
}

void team_prepare(Run *r)
{
    const Program *p = r->p;
    uint32_t nemp = r->res->nemp;
    r->team_group = kpi_calloc((size_t)(p->nteam ? p->nteam : 1) * (nemp ? nemp : 1), sizeof(int32_t));
    r->team_ngroups = kpi_calloc(p->nteam ? p->nteam : 1, sizeof(uint32_t));
    size_t total = 0;
    for (uint32_t f = 0; f < p->nteam; f++) {
        r->team_ngroups[f] = group_employees(r, p->team[f].group_col, r->team_group + (size_t)f * nemp);
        total += r->team_ngroups[f];
    }
    r->team_vals = kpi_calloc(total ? total : 1, sizeof(Value));
    r->team_n = kpi_calloc(total ? total : 1, sizeof(uint64_t));
}

typedef struct GroupAcc {
    Value   v;
    int64_t n;
} GroupAcc;

static void aggregate_field(Run *r, uint32_t f, Value *out, uint64_t *counted)
{
    const TeamField *tf = &r->p->team[f];
    uint32_t ng = r->team_ngroups[f], nemp = r->res->nemp;
    const int32_t *group = r->team_group + (size_t)f * nemp;
    GroupAcc *acc = kpi_calloc(ng ? ng : 1, sizeof(GroupAcc));
    for (uint32_t g = 0; g < ng; g++)
        acc[g].v = tf->kind == AGG_SUM || tf->kind == AGG_AVG ? val_num(rat_int(0)) : val_blank();
    for (uint32_t e = 0; e < nemp; e++) {
        if (group[e] < 0)
            continue;
        if (tf->where != NO_REG && !val_is_true(eval_value(r, e, tf->where)))
            continue;
        Value v = eval_value(r, e, tf->arg);
        GroupAcc *a = &acc[group[e]];
        if (v.kind == V_BLANK || a->v.kind == V_ERROR)
            continue;
        a->n++;
        switch ((AggKind)tf->kind) {
        case AGG_SUM:
        case AGG_AVG: a->v = val_add(a->v, v, tf->span); break;
        case AGG_MIN: a->v = val_min(a->v, v); break;
        case AGG_MAX: a->v = val_max(a->v, v); break;
        default: if (v.kind == V_ERROR) a->v = v; break;
        }
    }
    for (uint32_t g = 0; g < ng; g++) {
        counted[g] = (uint64_t)acc[g].n;
        if (tf->kind == AGG_COUNT)
            out[g] = acc[g].v.kind == V_ERROR ? acc[g].v : val_num(rat_int(acc[g].n));
        else if (tf->kind == AGG_AVG)
            out[g] = acc[g].n ? val_div(acc[g].v, val_num(rat_int(acc[g].n)), tf->span) : val_blank();
        else
            out[g] = acc[g].v;
    }
    kpi_free(acc);
}

void team_aggregate(Run *r, uint32_t stratum)
{
    size_t base = 0;
    for (uint32_t f = 0; f < r->p->nteam; f++) {
        if (r->p->team[f].stratum == stratum)
            aggregate_field(r, f, r->team_vals + base, r->team_n + base);
        base += r->team_ngroups[f];
    }
}

void team_free(Run *r)
{
    kpi_free(r->team_group);
    kpi_free(r->team_ngroups);
    kpi_free(r->team_vals);
    kpi_free(r->team_n);
}
