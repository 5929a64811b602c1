/* slice.c - the part of the employee program that computes a few registers.
 *
 * A run whose results go to a sink keeps no registers: before the last
 * stratum, a pass over the employees only has to produce the team fields'
 * inputs. Each named value's code is a contiguous range (Program.def_code)
 * whose jumps stay inside it, so the slice is the ranges of the wanted
 * values and of everything they read, copied in order, jumps moved along. */
#include "base/alloc.h"
#include "vm/slice.h"

#include <string.h>

static bool is_jump(Ins in) { return op_info[in.op].format[1] == 'J'; }

/* Per instruction below end: the named value whose range holds it, NO_REG
 * for none (RET); per persistent register: the value whose range writes it. */
static void owners(const Program *p, uint32_t end, uint16_t *of_pc, uint16_t *of_reg)
{
    for (uint32_t pc = 0; pc < end; pc++)
        of_pc[pc] = NO_REG;
    for (uint32_t i = 0; i < p->npersist; i++)
        of_reg[i] = NO_REG;
    for (uint32_t d = 0; d < p->npersist; d++)
        for (uint32_t pc = p->def_code[2 * d]; pc < p->def_code[2 * d + 1] && pc < end; pc++)
            of_pc[pc] = (uint16_t)d;
    for (uint32_t pc = 0; pc < end; pc++) {
        Ins in = p->code[pc];
        if (of_pc[pc] != NO_REG && ins_writes(in) && in.a < p->npersist)
            of_reg[in.a] = of_pc[pc];
    }
}

/* The values whose ranges the wanted registers need, marked in keep. */
static void close_over(const Program *p, const uint16_t *of_reg, const uint16_t *want, uint32_t nwant,
                       bool *keep)
{
    uint16_t *todo = kpi_malloc(sizeof(uint16_t) * (p->npersist ? p->npersist : 1));
    uint32_t n = 0;
    for (uint32_t i = 0; i < nwant; i++) {
        uint16_t d = want[i] < p->npersist ? of_reg[want[i]] : NO_REG;
        if (d != NO_REG && !keep[d]) {
            keep[d] = true;
            todo[n++] = d;
        }
    }
    while (n > 0) {
        uint16_t d = todo[--n];
        for (uint32_t pc = p->def_code[2 * d]; pc < p->def_code[2 * d + 1]; pc++) {
            uint16_t rd[3];
            int k = ins_reads(p->code[pc], rd);
            for (int j = 0; j < k; j++) {
                uint16_t o = rd[j] < p->npersist ? of_reg[rd[j]] : NO_REG;
                if (o != NO_REG && !keep[o]) {
                    keep[o] = true;
                    todo[n++] = o;
                }
            }
        }
    }
    kpi_free(todo);
}

/* Copies range [start, end) to code + at; false if a jump leaves it. */
static bool copy_range(const Program *p, uint32_t start, uint32_t end, Slice *s)
{
    uint32_t at = s->ncode;
    for (uint32_t pc = start; pc < end; pc++) {
        Ins in = p->code[pc];
        if (is_jump(in)) {
            uint32_t t = ins_target(in);
            if (t < start || t > end)
                return false;
            t = t - start + at;
            in.b = (uint16_t)(t & 0xFFFF);
            in.c = (uint16_t)(t >> 16);
        }
        s->code[s->ncode] = in;
        s->span[s->ncode++] = p->code_span[pc];
    }
    return true;
}

bool slice_make(const Program *p, uint32_t last, const uint16_t *want, uint32_t nwant, Slice *s)
{
    memset(s, 0, sizeof *s);
    if (!p->def_code || last >= p->nstrata)
        return false;
    uint32_t end = last + 1 < p->nstrata ? p->stratum_pc[last + 1] : p->ncode;
    uint16_t *of_pc = kpi_malloc(sizeof(uint16_t) * (end ? end : 1));
    uint16_t *of_reg = kpi_malloc(sizeof(uint16_t) * (p->npersist ? p->npersist : 1));
    bool *keep = kpi_calloc(p->npersist ? p->npersist : 1, sizeof(bool));
    owners(p, end, of_pc, of_reg);
    close_over(p, of_reg, want, nwant, keep);
    s->code = kpi_malloc(sizeof(Ins) * (end + 1));
    s->span = kpi_malloc(sizeof(uint32_t) * (end + 1));
    bool ok = true;
    for (uint32_t pc = 0; pc < end && ok;) {
        uint16_t d = of_pc[pc];
        if (d == NO_REG || p->def_code[2 * d] != pc) { /* RET, or a range not starting here */
            ok = d == NO_REG;
            pc++;
            continue;
        }
        if (keep[d])
            ok = copy_range(p, pc, p->def_code[2 * d + 1], s);
        pc = p->def_code[2 * d + 1];
    }
    s->code[s->ncode] = (Ins){.op = BC_RET};
    s->span[s->ncode++] = 0;
    kpi_free(of_pc);
    kpi_free(of_reg);
    kpi_free(keep);
    if (!ok)
        slice_free(s);
    return ok;
}

void slice_free(Slice *s)
{
    kpi_free(s->code);
    kpi_free(s->span);
    memset(s, 0, sizeof *s);
}
