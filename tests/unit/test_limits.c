/* test_limits.c - the named limits of base/limits.h at the limit (accepted)
 * and one past it (a located error), the memory budget (--max-memory) and
 * the step budget (--max-steps), and total arithmetic in a run: overflow,
 * INT64_MIN / -1, sums of extreme cells, rescaling, rounding out of range,
 * each a located error naming the employee, or the declared default.
 * Inputs of many megabytes are in tests/limits/run.sh instead, so that
 * valgrind runs these quickly. */
#define KPI_TEST_COMPILER
#define KPI_TEST_EVAL
#include "tests/unit/testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/alloc.h"
#include "base/fsio.h"
#include "base/limits.h"
#include "cli/runlimits.h"
#include "grammar/parse.h"
#include "vm/csv.h"

/* ---- text helpers ---- */

/* A growing string for generated schemes. */
typedef struct Text {
    char  *s;
    size_t len, cap;
} Text;

__attribute__((format(printf, 2, 3)))
static void add(Text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (t->len + (size_t)n + 1 > t->cap) {
        t->cap = (t->len + (size_t)n + 1) * 2;
        t->s = kpi_realloc(t->s, t->cap);
    }
    va_start(ap, fmt);
    vsnprintf(t->s + t->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

static void add_repeat(Text *t, const char *piece, int times)
{
    for (int i = 0; i < times; i++)
        add(t, "%s", piece);
}

/* Parses text alone; returns the rendered messages ("" when none). */
static char *parse_msgs(const char *text, size_t len, bool *ok)
{
    Arena arena;
    SourceSet src;
    DiagList diags;
    Ast ast;
    arena_init(&arena);
    sources_init(&src);
    diag_init(&diags);
    char *copy = kpi_malloc(len + 1);
    memcpy(copy, text, len);
    copy[len] = '\0';
    uint16_t f = sources_add(&src, "t.kpi", copy, len);
    *ok = parse_source(&arena, &src, f, &diags, &ast);
    diag_sort(&diags);
    Buf b = BUF_INIT;
    diag_render(&diags, &src, &b);
    char *msgs = kpi_strdup(buf_cstr(&b));
    buf_free(&b);
    diag_free(&diags);
    sources_free(&src);
    arena_free(&arena);
    return msgs;
}

#define assert_parses(text, len)                                             \
    do {                                                                     \
        bool ok_;                                                            \
        char *m_ = parse_msgs((text), (len), &ok_);                          \
        if (!ok_)                                                            \
            print_message("%s", m_);                                         \
        assert_true(ok_);                                                    \
        kpi_free(m_);                                                        \
    } while (0)

/* The messages must be exactly `want`. */
#define assert_parse_error(text, len, want)                                  \
    do {                                                                     \
        bool ok_;                                                            \
        char *m_ = parse_msgs((text), (len), &ok_);                          \
        assert_false(ok_);                                                   \
        assert_string_equal(m_, (want));                                     \
        kpi_free(m_);                                                        \
    } while (0)

/* ---- the memory budget ---- */

static void test_memory_budget(void **state)
{
    (void)state;
    size_t base = kpi_alloc_in_use();
    kpi_alloc_set_limit(base + 1000);
    void *a = kpi_try_malloc(1000); /* exactly the budget */
    assert_non_null(a);
    assert_int_equal(kpi_alloc_in_use(), base + 1000);
    assert_null(kpi_try_malloc(1)); /* one byte past it */
    kpi_free(a);
    assert_int_equal(kpi_alloc_in_use(), base);
    a = kpi_try_malloc(600);
    a = kpi_realloc(a, 1000); /* growing to the budget: the old size is given back first */
    assert_int_equal(kpi_alloc_in_use(), base + 1000);
    a = kpi_realloc(a, 10); /* shrinking is always fine */
    assert_int_equal(kpi_alloc_in_use(), base + 10);
    kpi_free(a);
    assert_true(kpi_alloc_peak() >= base + 1000);
    assert_int_equal(kpi_alloc_in_use(), base);
    kpi_alloc_set_limit(0);
    assert_true(kpi_alloc_default_limit() >= KPI_MIN_DEFAULT_MEMORY);
}

/* Past the budget kpi_malloc exits with 70 and says which limit it was. */
static void test_memory_budget_exit(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], 2);
        static void *held[2]; /* reachable at the exit, for valgrind */
        kpi_alloc_set_limit(kpi_alloc_in_use() + 4096);
        held[0] = kpi_malloc(4096); /* at the limit: fine */
        held[1] = kpi_malloc(1);    /* past it: exits */
        _exit(held[0] != NULL);
    }
    close(fds[1]);
    char msg[256] = {0};
    ssize_t n = read(fds[0], msg, sizeof msg - 1);
    close(fds[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(n > 0);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), KPI_EXIT_OOM);
    assert_non_null(strstr(msg, "error[K0108]: the memory limit of "));
    assert_non_null(strstr(msg, " bytes is exceeded; raise it with --max-memory\n"));
}

