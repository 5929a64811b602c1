/* run.c - the order of an evaluation: reference tables, the fact scan,
 * then the employee program stage by stage with team fields in between;
 * then every result is checked, and an error value that reached one
 * becomes a runtime error naming the scheme line and the employee. */
#include "base/alloc.h"
#include "vm/run_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void run_data_error(Run *r, DiagId id, const char *file, uint64_t row, uint32_t col, const char *fmt, ...)
{
    char where[1200];
    if (row && col)
        snprintf(where, sizeof where, "%s:%llu:%u", file, (unsigned long long)row, col);
    else if (row)
        snprintf(where, sizeof where, "%s:%llu", file, (unsigned long long)row);
    else
        snprintf(where, sizeof where, "%s", file);
    Buf msg = BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    diag_where(&r->res->diags, id, where, "%s", buf_cstr(&msg));
    buf_free(&msg);
    r->data_error = true;
}

void run_csv_error(Run *r, DiagId id, const char *file, const CsvError *e, uint64_t row_base, uint64_t line_base)
{
    char msg[300];
    csv_error_text(e, row_base, line_base, msg, sizeof msg);
    run_data_error(r, id, file, e->row ? e->row + row_base : 0, e->col, "%s", msg);
}

static void intern_program_strings(Run *r)
{
    for (uint32_t i = 0; i < r->p->nstrings; i++)
        strtab_intern(&r->res->strs, r->p->strings[i], r->p->string_len[i]);
}

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
static bool check_employee(Run *r, uint32_t e, bool *data_fault)
{
    const Program *p = r->p;
    const Value *regs = run_regs(r->res, e);
    for (uint32_t i = 0; i < p->nind; i++) {
        const IndicatorOut *o = &p->ind[i];
        Value act = regs[o->active];
        if (act.kind == V_ERROR) {
            runtime_error(r, e, act, o->name);
            *data_fault |= act.err == ERR_NO_PLAN;
            return false;
        }
        uint16_t fields[5] = {o->fact, o->plan, o->index, o->score, o->weight};
        for (int k = 0; k < 5; k++)
            if (regs[fields[k]].kind == V_ERROR) {
                runtime_error(r, e, regs[fields[k]], p->reg_names ? p->reg_names[fields[k]] : o->name);
                *data_fault |= regs[fields[k]].err == ERR_NO_PLAN;
                return false;
            }
    }
    for (uint32_t i = 0; i < p->nouts; i++) {
        Value v = regs[p->outs[i].reg];
        if (v.kind == V_ERROR || (p->outs[i].kind == OUT_PAYOUT && v.kind == V_BLANK)) {
            if (v.kind == V_BLANK)
                v.aux = p->outs[i].span;
            runtime_error(r, e, v, p->outs[i].name);
            *data_fault |= v.kind == V_ERROR && v.err == ERR_NO_PLAN;
            return false;
        }
    }
    return true;
}

static void note_inexact(Run *r)
{
    const Program *p = r->p;
    for (uint32_t e = 0; e < r->res->nemp && !r->res->inexact; e++) {
        const Value *regs = run_regs(r->res, e);
        for (uint32_t k = 0; k < p->npersist; k++)
            r->res->inexact |= regs[k].inexact;
    }
}

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

static void evaluate(Run *r)
{
    const Program *p = r->p;
    RunResult *res = r->res;
    uint32_t nemp = res->nemp, np = p->npersist;
    res->regs = kpi_calloc((size_t)(nemp ? nemp : 1) * (np ? np : 1), sizeof(Value));
    for (size_t i = 0; i < (size_t)nemp * np; i++)
        res->regs[i] = val_blank();
    r->frame = kpi_calloc(p->nregs ? p->nregs : 1, sizeof(Value));
    team_prepare(r);
    trace_prepare(r);
    uint64_t steps = 0;
    for (uint32_t s = 0; s < p->nstrata; s++) {
        if (s > 0)
            team_aggregate(r, s);
        for (uint32_t e = 0; e < nemp; e++) {
            if (!steps_left(r, s, e, &steps))
                return;
            Value *regs = res->regs + (size_t)e * np;
            memcpy(r->frame, regs, sizeof(Value) * np);
            r->trace_cur = (TraceRec *)run_trace(res, e);
            interp_run(r, e, p->stratum_pc[s]);
            memcpy(regs, r->frame, sizeof(Value) * np);
        }
    }
    uint32_t failed = 0;
    bool data_fault = false;
    for (uint32_t e = 0; e < nemp; e++)
        if (!check_employee(r, e, &data_fault) && ++failed >= KPI_MAX_RUN_ERRORS)
            break;
    note_inexact(r);
    if (failed)
        res->status = data_fault ? RUN_DATA_ERROR : RUN_EVAL_ERROR;
}

