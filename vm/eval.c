/* eval.c - the employee program over every employee, stratum by stratum,
 * then each employee's results checked: an error value that reached one
 * becomes a runtime error naming the scheme line and the employee.
 *
 * A stratum reads what earlier strata wrote only through a few registers
 * (and team fields read members' values between strata): only those cross
 * registers are stored for every employee. Every register is stored too
 * unless the caller takes each employee's results as they end (a sink).
 * Then the last pass recomputes the employee's earlier strata rather than
 * reading them back, so only the team fields' inputs are stored: a million
 * employees in little memory. A pass before the last runs only the slice
 * of the code those inputs need (vm/slice.c), so the recomputing costs
 * little more than the inputs themselves. */
#include "base/alloc.h"
#include "base/clock.h"
#include "vm/run_int.h"

#include <stdio.h>
#include <string.h>

/* ---- what crosses strata ---- */
/* The stratum that writes each register (npersist entries, -1 none). */
static int32_t *writers(const Program *p)
{
    int32_t *w = kpi_malloc(sizeof(int32_t) * (p->npersist ? p->npersist : 1));
    for (uint32_t i = 0; i < p->npersist; i++)
        w[i] = -1;
    for (uint32_t s = 0; s < p->nstrata; s++) {
        uint32_t end = s + 1 < p->nstrata ? p->stratum_pc[s + 1] : p->ncode;
        for (uint32_t pc = p->stratum_pc[s]; pc < end; pc++) {
            Ins in = p->code[pc];
            if (ins_writes(in) && in.a < p->npersist)
                w[in.a] = (int32_t)s;
        }
    }
    return w;
}

static void mark_cross(Eval *ev, uint16_t reg)
{
    if (reg < ev->np && ev->slot[reg] < 0)
        ev->slot[reg] = (int32_t)ev->ncross++;
}

/* Registers a stratum reads from earlier ones (unless recomputed), and the
 * team fields' inputs. */
static void plan_cross(Run *r, Eval *ev)
{
    const Program *p = r->p;
    int32_t *w = writers(p);
    ev->np = p->npersist;
    ev->slot = kpi_malloc(sizeof(int32_t) * (ev->np ? ev->np : 1));
    for (uint32_t i = 0; i < ev->np; i++)
        ev->slot[i] = -1;
    for (uint32_t s = 1; s < p->nstrata && !r->o->drop_regs; s++) {
        uint32_t end = s + 1 < p->nstrata ? p->stratum_pc[s + 1] : p->ncode;
        for (uint32_t pc = p->stratum_pc[s]; pc < end; pc++) {
            uint16_t rd[3];
            int nrd = ins_reads(p->code[pc], rd);
            for (int k = 0; k < nrd; k++)
                if (rd[k] < ev->np && w[rd[k]] >= 0 && w[rd[k]] < (int32_t)s)
                    mark_cross(ev, rd[k]);
        }
    }
    for (uint32_t i = 0; i < p->nteam; i++) {
        mark_cross(ev, p->team[i].arg);
        if (p->team[i].where != NO_REG)
            mark_cross(ev, p->team[i].where);
    }
    /* per stratum: the registers it writes (copied out), in register order,
     * the cross ones among them, and the cross ones it reads (copied in) */
    ev->written = kpi_calloc(p->nstrata, sizeof(uint16_t *));
    ev->nwritten = kpi_calloc(p->nstrata, sizeof(uint32_t));
    ev->crossout = kpi_calloc(p->nstrata, sizeof(uint16_t *));
    ev->ncrossout = kpi_calloc(p->nstrata, sizeof(uint32_t));
    ev->crossin = kpi_calloc(p->nstrata, sizeof(uint16_t *));
    ev->ncrossin = kpi_calloc(p->nstrata, sizeof(uint32_t));
    for (uint32_t s = 0; s < p->nstrata; s++) {
        ev->written[s] = kpi_malloc(sizeof(uint16_t) * (ev->np ? ev->np : 1));
        ev->crossout[s] = kpi_malloc(sizeof(uint16_t) * (ev->np ? ev->np : 1));
        ev->crossin[s] = kpi_malloc(sizeof(uint16_t) * (ev->np ? ev->np : 1));
        for (uint32_t reg = 0; reg < ev->np; reg++) {
            if (w[reg] == (int32_t)s)
                ev->written[s][ev->nwritten[s]++] = (uint16_t)reg;
            if (w[reg] == (int32_t)s && ev->slot[reg] >= 0)
                ev->crossout[s][ev->ncrossout[s]++] = (uint16_t)reg;
            if (w[reg] >= 0 && w[reg] < (int32_t)s && ev->slot[reg] >= 0)
                ev->crossin[s][ev->ncrossin[s]++] = (uint16_t)reg;
        }
    }
    kpi_free(w);
    size_t n = (size_t)r->res->nemp * (ev->ncross ? ev->ncross : 1);
    ev->cross = kpi_malloc(sizeof(Value) * (n ? n : 1));
    for (size_t i = 0; i < n; i++)
        ev->cross[i] = val_blank();
}

