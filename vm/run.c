/* run.c - the order of an evaluation: reference tables, the fact scan,
 * then the employee program stage by stage with team fields in between;
 * then every result is checked, and an error value that reached one
 * becomes a runtime error naming the scheme line and the employee. */
#include "base/alloc.h"
#include "base/clock.h"
#include "vm/run_int.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

uint32_t run_threads(const Run *r)
{
    uint32_t n = r->o->threads;
    if (n == 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        n = cpus > 0 ? (uint32_t)cpus : 1;
    }
    return n > KPI_MAX_THREADS ? KPI_MAX_THREADS : n;
}

void run_each(void *(*fn)(void *), void *items, size_t size, uint32_t n)
{
    char *at = items;
    pthread_t *th = kpi_calloc(n ? n : 1, sizeof(pthread_t));
    bool *started = kpi_calloc(n ? n : 1, sizeof(bool));
    for (uint32_t k = 1; k < n; k++)
        started[k] = pthread_create(&th[k], NULL, fn, at + (size_t)k * size) == 0;
    if (n)
        fn(at);
    for (uint32_t k = 1; k < n; k++) {
        if (started[k])
            pthread_join(th[k], NULL);
        else
            fn(at + (size_t)k * size);
    }
    kpi_free(th);
    kpi_free(started);
}

/* One item after another, taken by whoever is free: items of unequal
 * size keep every thread busy to the end. */
typedef struct Pool {
    void *(*fn)(void *);
    void *const *items;
    uint32_t     n;
    atomic_uint  next;
} Pool;

static void *pool_work(void *arg)
{
    Pool *p = *(Pool **)arg;
    for (unsigned i; (i = atomic_fetch_add(&p->next, 1u)) < p->n;)
        p->fn(p->items[i]);
    return NULL;
}

void run_pool(void *(*fn)(void *), void *const *items, uint32_t n, uint32_t threads)
{
    Pool p = {fn, items, n, 0};
    threads = threads < 1 ? 1 : threads > n ? (n ? n : 1) : threads;
    Pool **each = kpi_calloc(threads, sizeof(Pool *));
    for (uint32_t k = 0; k < threads; k++)
        each[k] = &p;
    run_each(pool_work, each, sizeof(Pool *), threads);
    kpi_free(each);
}

static void intern_program_strings(Run *r)
{
    for (uint32_t i = 0; i < r->p->nstrings; i++)
        strtab_intern(&r->res->strs, r->p->strings[i], r->p->string_len[i]);
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
    uint64_t t0 = clock_ns();
    bool ok = ref_load_roster(&r);
    if (ok) { /* every input is read, so one run reports all their errors */
        bool plans = ref_load_plans(&r);
        uint64_t t1 = clock_ns();
        res->ns_read = t1 - t0;
        ok = scan_facts(&r) && plans;
        facts_warnings(&r);
        res->ns_scan = clock_ns() - t1;
    }
    if (ok && !r.data_error && !o->check_only) {
        uint64_t t2 = clock_ns();
        eval_employees(&r);
        res->ns_eval = clock_ns() - t2;
    }
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
            kpi_free(r.plans[i].cells);
            kpi_free(r.plans[i].row_of_emp);
            kpi_free(r.plans[i].row_of_text);
        }
    kpi_free(r.plans);
    scan_free(&r);
    team_free(&r);
    eval_free(&r);
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
    kpi_free(r->emp_inexact);
    kpi_free(r->trace_slot);
    kpi_free(r->trace);
    memset(r, 0, sizeof *r);
}