static void test_size_arguments(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        bool        ok;
        uint64_t    value;
    } cases[] = {
        {"0", true, 0},
        {"1048576", true, 1048576},
        {"64K", true, 65536},
        {"64k", true, 65536},
        {"512M", true, 512ull << 20},
        {"4G", true, 4ull << 30},
        {"1T", true, 1ull << 40},
        {"18446744073709551615", true, UINT64_MAX},
        {"18446744073709551616", false, 0},
        {"16777216T", false, 0}, /* 2^64 bytes */
        {"", false, 0},
        {"M", false, 0},
        {"12X", false, 0},
        {"1.5G", false, 0},
        {"64MB", false, 0},
        {"-1", false, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        uint64_t v = 12345;
        bool ok = cli_parse_size(cases[i].text, &v);
        if (ok != cases[i].ok)
            print_message("'%s'\n", cases[i].text);
        assert_int_equal(ok, cases[i].ok);
        if (ok)
            assert_true(v == cases[i].value);
    }
    uint64_t steps = 0;
    assert_int_equal(cli_max_steps_arg("t", "0", &steps), 0);
    assert_true(steps == UINT64_MAX); /* 0: no limit */
    assert_int_equal(cli_max_steps_arg("t", "2500", &steps), 0);
    assert_true(steps == 2500);
}

/* ---- files read whole: the size is known before it is allocated ---- */

static void test_read_limit(void **state)
{
    (void)state;
    char *dir = temp_dir();
    write_file(dir, "ten", "0123456789");
    write_file(dir, "eleven", "0123456789A");
    char path[512], err[128];
    size_t len = 0;
    snprintf(path, sizeof path, "%s/ten", dir);
    char *text = fs_read_all(path, &len, 10, err, sizeof err); /* exactly the limit */
    assert_non_null(text);
    assert_int_equal(len, 10);
    kpi_free(text);
    snprintf(path, sizeof path, "%s/eleven", dir);
    errno = 0;
    assert_null(fs_read_all(path, &len, 10, err, sizeof err));
    assert_int_equal(errno, EFBIG);
    assert_string_equal(err, "file is larger than the limit of 10 bytes");
    /* a file whose size stat cannot tell is read up to the limit and one byte */
    errno = 0;
    assert_null(fs_read_all("/proc/self/status", &len, 10, err, sizeof err));
    assert_int_equal(errno, EFBIG);
    remove_dir(dir);
}

/* ---- CSV_MAX_ROWS, at a size a test can reach (csv_set_max_rows) ---- */

static void test_csv_rows_limit(void **state)
{
    (void)state;
    static const char text[] = "a;b\n1;2\n3;4\n5;6\n";
    for (uint64_t max = 3; max >= 2; max--) {
        CsvReader *r = csv_open_mem(text, sizeof text - 1, ';');
        csv_set_max_rows(r, max);
        const CsvField *names;
        uint32_t ncols;
        CsvError err;
        assert_true(csv_header(r, &names, &ncols, &err));
        const uint32_t sel[] = {0};
        csv_select(r, sel, 1);
        CsvBatch b;
        assert_int_equal(csv_next_batch(r, &b, &err), (int)max); /* the rows up to the limit */
        assert_int_equal(b.rowno[max - 1], max + 1);
        if (max == 3) {
            assert_int_equal(csv_next_batch(r, &b, &err), 0);
        } else {
            assert_int_equal(csv_next_batch(r, &b, &err), -1);
            assert_int_equal(err.row, 4); /* the first row too many: the header is record 1 */
            assert_string_equal(err.msg, "the file has more than 2 rows");
        }
        csv_close(r);
    }
}

/* ---- a scheme's text ---- */

static void test_text_literal_limit(void **state)
{
    (void)state;
    Text t = {0};
    add(&t, "let x = \"");
    add_repeat(&t, "я", KPI_MAX_STRING_BYTES / 2); /* 4096 bytes */
    add(&t, "\"\n");
    assert_parses(t.s, t.len);
    t.len = 0;
    add(&t, "let x = \"");
    add_repeat(&t, "\\n", KPI_MAX_STRING_BYTES); /* 8192 bytes written, 4096 read */
    add(&t, "\"\n");
    assert_parses(t.s, t.len);
    t.len = 0;
    add(&t, "let x = \"");
    add_repeat(&t, "x", KPI_MAX_STRING_BYTES + 1);
    add(&t, "\"\n");
    bool ok;
    char *m = parse_msgs(t.s, t.len, &ok);
    assert_false(ok);
    assert_non_null(strstr(m, "t.kpi:1:9: error[K0108]: text is 4097 bytes long; the limit is 4096\n"));
    kpi_free(m);
    kpi_free(t.s);
}