Value eval_value(const Run *r, uint32_t emp, uint16_t reg)
{
    const Eval *ev = &r->eval;
    if (ev->slot[reg] >= 0)
        return ev->cross[(size_t)emp * ev->ncross + (uint32_t)ev->slot[reg]];
    return r->res->regs ? run_regs(r->res, emp)[reg] : val_blank();
}

/* ---- runtime errors ---- */
static void employee_label(const RunResult *res, uint32_t e, Buf *out)
{
    uint32_t len;
    const char *key = strtab_get(&res->strs, res->emp_key[e], &len);
    buf_printf(out, "employee %.*s", (int)len, key);
    if (res->emp_name[e] != STR_NONE) {
        const char *name = strtab_get(&res->strs, res->emp_name[e], &len);
        buf_printf(out, " (%.*s)", (int)len, name);
    }
}

static void runtime_error(Run *r, uint32_t e, Value v, const char *what)
{
    RunResult *res = r->res;
    Buf who = BUF_INIT;
    employee_label(res, e, &who);
    Diag *g;
    if (v.kind == V_BLANK) {
        g = diag_at(&res->diags, K_RUN_BLANK, program_span(r->p, v.aux), "%s is blank for %s", what,
                    buf_cstr(&who));
        diag_note(g, "help", "a blank comes from an empty cell or an average over no rows; "
                             "give a value with `default`");
    } else if (v.err == ERR_NO_PLAN) {
        g = diag_at(&res->diags, K_RUN_NO_PLAN, program_span(r->p, v.aux),
                    "no plan for %s in period %s", buf_cstr(&who), r->o->period.label);
        diag_note(g, "help", "add the plan row, or give a value with `default`");
    } else {
        static const DiagId ids[ERR__COUNT] = {
            [ERR_NONE] = K_RUN_BAD_ARG, [ERR_DIVZERO] = K_RUN_DIVZERO, [ERR_OVERFLOW] = K_RUN_OVERFLOW,
            [ERR_NO_BAND] = K_RUN_NO_BAND, [ERR_NO_PLAN] = K_RUN_NO_PLAN, [ERR_NO_ROLE] = K_RUN_NO_ROLE,
            [ERR_BAD_ARG] = K_RUN_BAD_ARG,
        };
        g = diag_at(&res->diags, ids[v.err < ERR__COUNT ? v.err : ERR_BAD_ARG], program_span(r->p, v.aux), "%s for %s",
                    error_kind_text((ErrorKind)v.err), buf_cstr(&who));
        if (v.err == ERR_DIVZERO)
            diag_note(g, "help", "if the divisor can be zero, say what the result is then: ... default 0");
        else if (v.err == ERR_NO_BAND)
            diag_note(g, "help", "add a band for this value, or an `else ->` row");
        else if (v.err == ERR_NO_ROLE)
            diag_note(g, "help", "list the employee's role in 'roles', or add an `else:` entry");
    }
    diag_note(g, "note", "while computing %s", what);
    buf_free(&who);
}

/* The first error value among an employee's results, if any; a missing
 * plan row is the data's fault, the rest the scheme's. */
