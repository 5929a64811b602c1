/* hoist.c - constant named values set once a frame, not once an employee.
 *
 * A def whose code is a single `LOADK reg k`, with no other instruction
 * writing reg, gives every employee the same value. A frame is reused from
 * one employee to the next and nothing else writes such a register, so
 * setting it when the frame is made is the same as loading it each time.
 * In the bench's scheme that is 35 of the 245 instructions an employee runs
 * (each indicator's weight, `active` and plain-true `condition`). The code
 * is copied without those instructions; a jump to one lands on the next. */
#include "base/alloc.h"
#include "vm/hoist.h"

#include <string.h>

static bool is_jump(Ins in) { return op_info[in.op].format[1] == 'J'; }

/* Per register: how many instructions write it. */
static uint32_t *write_counts(const Program *p)
{
    uint32_t *n = kpi_calloc(p->nregs ? p->nregs : 1, sizeof(uint32_t));
    for (uint32_t pc = 0; pc < p->ncode; pc++)
        if (ins_writes(p->code[pc]) && p->code[pc].a < p->nregs)
            n[p->code[pc].a]++;
    return n;
}

/* Marks the LOADKs to drop in drop[pc]; returns how many. */
static uint32_t find_presets(const Program *p, bool *drop)
{
    uint32_t *writes = write_counts(p), n = 0;
    for (uint32_t d = 0; d < p->npersist; d++) {
        uint32_t pc = p->def_code[2 * d];
        if (p->def_code[2 * d + 1] != pc + 1 || pc >= p->ncode)
            continue;
        Ins in = p->code[pc];
        if (in.op == BC_LOADK && in.a == d && writes[d] == 1 && in.b < p->nconsts &&
            !p->consts[in.b].inexact) /* interp_run reports those as it loads them */ {
            drop[pc] = true;
            n++;
        }
    }
    kpi_free(writes);
    return n;
}

static void copy_code(const Program *p, const bool *drop, Hoist *h)
{
    uint32_t *at = kpi_malloc(sizeof(uint32_t) * (p->ncode + 1)); /* old pc -> new pc */
    uint32_t n = 0;
    for (uint32_t pc = 0; pc < p->ncode; pc++) {
        at[pc] = n;
        n += !drop[pc];
    }
    at[p->ncode] = n;
    h->code = kpi_malloc(sizeof(Ins) * (n ? n : 1));
    h->span = kpi_malloc(sizeof(uint32_t) * (n ? n : 1));
    for (uint32_t pc = 0; pc < p->ncode; pc++) {
        if (drop[pc])
            continue;
        Ins in = p->code[pc];
        if (is_jump(in)) {
            uint32_t t = at[ins_target(in)];
            in.b = (uint16_t)(t & 0xFFFF);
            in.c = (uint16_t)(t >> 16);
        }
        h->code[at[pc]] = in;
        h->span[at[pc]] = p->code_span[pc];
    }
    h->stratum_pc = kpi_malloc(sizeof(uint32_t) * (p->nstrata ? p->nstrata : 1));
    for (uint32_t s = 0; s < p->nstrata; s++)
        h->stratum_pc[s] = at[p->stratum_pc[s]];
    h->view = *p;
    h->view.code = h->code;
    h->view.code_span = h->span;
    h->view.ncode = n;
    h->view.stratum_pc = h->stratum_pc;
    kpi_free(at);
}

bool hoist_make(const Program *p, Hoist *h)
{
    memset(h, 0, sizeof *h);
    if (!p->def_code || !p->ncode)
        return false;
    bool *drop = kpi_calloc(p->ncode, sizeof(bool));
    uint32_t n = find_presets(p, drop);
    if (n > 0) {
        h->preset = kpi_malloc(sizeof(Preset) * n);
        for (uint32_t pc = 0; pc < p->ncode; pc++)
            if (drop[pc])
                h->preset[h->npreset++] = (Preset){p->code[pc].a, p->code[pc].b};
        copy_code(p, drop, h);
    }
    kpi_free(drop);
    return n > 0;
}

void hoist_frame(const Hoist *h, const Program *p, Value *frame)
{
    for (uint32_t i = 0; i < h->npreset; i++)
        frame[h->preset[i].reg] = p->consts[h->preset[i].k];
}

void hoist_free(Hoist *h)
{
    kpi_free(h->code);
    kpi_free(h->span);
    kpi_free(h->stratum_pc);
    kpi_free(h->preset);
    memset(h, 0, sizeof *h);
}