static void test_name_limit_in_cyrillic(void **state)
{
    (void)state;
    Text t = {0};
    add(&t, "let ");
    add_repeat(&t, "ж", KPI_MAX_NAME_BYTES / 2); /* 256 bytes, 128 letters */
    add(&t, " = 1\n");
    assert_parses(t.s, t.len);
    t.len = 0;
    add(&t, "let ");
    add_repeat(&t, "ж", KPI_MAX_NAME_BYTES / 2);
    add(&t, "z = 1\n");
    bool ok;
    char *m = parse_msgs(t.s, t.len, &ok);
    assert_false(ok);
    assert_non_null(strstr(m, "t.kpi:1:5: error[K0108]: name is 257 bytes long; the limit is 256\n"));
    kpi_free(m);
    kpi_free(t.s);
}

/* Parentheses: 256 deep are read; the 257th stops the reading with one error. */
static void test_paren_limit(void **state)
{
    (void)state;
    Text t = {0};
    add(&t, "let x = ");
    add_repeat(&t, "(", KPI_MAX_EXPR_DEPTH);
    add(&t, "1");
    add_repeat(&t, ")", KPI_MAX_EXPR_DEPTH);
    add(&t, "\n");
    assert_parses(t.s, t.len);
    t.len = 0;
    add(&t, "let x = ");
    add_repeat(&t, "(", KPI_MAX_EXPR_DEPTH + 1);
    add(&t, "1");
    add_repeat(&t, ")", KPI_MAX_EXPR_DEPTH + 1);
    add(&t, "\n");
    bool ok;
    char *m = parse_msgs(t.s, t.len, &ok);
    assert_false(ok);
    assert_non_null(strstr(m, "t.kpi:1:265: error[K0108]: parentheses nest more than 256 deep\n"));
    assert_null(strstr(m, "K0101")); /* no syntax errors after it */
    kpi_free(m);
    kpi_free(t.s);
}

/* Braces: the lexer keeps 64 levels; the 65th is an error. */
static void test_brace_limit(void **state)
{
    (void)state;
    for (int depth = KPI_MAX_BRACE_DEPTH; depth <= KPI_MAX_BRACE_DEPTH + 1; depth++) {
        Text t = {0};
        add(&t, "let x = ");
        add_repeat(&t, "bands { true -> ", depth);
        add(&t, "1");
        add_repeat(&t, " }", depth);
        add(&t, "\n");
        bool ok;
        char *m = parse_msgs(t.s, t.len, &ok);
        if (depth == KPI_MAX_BRACE_DEPTH)
            assert_null(strstr(m, "braces nest"));
        else
            assert_non_null(strstr(m, "error[K0108]: braces nest more than 64 deep"));
        kpi_free(m);
        kpi_free(t.s);
    }
}

/* A BOM at the start is skipped; elsewhere, a NUL byte or UTF-16 is one error. */
static void test_encodings(void **state)
{
    (void)state;
    assert_parses("\xEF\xBB\xBFlet x = 1\n", 13);
    assert_parse_error("let x = 1\n\xEF\xBB\xBFlet y = 2\n", 23,
                       "t.kpi:2:1: error[K0102]: byte-order mark (U+FEFF) in the middle of the file\n"
                       " 2 | \xEF\xBB\xBFlet y = 2\n"
                       "   | ^\n");
    assert_parse_error("let x = 1\nlet y\0 = 2\n", 22,
                       "t.kpi:2:6: error[K0102]: NUL byte: this is not a text file (a binary, or UTF-16?)\n"
                       " 2 | let y? = 2\n"
                       "   |      ^\n");
    assert_parse_error("\xFF\xFEl\0e\0t\0", 8,
                       "t.kpi:1:1: error[K0103]: the scheme is in UTF-16; save it as UTF-8\n"
                       " 1 | ??l?e?t?\n"
                       "   | ^~\n");
    assert_parse_error("let x = 1 # \xcf\xf0\xe5\xec\xe8\xff\n", 19,
                       "t.kpi:1:13: error[K0103]: invalid UTF-8 byte 0xCF in a comment\n"
                       " 1 | let x = 1 # ??????\n"
                       "   |             ^\n"
                       "  help: save the scheme as UTF-8 (it may be in cp1251)\n");
}