static bool check_employee(Run *r, uint32_t e, const Value *regs, bool report, bool *data_fault)
{
    const Program *p = r->p;
    for (uint32_t i = 0; i < p->nind; i++) {
        const IndicatorOut *o = &p->ind[i];
        uint16_t fields[6] = {o->active, o->fact, o->plan, o->index, o->score, o->weight};
        for (int k = 0; k < 6; k++)
            if (regs[fields[k]].kind == V_ERROR) {
                if (report)
                    runtime_error(r, e, regs[fields[k]],
                                  k == 0 || !p->reg_names ? o->name : p->reg_names[fields[k]]);
                *data_fault |= regs[fields[k]].err == ERR_NO_PLAN;
                return false;
            }
    }
    for (uint32_t i = 0; i < p->nouts; i++) {
        Value v = regs[p->outs[i].reg];
        if (v.kind == V_ERROR || (p->outs[i].kind == OUT_PAYOUT && v.kind == V_BLANK)) {
            if (v.kind == V_BLANK)
                v.aux = p->outs[i].span;
            if (report)
                runtime_error(r, e, v, p->outs[i].name);
            *data_fault |= v.kind == V_ERROR && v.err == ERR_NO_PLAN;
            return false;
        }
    }
    return true;
}

/* Its results checked (unless a worker found them clean: then frame may
 * be NULL), noted and handed on. Stored registers are the whole of them:
 * the frame has only the last stratum's (a pass that reads stored
 * registers runs no earlier stratum). */
static void finish_employee(Run *r, uint32_t e, const Value *frame, bool clean, const char *text, size_t len)
{
    Eval *ev = &r->eval;
    if (r->res->regs)
        frame = run_regs(r->res, e);
    bool report = ev->failed < KPI_MAX_RUN_ERRORS, fault = false;
    if (!clean && !check_employee(r, e, frame, report, &fault)) {
        ev->failed++;
        ev->data_fault |= report && fault;
    }
    r->res->inexact |= r->res->emp_inexact[e];
    if (r->o->sink) {
        uint64_t t = clock_ns();
        r->o->sink(r->o->sink_ctx, r->res, e, frame, text, len);
        r->res->ns_sink += clock_ns() - t;
    }
}

/* ---- explanations ---- */
int32_t run_find_employee(const RunResult *r, const char *key)
{
    size_t len = strlen(key);
    for (uint32_t e = 0; e < r->nemp; e++) {
        uint32_t n;
        const char *k = strtab_get(&r->strs, r->emp_key[e], &n);
        if (n == len && memcmp(k, key, len) == 0)
            return (int32_t)e;
    }
    return -1;
}

/* Records for the employees to explain, and where each instruction's
 * trace point is. */
static void trace_prepare(Run *r)
{
    const Program *p = r->p;
    RunResult *res = r->res;
    if (!r->o->trace_all && !r->o->ntrace_keys)
        return;
    res->trace_slot = kpi_calloc(res->nemp ? res->nemp : 1, sizeof(int32_t));
    uint32_t nslots = 0;
    for (uint32_t e = 0; e < res->nemp; e++)
        res->trace_slot[e] = r->o->trace_all ? (int32_t)nslots++ : -1;
    for (uint32_t k = 0; !r->o->trace_all && k < r->o->ntrace_keys; k++) {
        int32_t e = run_find_employee(res, r->o->trace_keys[k]);
        if (e >= 0 && res->trace_slot[e] < 0)
            res->trace_slot[e] = (int32_t)nslots++;
    }
    res->trace = kpi_calloc((size_t)(nslots ? nslots : 1) * (p->ntrace ? p->ntrace : 1), sizeof(TraceRec));
    r->point_of_pc = kpi_malloc(sizeof(uint32_t) * (p->ncode ? p->ncode : 1));
    for (uint32_t pc = 0; pc < p->ncode; pc++)
        r->point_of_pc[pc] = UINT32_MAX;
    for (uint32_t i = 0; i < p->ntrace; i++)
        if (p->trace[i].pc != TRACE_NO_PC)
            r->point_of_pc[p->trace[i].pc] = i;
}

/* --max-steps, checked before each employee's run of a stratum: code only
 * jumps forward, so the run executes at most the stratum's instructions. */