/* Fact rows of unknown employees, and fact tables with nothing in the period. */
static void facts_warnings(Run *r)
{
    const Program *p = r->p;
    for (uint32_t i = 0; i < p->ntables; i++) {
        const TableStats *s = &r->res->stats[i];
        if (p->tables[i].kind != TABLE_KIND_FACTS || s->failed)
            continue; /* its errors say enough */
        char *file = run_path(r, &p->tables[i]);
        if (s->unknown_employee) {
            Buf ids = BUF_INIT;
            for (uint32_t k = 0; k < s->nunknown_ids; k++)
                buf_printf(&ids, "%s%s", k ? ", " : "", s->unknown_ids[k]);
            diag_where(&r->res->diags, K_DATA_UNKNOWN_EMPLOYEE, file,
                       "%llu row%s of the period name employees not in the roster: %s%s; they count for nobody",
                       (unsigned long long)s->unknown_employee, s->unknown_employee == 1 ? "" : "s",
                       buf_cstr(&ids), s->more_unknown ? ", ..." : "");
            buf_free(&ids);
        }
        if (!s->in_period)
            diag_where(&r->res->diags, K_DATA_NO_ROWS, file, s->rows ? "none of its %llu rows falls in %s"
                                                                      : "the file has no rows%.0llu for %s",
                       (unsigned long long)s->rows, r->o->period.label);
        kpi_free(file);
    }
}

void run_period(const Program *p, const RunOptions *o, RunResult *res)
{
    memset(res, 0, sizeof *res);
    res->p = p;
    diag_init(&res->diags);
    strtab_init(&res->strs);
    res->stats = kpi_calloc(p->ntables ? p->ntables : 1, sizeof(TableStats));
    Run r;
    memset(&r, 0, sizeof r);
    r.p = p;
    r.o = o;
    r.res = res;
    intern_program_strings(&r);
    bool ok = ref_load_roster(&r);
    if (ok) { /* every input is read, so one run reports all their errors */
        bool plans = ref_load_plans(&r);
        ok = scan_facts(&r) && plans;
        facts_warnings(&r);
    }
    if (ok && !r.data_error && !o->check_only)
        evaluate(&r);
    else if (!ok || r.data_error)
        res->status = RUN_DATA_ERROR;
    DiagId allowed[K__COUNT];
    for (uint32_t i = 0; i < p->nallowed && i < K__COUNT; i++)
        allowed[i] = (DiagId)p->allowed[i];
    diag_drop(&res->diags, allowed, p->nallowed < K__COUNT ? p->nallowed : K__COUNT);
    kpi_free(r.roster);
    kpi_free(r.emp_of_text);
    if (r.plans)
        for (uint32_t i = 0; i < p->ntables; i++) {
            kpi_free(r.plans[i].vals);
            kpi_free(r.plans[i].row_of_emp);
            kpi_free(r.plans[i].row_of_text);
        }
    kpi_free(r.plans);
    scan_free(&r);
    team_free(&r);
    kpi_free(r.frame);
    kpi_free(r.point_of_pc);
}

void run_result_free(RunResult *r)
{
    diag_free(&r->diags);
    strtab_free(&r->strs);
    kpi_free(r->emp_key);
    kpi_free(r->emp_name);
    kpi_free(r->emp_dept);
    kpi_free(r->regs);
    kpi_free(r->stats);
    kpi_free(r->emp_rows);
    kpi_free(r->trace_slot);
    kpi_free(r->trace);
    memset(r, 0, sizeof *r);
}