/* A line longer than an excerpt shows a window around the caret. */
static void test_long_line_excerpt(void **state)
{
    (void)state;
    Text t = {0};
    add(&t, "let x = 1");
    add_repeat(&t, " + 1", 500);
    add(&t, " +* 2\n");
    bool ok;
    char *m = parse_msgs(t.s, t.len, &ok);
    assert_false(ok);
    assert_string_equal(m, "t.kpi:1:2012: error[K0101]: unexpected '*'\n"
                           " 1 | ...+ 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 + 1 +* 2\n"
                           "   |                                                         ^\n");
    kpi_free(m);
    kpi_free(t.s);
}

/* ---- the compiler ---- */

#define SCHEME_HEAD "roster s from \"r.csv\" {\n    employee id: text\n    name fio: text\n    salary: money\n}\n"

static void test_bands_limit(void **state)
{
    (void)state;
    for (unsigned rows = KPI_MAX_BANDS; rows <= KPI_MAX_BANDS + 1; rows++) {
        Text t = {0};
        add(&t, SCHEME_HEAD "let level = bands {\n");
        for (unsigned i = 0; i + 1 < rows; i++)
            add(&t, "    %u <= s.salary < %u -> %u\n", i * 10, i * 10 + 10, i);
        add(&t, "    else -> 0\n}\npayout = s.salary * level\n");
        Program *p;
        char *m = compile_msgs(t.s, &p);
        if (rows == KPI_MAX_BANDS) {
            if (!p)
                print_message("%s", m);
            assert_non_null(p);
        } else {
            assert_null(p);
            assert_non_null(strstr(m, "t.kpi:6:13: error[K0108]: more than 1000 bands\n"));
        }
        free_program(p);
        kpi_free(m);
        kpi_free(t.s);
    }
}

/* 5000 indicators compile; the 5001st is an error, not a crash. */
static void test_indicator_limit(void **state)
{
    (void)state;
    for (unsigned n = KPI_MAX_INDICATORS; n <= KPI_MAX_INDICATORS + 1; n++) {
        Text t = {0};
        add(&t, SCHEME_HEAD "allow K0801\nallow K0805\n");
        for (unsigned i = 0; i < n; i++)
            add(&t, "indicator i%u {\n    fact = s.salary\n    plan = 1\n    weight = %s\n}\n", i,
                i == 0 ? "100%" : "0%");
        add(&t, "payout = s.salary * kpi\n");
        Program *p;
        char *m = compile_msgs(t.s, &p);
        if (n == KPI_MAX_INDICATORS) {
            if (!p)
                print_message("%.2000s", m);
            assert_non_null(p);
            assert_int_equal(p->nind, KPI_MAX_INDICATORS);
        } else {
            assert_null(p);
            assert_non_null(strstr(m, "error[K0108]: more than 5000 indicators\n"));
        }
        free_program(p);
        kpi_free(m);
        kpi_free(t.s);
    }
}

/* Values resolved inside one another: 500 levels, then an error. */
static void test_def_chain_limit(void **state)
{
    (void)state;
    for (unsigned n = KPI_MAX_DEF_CHAIN - 1; n <= KPI_MAX_DEF_CHAIN; n++) {
        Text t = {0};
        add(&t, SCHEME_HEAD "payout = d0\n");
        for (unsigned i = 0; i < n; i++)
            add(&t, "let d%u = d%u + 1\n", i, i + 1);
        add(&t, "let d%u = s.salary\n", n);
        Program *p;
        char *m = compile_msgs(t.s, &p);
        if (n < KPI_MAX_DEF_CHAIN) {
            if (!p)
                print_message("%.2000s", m);
            assert_non_null(p);
        } else {
            assert_null(p);
            assert_non_null(strstr(m, "error[K0108]: values depend on each other more than 500 levels deep"));
        }
        free_program(p);
        kpi_free(m);
        kpi_free(t.s);
    }
}

/* All the recursion of the resolver together: 2000 levels, then one
 * error, never a stack overflow (the ASan build runs this too). */
static void test_nesting_limit(void **state)
{
    (void)state;
    for (unsigned defs = 7; defs <= 8; defs++) { /* 8 x 256 levels: past 2000 */
        Text t = {0};
        add(&t, SCHEME_HEAD "payout = d0\n");
        for (unsigned i = 0; i < defs; i++) {
            add(&t, "let d%u = ", i);
            add_repeat(&t, "-", KPI_MAX_EXPR_DEPTH - 1);
            add(&t, "d%u\n", i + 1);
        }
        add(&t, "let d%u = s.salary\n", defs);
        Program *p;
        char *m = compile_msgs(t.s, &p);
        if (defs == 7) {
            if (!p)
                print_message("%.2000s", m);
            assert_non_null(p);
        } else {
            assert_null(p);
            assert_non_null(strstr(m, "error[K0108]: expressions, the values they use and the scales they call "
                                      "nest more than 2000 levels deep\n"));
        }
        free_program(p);
        kpi_free(m);
        kpi_free(t.s);
    }
}