static bool steps_left(Run *r, uint32_t s, uint32_t e, uint64_t *used)
{
    const Program *p = r->p;
    uint64_t max = r->o->max_steps ? r->o->max_steps : KPI_DEFAULT_MAX_STEPS;
    uint32_t end = s + 1 < p->nstrata ? p->stratum_pc[s + 1] : p->ncode;
    uint64_t len = end - p->stratum_pc[s];
    if (len <= max - *used) {
        *used += len;
        return true;
    }
    Buf who = BUF_INIT;
    employee_label(r->res, e, &who);
    const Source *src = sources_get(&p->sources, 0);
    Diag *g = diag_where(&r->res->diags, K_LIMIT, src ? src->name : "scheme",
                         "the run would take more than %llu steps (--max-steps) at %s",
                         (unsigned long long)max, buf_cstr(&who));
    diag_note(g, "help", "a run counts each instruction of the program once per employee; "
                         "raise --max-steps (0: no limit)");
    buf_free(&who);
    r->res->status = RUN_EVAL_ERROR;
    return false;
}

/* ---- the loop ---- */
/* Stratum s over the frame: its cross outputs stored, its writes noted. */
static void run_stratum(Run *r, uint32_t s, uint32_t e)
{
    Eval *ev = &r->eval;
    Value *frame = r->frame, *cross = ev->cross + (size_t)e * ev->ncross;
    const Program *p = r->p;
    if (ev->hoisted)
        r->p = &ev->hoist.view;
    r->res->emp_inexact[e] |= interp_run(r, e, r->p->stratum_pc[s]);
    r->p = p;
    for (uint32_t k = 0; k < ev->ncrossout[s]; k++)
        cross[ev->slot[ev->crossout[s][k]]] = frame[ev->crossout[s][k]];
    const uint16_t *w = ev->written[s];
    if (r->res->regs) {
        Value *regs = r->res->regs + (size_t)e * ev->np;
        for (uint32_t k = 0; k < ev->nwritten[s]; k++)
            regs[w[k]] = frame[w[k]];
    }
}

/* ---- passes before the last, in a sink run ----
 * Such a pass only feeds the next team fields, and the last pass computes
 * all of it again: so it runs just the slice of the code that computes
 * the fields' inputs (for the bench's scheme, 2 instructions of 300). */
static void prepass_prepare(Run *r, Eval *ev)
{
    const Program *p = r->p;
    if (!r->o->drop_regs || r->o->trace_all || r->o->ntrace_keys || p->nstrata < 2)
        return;
    ev->pre = kpi_calloc(p->nstrata - 1, sizeof(Prepass));
    for (uint32_t s = 0; s + 1 < p->nstrata; s++) {
        Prepass *q = &ev->pre[s];
        q->want = kpi_malloc(sizeof(uint16_t) * (2 * p->nteam + 1));
        for (uint32_t i = 0; i < p->nteam; i++) {
            if (p->team[i].stratum != s + 1)
                continue;
            q->want[q->nwant++] = p->team[i].arg;
            if (p->team[i].where != NO_REG)
                q->want[q->nwant++] = p->team[i].where;
        }
        if (!slice_make(p, s, q->want, q->nwant, &q->slice))
            continue; /* the pass runs its strata whole */
        q->view = *p;
        q->view.code = q->slice.code;
        q->view.code_span = q->slice.span;
        q->view.ncode = q->slice.ncode;
        q->view.nstrata = 1;
        q->view.stratum_pc = &q->entry;
    }
}

static void prepass_free(Eval *ev, uint32_t nstrata)
{
    for (uint32_t s = 0; ev->pre && s + 1 < nstrata; s++) {
        slice_free(&ev->pre[s].slice);
        kpi_free(ev->pre[s].want);
    }
    kpi_free(ev->pre);
}

/* The slice over the frame; its results stored for the team fields. */
static void run_prepass(Run *r, const Prepass *q, uint32_t e)
{
    const Program *p = r->p;
    Value *cross = r->eval.cross + (size_t)e * r->eval.ncross;
    r->p = &q->view;
    interp_run(r, e, 0);
    r->p = p;
    for (uint32_t k = 0; k < q->nwant; k++)
        cross[r->eval.slot[q->want[k]]] = r->frame[q->want[k]];
}

