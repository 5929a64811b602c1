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

#endif