/* Scales calling scales: 32 deep are inlined, 33 are an error. */
static void test_inline_depth_limit(void **state)
{
    (void)state;
    for (unsigned n = KPI_MAX_INLINE_DEPTH; n <= KPI_MAX_INLINE_DEPTH + 1; n++) {
        Text t = {0};
        add(&t, SCHEME_HEAD);
        for (unsigned i = 1; i < n; i++)
            add(&t, "scale f%u(x) = f%u(x) + 1\n", i, i + 1);
        add(&t, "scale f%u(x) = x\npayout = f1(s.salary)\n", n);
        Program *p;
        char *m = compile_msgs(t.s, &p);
        if (n == KPI_MAX_INLINE_DEPTH) {
            if (!p)
                print_message("%.2000s", m);
            assert_non_null(p);
        } else {
            assert_null(p);
            assert_non_null(strstr(m, "error[K0108]: scales call one another more than 32 levels deep\n"));
        }
        free_program(p);
        kpi_free(m);
        kpi_free(t.s);
    }
}

static void assert_compiles(const char *text)
{
    Program *p;
    char *m = compile_msgs(text, &p);
    if (!p)
        print_message("%s", m);
    assert_non_null(p);
    free_program(p);
    kpi_free(m);
}

static void test_literal_and_range_limits(void **state)
{
    (void)state;
    assert_compiles(SCHEME_HEAD "payout = s.salary + 123456789012345678901234567890123456\n");
    assert_compile_error(SCHEME_HEAD "payout = s.salary + 1234567890123456789012345678901234567\n",
                         "t.kpi:6:21: error[K0108]: number has more than 36 digits\n");
    assert_compiles(SCHEME_HEAD "facts f from \"f.csv\" {\n    employee e: text\n    date d: date\n"
                                "    q1..q1000: score\n}\npayout = s.salary\n");
    assert_compile_error(SCHEME_HEAD "facts f from \"f.csv\" {\n    employee e: text\n    date d: date\n"
                                     "    q1..q1001: score\n}\npayout = s.salary\n",
                         "error[K0106]: range q1..q1001 must count up, by at most 1000 names");
}

/* 64 modules may be imported; the 65th is an error at its name. */
static void test_import_limit(void **state)
{
    (void)state;
    char *dir = temp_dir();
    for (unsigned i = 0; i <= KPI_MAX_IMPORTS; i++) {
        char name[32], text[64];
        snprintf(name, sizeof name, "m%u.kpi", i);
        snprintf(text, sizeof text, "scale s%u(x) = x\n", i);
        write_file(dir, name, text);
    }
    const char *paths[] = {dir};
    CompileOptions o = {.paths = paths, .npaths = 1};
    for (unsigned n = KPI_MAX_IMPORTS; n <= KPI_MAX_IMPORTS + 1; n++) {
        Text t = {0};
        for (unsigned i = 0; i < n; i++)
            add(&t, "import m%u\n", i);
        add(&t, SCHEME_HEAD "payout = s.salary\n");
        Compilation c;
        compilation_init(&c);
        bool ok = compile_text(&c, "t.kpi", t.s, t.len, &o);
        Buf b = BUF_INIT;
        diag_sort(&c.diags);
        diag_render(&c.diags, &c.sources, &b);
        if (n == KPI_MAX_IMPORTS) {
            if (!ok)
                print_message("%s", buf_cstr(&b));
            assert_true(ok);
        } else {
            assert_false(ok);
            assert_non_null(strstr(buf_cstr(&b), "t.kpi:65:8: error[K0108]: more than 64 imports\n"));
        }
        buf_free(&b);
        compilation_free(&c);
        kpi_free(t.s);
    }
    remove_dir(dir);
}