#define EVAL_AHEAD 8u  /* employees between the prefetch of one's data and its run */

/* One employee's pass s over the frame of r (or of a worker's copy of r):
 * with stored registers its cross inputs come in, without them its earlier
 * strata run again (or the slice of them a pass before the last needs). */
static void compute_one(Run *r, uint32_t s, uint32_t e)
{
    Eval *ev = &r->eval;
    if (ev->pre && s + 1 < r->p->nstrata && ev->pre[s].slice.code) {
        run_prepass(r, &ev->pre[s], e);
        return;
    }
    if (e + EVAL_AHEAD < r->res->nemp)
        interp_prefetch(r, e + EVAL_AHEAD);
    uint32_t first = r->o->drop_regs ? 0 : s;
    const Value *cross = ev->cross + (size_t)e * ev->ncross;
    for (uint32_t k = 0; k < ev->ncrossin[s]; k++)
        r->frame[ev->crossin[s][k]] = cross[ev->slot[ev->crossin[s][k]]];
    for (uint32_t t = first; t <= s; t++)
        run_stratum(r, t, e);
}

static bool run_one(Run *r, uint32_t s, uint32_t e, uint64_t *steps)
{
    r->trace_cur = (TraceRec *)run_trace(r->res, e);
    if (!steps_left(r, s, e, steps)) /* a rerun is not counted again */
        return false;
    compute_one(r, s, e);
    if (s + 1 == r->p->nstrata)
        finish_employee(r, e, r->frame, false, NULL, 0);
    return true;
}

/* ---- two or more threads ----
 * The employees of a stratum are independent: workers compute them with
 * their own frames (interp reads only the run's data), each a contiguous
 * range. The last stratum goes a chunk at a time, the frames kept, so that
 * each employee is then finished (checked, its results handed on) in order
 * by one thread: messages and outputs are the same bytes for any number of
 * threads. When the workers also make the texts, they check the results
 * too and keep only the frames that fail (rare): copying every frame cost
 * more than the check. A traced run, or a stratum the step budget would
 * stop, is run by one thread. */
#define EVAL_PAR_MIN   256u          /* employees below which one thread is quicker */
#define EVAL_CHUNK_MAX 1024u         /* employees per chunk of the last stratum... */
#define EVAL_CHUNK_BYTES (8u << 20)  /* ...whose frames take at most this */
#define EVAL_CHUNK_TEXT 2048u        /* employees per chunk when only texts are kept */

typedef struct Worker {
    Run       w;           /* a copy of the run with its own frame */
    uint32_t  s, lo, hi;
    Value    *keep;        /* the last stratum without texts: (hi - lo) frames, else NULL */
    bool      render;      /* the last stratum: each employee's text too (RunOptions.render) */
    Buf       text;        /* their texts, one after another... */
    uint32_t *len;         /* ...of these lengths (a chunk's worth) */
    uint8_t  *clean;       /* ...and whether each one's results passed the check */
    Value    *bad;         /* the frames of those that did not, in order */
    uint32_t  nbad, capbad;
} Worker;

/* A frame whose results failed the check, kept for finish_range to report. */
static void keep_bad(Worker *k)
{
    uint32_t nregs = k->w.p->nregs ? k->w.p->nregs : 1;
    if (k->nbad == k->capbad) {
        k->capbad = k->capbad ? 2 * k->capbad : 4;
        k->bad = kpi_realloc(k->bad, sizeof(Value) * nregs * k->capbad);
    }
    memcpy(k->bad + (size_t)k->nbad++ * nregs, k->w.frame, sizeof(Value) * k->w.p->nregs);
}

