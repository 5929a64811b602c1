/* testutil.h - includes cmocka the way it wants to be included, and small
 * helpers the unit tests share: compiling a scheme from text, rendering its
 * diagnostics, writing data files into a temporary directory. */
#ifndef KPI_TESTUTIL_H
#define KPI_TESTUTIL_H
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#ifdef KPI_TEST_COMPILER
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/alloc.h"
#include "compiler/compile.h"

/* Compiles text; returns the rendered diagnostics (kpi_malloc'd, "" if none)
 * and the program through *out (NULL on errors). */
static inline char *compile_msgs(const char *text, Program **out)
{
    Compilation c;
    compilation_init(&c);
    bool ok = compile_text(&c, "t.kpi", text, strlen(text), NULL);
    diag_sort(&c.diags);
    Buf b = BUF_INIT;
    diag_render(&c.diags, &c.sources, &b);
    char *msgs = kpi_strdup(buf_cstr(&b));
    buf_free(&b);
    Program *p = ok ? compile_take(&c) : NULL;
    compilation_free(&c);
    if (out)
        *out = p;
    else if (p) {
        program_free(p);
        kpi_free(p);
    }
    return msgs;
}

static inline void free_program(Program *p);
static inline void free_program(Program *p)
{
    if (p) {
        program_free(p);
        kpi_free(p);
    }
}

/* Asserts that compiling text gives a message containing `want` (a warning
 * alone still compiles). */
#define assert_compile_says(text, want)                                      \
    do {                                                                     \
        Program *p_;                                                         \
        char *m_ = compile_msgs((text), &p_);                                \
        if (!strstr(m_, (want)))                                             \
            print_message("messages were:\n%s\n", m_);                       \
        assert_non_null(strstr(m_, (want)));                                 \
        kpi_free(m_);                                                        \
        free_program(p_);                                                    \
    } while (0)

/* Asserts that compiling text fails with a message containing `want`. */
#define assert_compile_error(text, want)                                     \
    do {                                                                     \
        Program *p_;                                                         \
        char *m_ = compile_msgs((text), &p_);                                \
        if (!strstr(m_, (want)))                                             \
            print_message("messages were:\n%s\n", m_);                       \
        assert_null(p_);                                                     \
        assert_non_null(strstr(m_, (want)));                                 \
        kpi_free(m_);                                                        \
    } while (0)

/* A fresh temporary directory; files written into it with write_file. */
static inline char *temp_dir(void)
{
    char *d = kpi_strdup("/tmp/kpi-test-XXXXXX");
    assert_non_null(mkdtemp(d));
    return d;
}

static inline void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static inline void remove_dir(char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    kpi_free(dir);
}
#endif

#ifdef KPI_TEST_EVAL
/* Evaluating a scheme over CSV files written into a temporary directory. */
#include "vm/run.h"

typedef struct Eval {
    char     *dir;
    Program  *p;
    RunResult r;
    char     *msgs;
} Eval;

static inline void eval_v(Eval *ev, bool trace, const char *scheme, const char *period, va_list ap)
{
    memset(ev, 0, sizeof *ev);
    ev->dir = temp_dir();
    const char *name;
    while ((name = va_arg(ap, const char *)) != NULL)
        write_file(ev->dir, name, va_arg(ap, const char *));
    char *m = compile_msgs(scheme, &ev->p);
    if (!ev->p)
        print_message("%s", m);
    assert_non_null(ev->p);
    kpi_free(m);
    Period per;
    assert_true(period_parse(period, strlen(period), (PeriodKind)ev->p->period, &per));
    RunOptions o = {.data_dir = ev->dir, .period = per, .trace_all = trace};
    run_period(ev->p, &o, &ev->r);
    diag_sort(&ev->r.diags);
    Buf b = BUF_INIT;
    diag_render(&ev->r.diags, &ev->p->sources, &b);
    ev->msgs = kpi_strdup(buf_cstr(&b));
    buf_free(&b);
}

/* Compiles `scheme`, writes the files (name, text pairs, NULL-ended) and
 * runs the period; eval_traced records every employee's trace too. */
static inline void eval(Eval *ev, const char *scheme, const char *period, ...)
{
    va_list ap;
    va_start(ap, period);
    eval_v(ev, false, scheme, period, ap);
    va_end(ap);
}

static inline void eval_traced(Eval *ev, const char *scheme, const char *period, ...)
{
    va_list ap;
    va_start(ap, period);
    eval_v(ev, true, scheme, period, ap);
    va_end(ap);
}

static inline void done(Eval *ev)
{
    run_result_free(&ev->r);
    free_program(ev->p);
    kpi_free(ev->msgs);
    remove_dir(ev->dir);
}

/* The value of output `name` of employee number e, as exact text. */
static inline const char *out(Eval *ev, uint32_t e, const char *name)
{
    static char buf[128];
    const Program *p = ev->p;
    for (uint32_t i = 0; i < p->nouts; i++)
        if (strcmp(p->outs[i].name, name) == 0) {
            Value v = run_regs(&ev->r, e)[p->outs[i].reg];
            if (v.kind == V_BLANK)
                return "blank";
            if (v.kind == V_ERROR)
                return "error";
            if (v.kind == V_BOOL)
                return v.aux ? "true" : "false";
            bool exact;
            rat_format(buf, sizeof buf, v.q, 20, &exact);
            return buf;
        }
    fail_msg("no output %s", name);
    return NULL;
}

#endif

#endif