/* A row program has at most 250 vectors: past them, one located error. */
static void test_row_vector_limit(void **state)
{
    (void)state;
    /* the amount column, then per count a constant, a comparison and its result: 1 + 3 * 83 = 250 */
    for (unsigned n = 83; n <= 84; n++) {
        Text t = {0};
        add(&t, SCHEME_HEAD "facts f from \"f.csv\" {\n    employee e: text\n    date d: date\n    amount: money\n}\n");
        for (unsigned i = 0; i < n; i++)
            add(&t, "let c%u \"C%u\" = count(f where amount > %u)\n", i, i, i);
        add(&t, "payout = s.salary\n");
        Program *p;
        char *m = compile_msgs(t.s, &p);
        if (n == 83) {
            if (!p)
                print_message("%.2000s", m);
            assert_non_null(p);
        } else {
            assert_null(p);
            assert_non_null(strstr(m, "t.kpi:94:40: error[K0108]: the row expressions of this table are too complex\n"));
        }
        free_program(p);
        kpi_free(m);
        kpi_free(t.s);
    }
}

/* What is reported is capped: 100 diagnostics of a scheme, then a count. */
static void test_diagnostics_cap(void **state)
{
    (void)state;
    Text t = {0};
    for (unsigned i = 0; i < DIAG_MAX_ERRORS + 5; i++)
        add(&t, "let a%u = )\n", i);
    bool ok;
    char *m = parse_msgs(t.s, t.len, &ok);
    assert_false(ok);
    assert_non_null(strstr(m, "t.kpi:100:11: error[K0101]: unexpected ')'\n"));
    assert_null(strstr(m, "t.kpi:101:"));
    assert_non_null(strstr(m, "\n... and 5 more diagnostics not shown\n"));
    kpi_free(m);
    kpi_free(t.s);
}

/* ---- a run: --max-steps and total arithmetic ---- */

#define ROSTER_CSV "id,fio,salary\nE1,Иванов,1000\nE2,Петров,2000\nE3,Сидоров,3000\n"

/* Runs an already compiled scheme over the files in dir with a step budget. */
static RunStatus run_steps(const Program *p, const char *dir, uint64_t max_steps, char **msgs)
{
    Period per;
    assert_true(period_parse("2026-10", 7, (PeriodKind)p->period, &per));
    RunOptions o = {.data_dir = dir, .period = per, .max_steps = max_steps};
    RunResult r;
    run_period(p, &o, &r);
    Buf b = BUF_INIT;
    diag_render(&r.diags, &p->sources, &b);
    *msgs = kpi_strdup(buf_cstr(&b));
    buf_free(&b);
    RunStatus st = r.status;
    run_result_free(&r);
    return st;
}

/* A run counts the program's instructions once per employee: exactly that
 * many steps are enough, one fewer stops at the last employee. */
static void test_max_steps(void **state)
{
    (void)state;
    char *dir = temp_dir();
    write_file(dir, "r.csv", ROSTER_CSV);
    Program *p;
    char *m = compile_msgs(SCHEME_HEAD "let extra \"Премия\" = s.salary * 10%\npayout = s.salary + extra\n", &p);
    assert_non_null(p);
    kpi_free(m);
    uint64_t need = (uint64_t)p->ncode * 3;
    assert_int_equal(run_steps(p, dir, need, &m), RUN_OK);
    kpi_free(m);
    assert_int_equal(run_steps(p, dir, 0, &m), RUN_OK); /* 0: the default */
    kpi_free(m);
    assert_int_equal(run_steps(p, dir, need - 1, &m), RUN_EVAL_ERROR);
    char want[200];
    snprintf(want, sizeof want,
             "t.kpi: error[K0108]: the run would take more than %llu steps (--max-steps) at employee E3 (Сидоров)\n",
             (unsigned long long)(need - 1));
    assert_non_null(strstr(m, want));
    kpi_free(m);
    free_program(p);
    remove_dir(dir);
}

#define FACTS "facts f from \"f.csv\" {\n    employee e: text\n    date d: date\n    n: integer\n    amount: money\n}\n"
#define EXTREMES "e,d,n,amount\nE1,2026-10-01,-9223372036854775808,1\nE2,2026-10-01,9223372036854775807,1\n" \
                 "E2,2026-10-02,9223372036854775807,1\nE2,2026-10-03,9223372036854775807,1\n"             \
                 "E3,2026-10-01,-9223372036854775808,1\nE3,2026-10-02,9223372036854775807,1\n"

/* Sums of int64 extremes are exact (i128 accumulators); INT64_MIN / -1 is
 * exact as a fraction; an average of the two extremes is -1/2. */