static void *work(void *arg)
{
    Worker *k = arg;
    uint32_t nregs = k->w.p->nregs;
    const RunOptions *o = k->w.o;
    buf_clear(&k->text);
    k->nbad = 0;
    for (uint32_t e = k->lo; e < k->hi; e++) {
        compute_one(&k->w, k->s, e);
        if (k->keep)
            memcpy(k->keep + (size_t)(e - k->lo) * nregs, k->w.frame, sizeof(Value) * nregs);
        if (k->render) {
            size_t at = k->text.len;
            o->render(o->sink_ctx, k->w.res, e, k->w.frame, &k->text);
            k->len[e - k->lo] = (uint32_t)(k->text.len - at);
            bool fault = false;
            k->clean[e - k->lo] = check_employee(&k->w, e, k->w.frame, false, &fault);
            if (!k->clean[e - k->lo])
                keep_bad(k);
        }
    }
    return NULL;
}

/* The chunk's employees (from lo) finished in order, each with the text
 * its worker made, if it made them. */
static void finish_range(Run *r, const Worker *ws, uint32_t n, uint32_t lo, const Value *keep)
{
    uint32_t nregs = r->p->nregs ? r->p->nregs : 1;
    for (uint32_t i = 0; i < n; i++) {
        const Worker *k = &ws[i];
        if (!k->render) {
            for (uint32_t e = k->lo; e < k->hi; e++)
                finish_employee(r, e, keep + (size_t)(e - lo) * nregs, false, NULL, 0);
            continue;
        }
        const char *text = k->text.data ? k->text.data : ""; /* made, if empty */
        size_t at = 0, nbad = 0;
        for (uint32_t e = k->lo; e < k->hi; e++) {
            uint32_t len = k->len[e - k->lo];
            bool clean = k->clean[e - k->lo];
            finish_employee(r, e, clean ? NULL : k->bad + nbad++ * nregs, clean, text + at, len);
            at += len;
        }
    }
}

/* Employees [lo, hi) of stratum s over n workers, the frames into keep. */
static void compute_range(Worker *ws, uint32_t n, uint32_t s, uint32_t lo, uint32_t hi, Value *keep)
{
    uint32_t nregs = ws[0].w.p->nregs, len = hi - lo;
    for (uint32_t i = 0; i < n; i++) {
        ws[i].s = s;
        ws[i].lo = lo + (uint32_t)((uint64_t)len * i / n);
        ws[i].hi = lo + (uint32_t)((uint64_t)len * (i + 1) / n);
        ws[i].keep = keep ? keep + (size_t)(ws[i].lo - lo) * nregs : NULL;
    }
    run_each(work, ws, sizeof(Worker), n);
}

static void run_stratum_threads(Run *r, Worker *ws, uint32_t n, uint32_t s)
{
    const Program *p = r->p;
    uint32_t nemp = r->res->nemp, nregs = p->nregs ? p->nregs : 1;
    if (s + 1 < p->nstrata) {
        compute_range(ws, n, s, 0, nemp, NULL);
        return;
    }
    bool render = r->o->render && r->o->sink && !r->res->regs;
    uint32_t chunk = EVAL_CHUNK_BYTES / (nregs * (uint32_t)sizeof(Value));
    chunk = render ? EVAL_CHUNK_TEXT : chunk < 1 ? 1 : chunk > EVAL_CHUNK_MAX ? EVAL_CHUNK_MAX : chunk;
    Value *keep = render ? NULL : kpi_malloc(sizeof(Value) * nregs * chunk);
    for (uint32_t i = 0; i < n; i++) {
        ws[i].render = render;
        ws[i].len = render ? kpi_malloc(sizeof(uint32_t) * chunk) : NULL;
        ws[i].clean = render ? kpi_malloc(chunk) : NULL;
    }
    for (uint32_t lo = 0; lo < nemp; lo += chunk) {
        uint32_t hi = nemp - lo < chunk ? nemp : lo + chunk;
        compute_range(ws, n, s, lo, hi, keep);
        finish_range(r, ws, n, lo, keep);
    }
    for (uint32_t i = 0; i < n; i++) {
        ws[i].render = false;
        kpi_free(ws[i].len);
        kpi_free(ws[i].clean);
        ws[i].len = NULL;
        ws[i].clean = NULL;
    }
    kpi_free(keep);
}

