/* team.c - team fields: a value aggregated over the members of each group
 * (department), computed between two strata from the members' registers. */
#include "base/alloc.h"
#include "base/compiler.h"
#include "vm/run_int.h"

#include <string.h>

/* Groups are the distinct values of a roster column; blank is no group.
 * Numbered in order of first appearance (employees are in key order). */
/* A roster cell is the group's key as it stands: texts are interned (equal
 * texts, equal ids) and numbers of one column share its scale, so equal
 * cells are equal values. One pass in employee order with a hash of the
 * cells seen numbers the groups by first member. */
KPI_WRAPS static size_t cell_hash(int64_t x, size_t mask)
{
    uint64_t h = (uint64_t)x * 0x9E3779B97F4A7C15ull;
    return (size_t)(h ^ (h >> 29)) & mask;
}

static uint32_t group_employees(Run *r, uint32_t col, int32_t *group)
{
    const TableSpec *ros = &r->p->tables[r->p->roster];
    uint32_t nemp = r->res->nemp, ngroups = 0;
    size_t cap = 16;
    while (cap < (size_t)nemp * 2)
        cap *= 2;
    int64_t *cell = kpi_malloc(sizeof(int64_t) * cap);
    int32_t *id = kpi_malloc(sizeof(int32_t) * cap);
    memset(id, 0xFF, sizeof(int32_t) * cap);
    for (uint32_t e = 0; e < nemp; e++) {
        int64_t x = r->roster[(size_t)e * ros->ncols + col];
        group[e] = -1;
        if (x == REF_BLANK)
            continue;
        size_t h = cell_hash(x, cap - 1);
        while (id[h] >= 0 && cell[h] != x)
            h = (h + 1) & (cap - 1);
        if (id[h] < 0) {
            cell[h] = x;
            id[h] = (int32_t)ngroups++;
        }
        group[e] = id[h];
    }
    kpi_free(cell);
    kpi_free(id);
    return ngroups;
}

void team_prepare(Run *r)
{
    const Program *p = r->p;
    uint32_t nemp = r->res->nemp;
    r->team_group = kpi_calloc((size_t)(p->nteam ? p->nteam : 1) * (nemp ? nemp : 1), sizeof(int32_t));
    r->team_ngroups = kpi_calloc(p->nteam ? p->nteam : 1, sizeof(uint32_t));
    r->team_base = kpi_calloc(p->nteam ? p->nteam : 1, sizeof(size_t));
    size_t total = 0;
    for (uint32_t f = 0; f < p->nteam; f++) {
        r->team_ngroups[f] = group_employees(r, p->team[f].group_col, r->team_group + (size_t)f * nemp);
        r->team_base[f] = total;
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
    for (uint32_t f = 0; f < r->p->nteam; f++)
        if (r->p->team[f].stratum == stratum)
            aggregate_field(r, f, r->team_vals + r->team_base[f], r->team_n + r->team_base[f]);
}

void team_free(Run *r)
{
    kpi_free(r->team_group);
    kpi_free(r->team_ngroups);
    kpi_free(r->team_base);
    kpi_free(r->team_vals);
    kpi_free(r->team_n);
}