static void test_int64_extremes_in_a_run(void **state)
{
    (void)state;
    Eval ev;
    eval(&ev, SCHEME_HEAD FACTS
         "let total \"T\" = sum(n from f)\n"
         "let negated \"N\" = sum(n from f) / -1\n"
         "let mean \"M\" = avg(n from f)\n"
         "let low \"L\" = min(n from f)\n"
         "payout = s.salary\n",
         "2026-10", "r.csv", ROSTER_CSV, "f.csv", EXTREMES, NULL);
    assert_int_equal(ev.r.status, RUN_OK);
    assert_string_equal(out(&ev, 0, "total"), "-9223372036854775808");
    assert_string_equal(out(&ev, 0, "negated"), "9223372036854775808");
    assert_string_equal(out(&ev, 1, "total"), "27670116110564327421");
    assert_string_equal(out(&ev, 1, "negated"), "-27670116110564327421");
    assert_string_equal(out(&ev, 2, "mean"), "-0.5");
    assert_string_equal(out(&ev, 2, "low"), "-9223372036854775808");
    done(&ev);
}

/* A sum of several columns past int64 either way, and its count, exact:
 * what outgrows a part's 64-bit accumulator moves to its carry. */
static void test_int64_extremes_in_several_columns(void **state)
{
    (void)state;
    Eval ev;
    eval(&ev, SCHEME_HEAD "facts g from \"g.csv\" {\n    employee e: text\n    date d: date\n    k1..k3: integer\n}\n"
                          "let total \"T\" = sum(k1..k3 from g)\nlet n \"N\" = count(k1..k3 from g)\n"
                          "let mean \"M\" = avg(k1..k3 from g)\npayout = s.salary\n",
         "2026-10", "r.csv", ROSTER_CSV, "g.csv",
         "e,d,k1,k2,k3\n"
         "E1,2026-10-01,9223372036854775807,9223372036854775807,9223372036854775807\n"
         "E1,2026-10-02,-9223372036854775808,-9223372036854775808,5\n"
         "E2,2026-10-01,-9223372036854775808,-9223372036854775808,\n"
         "E2,2026-10-02,-9223372036854775808,,1\n",
         NULL);
    assert_int_equal(ev.r.status, RUN_OK);
    assert_string_equal(out(&ev, 0, "total"), "9223372036854775810"); /* 3 max + 2 min + 5 */
    assert_string_equal(out(&ev, 0, "n"), "6");
    assert_string_equal(out(&ev, 1, "total"), "-27670116110564327423");
    assert_string_equal(out(&ev, 1, "n"), "4");
    assert_string_equal(out(&ev, 1, "mean"), "-6917529027641081855.75");
    done(&ev);
}

/* A row expression that leaves int64, by rescaling or negating, is an
 * error at the row and the scheme's place, never a wrapped number. */
static void test_row_rescale_overflow(void **state)
{
    (void)state;
    Eval ev;
    /* n (0 places) is rescaled to amount's 2: 92233720368547758.07 is the largest that fits */
    eval(&ev, SCHEME_HEAD "facts f from \"f.csv\" {\n    employee e: text\n    date d: date\n    n: integer\n"
                          "    amount: decimal(2)\n}\nlet x \"X\" = sum(n + amount from f)\npayout = s.salary\n",
         "2026-10", "r.csv", ROSTER_CSV, "f.csv",
         "e,d,n,amount\nE1,2026-10-01,92233720368547758,0.07\nE2,2026-10-01,92233720368547759,0\n", NULL);
    assert_int_equal(ev.r.status, RUN_DATA_ERROR);
    assert_null(strstr(ev.msgs, "/f.csv:2:"));
    assert_non_null(strstr(ev.msgs, "/f.csv:3: error[K1002]: a number is out of range in the row expression at t.kpi:12:17"));
    done(&ev);
}

#define HUGE "160000000000000000000000000000000000" /* 1.6e35: times 1000 roubles, 1.6e38 */
#define STEP "100000000000000000000 * 1000000000000000000"

/* Out of range is a located error naming the employee, unless the scheme
 * gives a default; the same for rounding to a step too coarse to fit. */
static void test_overflow_and_default(void **state)
{
    (void)state;
    Eval ev;
    eval(&ev, SCHEME_HEAD "param big = 100000000000000000000\n"
                          "let safe \"S\" = s.salary * big * big default -1\n"
                          "let rounded \"R\" = round(s.salary * " HUGE ", " STEP ") default -2\n"
                          "payout = s.salary + safe + rounded\n",
         "2026-10", "r.csv", ROSTER_CSV, NULL);
    assert_int_equal(ev.r.status, RUN_OK);
    assert_string_equal(out(&ev, 0, "safe"), "-1");
    assert_string_equal(out(&ev, 0, "rounded"), "-2");
    done(&ev);
    eval(&ev, SCHEME_HEAD "param big = 100000000000000000000\n"
                          "payout = s.salary * big * big\n",
         "2026-10", "r.csv", ROSTER_CSV, NULL);
    assert_int_equal(ev.r.status, RUN_EVAL_ERROR);
    assert_non_null(strstr(ev.msgs, "t.kpi:7:10: error[K1002]: number out of range for employee E1 (Иванов)\n"));
    done(&ev);
    /* E1: 1.6e38 to a step of 1e38 is 2e38, past 1.7e38 */
    eval(&ev, SCHEME_HEAD "payout = round(s.salary * " HUGE ", " STEP ")\n", "2026-10", "r.csv", ROSTER_CSV, NULL);
    assert_int_equal(ev.r.status, RUN_EVAL_ERROR);
    assert_non_null(strstr(ev.msgs, "t.kpi:6:10: error[K1002]: number out of range for employee E1 (Иванов)\n"));
    done(&ev);
}