/* A frame for the run's employees: constants, and the hoisted defs. */
static void frame_init(const Run *r, Value *frame)
{
    program_frame_init(r->p, frame);
    if (r->eval.hoisted)
        hoist_frame(&r->eval.hoist, r->p, frame);
}

/* Workers for a run that can use them, or 0. */
static uint32_t workers(Run *r, Worker **out)
{
    uint32_t n = run_threads(r), nemp = r->res->nemp;
    if (n < 2 || nemp < EVAL_PAR_MIN || r->res->trace_slot)
        return 0;
    Worker *ws = kpi_calloc(n, sizeof(Worker));
    for (uint32_t i = 0; i < n; i++) {
        ws[i].w = *r;
        ws[i].w.trace_cur = NULL;
        ws[i].w.frame = kpi_malloc(sizeof(Value) * (r->p->nregs ? r->p->nregs : 1));
        frame_init(r, ws[i].w.frame);
    }
    *out = ws;
    return n;
}

static void free_workers(Worker *ws, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        kpi_free(ws[i].w.frame);
        kpi_free(ws[i].bad);
        buf_free(&ws[i].text);
    }
    kpi_free(ws);
}

/* The stratum's steps for every employee, if the budget has them all. */
static bool steps_for_all(Run *r, uint32_t s, uint64_t *used)
{
    const Program *p = r->p;
    uint64_t max = r->o->max_steps ? r->o->max_steps : KPI_DEFAULT_MAX_STEPS;
    uint32_t end = s + 1 < p->nstrata ? p->stratum_pc[s + 1] : p->ncode;
    uint64_t len = end - p->stratum_pc[s], n = r->res->nemp;
    if (len && n > (max - *used) / len)
        return false;
    *used += len * n;
    return true;
}

void eval_employees(Run *r)
{
    const Program *p = r->p;
    RunResult *res = r->res;
    uint32_t nemp = res->nemp, np = p->npersist;
    if (!r->o->drop_regs) {
        res->regs = kpi_malloc(sizeof(Value) * (size_t)(nemp ? nemp : 1) * (np ? np : 1));
        for (size_t i = 0; i < (size_t)nemp * np; i++)
            res->regs[i] = val_blank();
    }
    res->emp_inexact = kpi_calloc(nemp ? nemp : 1, 1);
    plan_cross(r, &r->eval);
    prepass_prepare(r, &r->eval);
    team_prepare(r);
    trace_prepare(r);
    r->eval.hoisted = !res->trace_slot && hoist_make(p, &r->eval.hoist);
    r->frame = kpi_malloc(sizeof(Value) * (p->nregs ? p->nregs : 1));
    frame_init(r, r->frame);
    Worker *ws = NULL;
    uint32_t nw = workers(r, &ws);
    uint64_t steps = 0;
    bool stopped = false;
    for (uint32_t s = 0; s < p->nstrata && !stopped; s++) {
        if (s > 0)
            team_aggregate(r, s);
        if (nw && steps_for_all(r, s, &steps)) {
            run_stratum_threads(r, ws, nw, s);
            continue;
        }
        for (uint32_t e = 0; e < nemp && !stopped; e++)
            stopped = !run_one(r, s, e, &steps);
    }
    free_workers(ws, nw);
    if (!stopped && r->eval.failed)
        res->status = r->eval.data_fault ? RUN_DATA_ERROR : RUN_EVAL_ERROR;
}

void eval_free(Run *r)
{
    Eval *ev = &r->eval;
    prepass_free(ev, r->p->nstrata);
    hoist_free(&ev->hoist);
    for (uint32_t s = 0; ev->written && s < r->p->nstrata; s++) {
        kpi_free(ev->written[s]);
        kpi_free(ev->crossout[s]);
        kpi_free(ev->crossin[s]);
    }
    kpi_free(ev->written);
    kpi_free(ev->nwritten);
    kpi_free(ev->crossout);
    kpi_free(ev->ncrossout);
    kpi_free(ev->crossin);
    kpi_free(ev->ncrossin);
    kpi_free(ev->slot);
    kpi_free(ev->cross);
    kpi_free(r->frame);
    kpi_free(r->point_of_pc);
    memset(ev, 0, sizeof *ev);
}