/* Runtime errors are reported for 20 employees; the run stays an error. */
static void test_run_errors_cap(void **state)
{
    (void)state;
    Text roster = {0};
    add(&roster, "id,fio,salary\n");
    for (unsigned i = 0; i < KPI_MAX_RUN_ERRORS + 5; i++)
        add(&roster, "E%02u,Сотрудник %u,0\n", i, i);
    Eval ev;
    eval(&ev, SCHEME_HEAD "payout = 1000 / s.salary\n", "2026-10", "r.csv", roster.s, NULL);
    assert_int_equal(ev.r.status, RUN_EVAL_ERROR);
    assert_non_null(strstr(ev.msgs, "division by zero for employee E19 ("));
    assert_null(strstr(ev.msgs, "division by zero for employee E20 ("));
    done(&ev);
    kpi_free(roster.s);
}

/* Division by zero and a step that is not positive: located, or the default. */
static void test_division_and_step(void **state)
{
    (void)state;
    Eval ev;
    eval(&ev, SCHEME_HEAD "let share \"D\" = s.salary / (s.salary - 2000) default 0\n"
                          "let step \"P\" = round(s.salary, s.salary - 2000) default 5\n"
                          "payout = s.salary + step\n",
         "2026-10", "r.csv", ROSTER_CSV, NULL);
    assert_int_equal(ev.r.status, RUN_OK);
    assert_string_equal(out(&ev, 1, "share"), "0");
    assert_string_equal(out(&ev, 0, "step"), "5"); /* a negative step: invalid, so the default */
    assert_string_equal(out(&ev, 1, "step"), "5");
    assert_string_equal(out(&ev, 2, "step"), "3000");
    done(&ev);
    eval(&ev, SCHEME_HEAD "payout = round(s.salary, s.salary - 2000)\n", "2026-10", "r.csv", ROSTER_CSV, NULL);
    assert_int_equal(ev.r.status, RUN_EVAL_ERROR);
    assert_non_null(strstr(ev.msgs, "t.kpi:6:10: error[K1007]: invalid argument for employee E1 (Иванов)\n"));
    assert_non_null(strstr(ev.msgs, "t.kpi:6:10: error[K1007]: invalid argument for employee E2 (Петров)\n"));
    assert_null(strstr(ev.msgs, "E3"));
    done(&ev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memory_budget),
        cmocka_unit_test(test_memory_budget_exit),
        cmocka_unit_test(test_size_arguments),
        cmocka_unit_test(test_read_limit),
        cmocka_unit_test(test_csv_rows_limit),
        cmocka_unit_test(test_text_literal_limit),
        cmocka_unit_test(test_name_limit_in_cyrillic),
        cmocka_unit_test(test_paren_limit),
        cmocka_unit_test(test_brace_limit),
        cmocka_unit_test(test_encodings),
        cmocka_unit_test(test_long_line_excerpt),
        cmocka_unit_test(test_bands_limit),
        cmocka_unit_test(test_indicator_limit),
        cmocka_unit_test(test_def_chain_limit),
        cmocka_unit_test(test_nesting_limit),
        cmocka_unit_test(test_inline_depth_limit),
        cmocka_unit_test(test_literal_and_range_limits),
        cmocka_unit_test(test_import_limit),
        cmocka_unit_test(test_row_vector_limit),
        cmocka_unit_test(test_diagnostics_cap),
        cmocka_unit_test(test_run_errors_cap),
        cmocka_unit_test(test_max_steps),
        cmocka_unit_test(test_int64_extremes_in_a_run),
        cmocka_unit_test(test_int64_extremes_in_several_columns),
        cmocka_unit_test(test_row_rescale_overflow),
        cmocka_unit_test(test_overflow_and_default),
        cmocka_unit_test(test_division_and_step),
    };
    return cmocka_run_group_tests_name("limits", tests, NULL, NULL);
}
