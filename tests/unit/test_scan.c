/* test_scan.c - a fact file read in parts by several threads gives the
 * same accumulators, counts, warnings and errors (with the same row and
 * line numbers) as one reader, including when a quoted line break lies
 * across a split and the file must be read again in one part. */
#define KPI_TEST_COMPILER
#include "tests/unit/testutil.h"

#include "base/buf.h"
#include "report/results.h"
#include "vm/run.h"
#include "vm/distinct.h"
#include "vm/run_int.h"
#include "vm/hoist.h"
#include "vm/slice.h"

#define SCHEME                                                                                        \
    "roster s from \"r.csv\" {\n employee id: text\n salary: money\n}\n"                               \
    "facts deals from \"d.csv\" {\n employee m: text\n date on: date\n amount: money\n note: text\n"   \
    " client: text\n}\n"                                                                              \
    "let total = sum(amount from deals where note != \"x\")\n"                                         \
    "let most = max(amount from deals)\nlet least = min(amount from deals)\n"                          \
    "let mean = avg(amount from deals) default 0\n"                                                   \
    "let clients = count(distinct client from deals)\nlet n = count(deals)\n"                          \
    "let filled = count(amount from deals where note != \"x\")\n"                                       \
    "payout = s.salary + total + most + least + mean + (clients + n + filled) * 1\n"

/* Rows of many employees; every 37th has a note with a line break inside
 * quotes, some are outside the period or of unknown employees, and the
 * rows listed in bad hold a cell that does not parse. */
static char *deals_csv(uint32_t rows, const uint32_t *bad, uint32_t nbad)
{
    Buf b = BUF_INIT;
    buf_adds(&b, "m,on,amount,note,client\n");
    for (uint32_t i = 0; i < rows; i++) {
        bool broken = false;
        for (uint32_t k = 0; k < nbad; k++)
            broken |= bad[k] == i;
        buf_printf(&b, "E%u,2026-%02u-%02u,%s%u.%02u,%s,C%u%s%s\n", i % 13 == 12 ? 99 : i % 50,
                   i % 20 == 0 ? 11 : 10, 1 + i % 28, broken ? "x" : "", (i * 7919u) % 100000u, i % 100,
                   i % 37 == 0 ? "\"two\nlines\"" : i % 5 ? "ok" : "x", (i * 31u) % 997u,
                   i % 3 ? "" : " of a name longer than sixteen bytes", broken && i == 17001 ? ",extra" : "");
    }
    char *s = kpi_strdup(buf_cstr(&b));
    buf_free(&b);
    return s;
}

static char *roster_csv(void)
{
    Buf b = BUF_INIT;
    buf_adds(&b, "id,salary\n");
    for (uint32_t e = 0; e < 50; e++)
        buf_printf(&b, "E%u,%u\n", e, 1000 + e);
    char *s = kpi_strdup(buf_cstr(&b));
    buf_free(&b);
    return s;
}

/* Everything a run gives that could differ: every register of every
 * employee, the messages, and the table counts. */
static char *run_text(const Program *p, const char *dir, uint32_t threads, uint64_t split)
{
    Period per;
    assert_true(period_parse("2026-10", 7, PERIOD_MONTH, &per));
    RunOptions o = {.data_dir = dir, .period = per, .threads = threads, .split_bytes = split};
    RunResult r;
    run_period(p, &o, &r);
    Buf b = BUF_INIT;
    diag_sort(&r.diags);
    diag_render(&r.diags, &p->sources, &b);
    for (uint32_t i = 0; i < p->ntables; i++)
        buf_printf(&b, "table %u: %llu rows, %llu in period, %llu unknown\n", i, (unsigned long long)r.stats[i].rows,
                   (unsigned long long)r.stats[i].in_period, (unsigned long long)r.stats[i].unknown_employee);
    for (uint32_t e = 0; r.regs && e < r.nemp; e++)
        for (uint32_t k = 0; k < p->npersist; k++) {
            Value v = run_regs(&r, e)[k];
            char num[96];
            bool exact;
            rat_format(num, sizeof num, v.q, 20, &exact);
            buf_printf(&b, "%u.%u:%u:%s ", e, k, v.kind, v.kind == V_NUM ? num : "");
        }
    char *s = kpi_strdup(buf_cstr(&b));
    buf_free(&b);
    run_result_free(&r);
    return s;
}

static void check_same(const char *deals, const char *must_say)
{
    char *dir = temp_dir(), *roster = roster_csv();
    write_file(dir, "r.csv", roster);
    write_file(dir, "d.csv", deals);
    Program *p;
    kpi_free(compile_msgs(SCHEME, &p));
    assert_non_null(p);
    char *one = run_text(p, dir, 1, 0);
    if (must_say)
        assert_non_null(strstr(one, must_say));
    static const uint32_t threads[] = {2, 3, 8};
    static const uint64_t splits[] = {4096, 10007, 65536};
    for (size_t t = 0; t < 3; t++)
        for (size_t s = 0; s < 3; s++) {
            char *many = run_text(p, dir, threads[t], splits[s]);
            assert_string_equal(one, many);
            kpi_free(many);
        }
    kpi_free(one);
    free_program(p);
    kpi_free(roster);
    remove_dir(dir);
}

/* The set behind count(distinct): values of every length around the 8 and
 * 16 bytes a slot holds, told apart by their bytes, their aggregate and
 * their employee, through growth and read back. */
static void test_distinct_set(void **state)
{
    (void)state;
    DistinctSet s;
    memset(&s, 0, sizeof s);
    char v[64 + 8];
    for (uint32_t round = 0; round < 2; round++)
        for (uint32_t n = 0; n <= 40; n++)
            for (uint32_t e = 0; e < 50; e++) {
                memset(v, 0, sizeof v);
                for (uint32_t k = 0; k < n; k++)
                    v[k] = (char)('a' + (k + e) % 26);
                assert_int_equal(distinct_insert(&s, n % 3, e, v, n), round == 0);
            }
    assert_int_equal(s.n, 41 * 50);
    /* a value that differs only in its last byte, or only past byte 16 */
    memset(v, 'a', 40);
    assert_true(distinct_insert(&s, 7, 0, v, 40));
    v[39] = 'b';
    assert_true(distinct_insert(&s, 7, 0, v, 40));
    assert_false(distinct_insert(&s, 7, 0, v, 40));
    assert_true(distinct_insert(&s, 8, 0, v, 40)); /* another aggregate */
    assert_true(distinct_insert(&s, 7, 1, v, 40)); /* another employee */
    size_t found = 0;
    for (size_t i = 0; i < s.cap; i++) {
        const DistinctKey *k = &s.slots[i];
        if (k->emp1 == 2 && k->agg == 7) {
            assert_int_equal(k->len, 40);
            assert_memory_equal(distinct_value(&s, k), v, 40);
            found++;
        }
    }
    assert_int_equal(found, 1);
    distinct_free(&s);
}

/* The pool that runs every part of every table: each item exactly once,
 * for any number of items and threads. */
static void *count_item(void *arg)
{
    (*(uint32_t *)arg)++;
    return NULL;
}

static void test_pool(void **state)
{
    (void)state;
    uint32_t hits[40];
    void *items[40];
    for (uint32_t n = 0; n <= 40; n += 7)
        for (uint32_t threads = 1; threads <= 8; threads++) {
            memset(hits, 0, sizeof hits);
            for (uint32_t i = 0; i < n; i++)
                items[i] = &hits[i];
            run_pool(count_item, items, n, threads);
            for (uint32_t i = 0; i < 40; i++)
                assert_int_equal(hits[i], i < n ? 1 : 0);
        }
}

static void test_parts_give_the_same_result(void **state)
{
    (void)state;
    char *deals = deals_csv(20000, NULL, 0);
    check_same(deals, "unknown");
    kpi_free(deals);
}

static void test_parts_give_the_same_errors(void **state)
{
    (void)state;
    static const uint32_t bad[] = {3, 4001, 9999, 15001, 17001, 19998};
    char *deals = deals_csv(20000, bad, 6);
    /* a ragged row late in the file stops the reading there, and its line
     * differs from its record number (the quoted breaks before it) */
    check_same(deals, "d.csv:17003:6: error[K0902]: row has 6 fields, the header has 5 (line 17463)");
    kpi_free(deals);
}

static void test_a_quoted_break_across_a_split(void **state)
{
    (void)state;
    /* one long quoted note with many breaks: some split falls inside it */
    Buf b = BUF_INIT;
    buf_adds(&b, "m,on,amount,note,client\n");
    for (uint32_t i = 0; i < 3000; i++) {
        buf_printf(&b, "E%u,2026-10-05,%u,", i % 50, i);
        if (i == 1500) {
            buf_addc(&b, '"');
            for (int k = 0; k < 2000; k++)
                buf_adds(&b, "line\n");
            buf_addc(&b, '"');
        } else {
            buf_adds(&b, "ok");
        }
        buf_printf(&b, ",C%u\n", i % 7);
    }
    check_same(buf_cstr(&b), NULL);
    buf_free(&b);
}

/* The fast path for plain digits (at most 18 characters) scales them to
 * the column: 18 digits in a money column are past int64 once scaled, and
 * once read as -61010651724749838.16 (the bits wrapped). */
static void test_fast_cells_past_the_range(void **state)
{
    (void)state;
    char *dir = temp_dir(), *roster = roster_csv();
    write_file(dir, "r.csv", roster);
    Program *p;
    kpi_free(compile_msgs(SCHEME, &p));
    assert_non_null(p);
    write_file(dir, "d.csv", "m,on,amount,note,client\nE1,2026-10-05,92233720368547758,ok,C1\n"
                             "E2,2026-10-28,9223372036854775.8,ok,C1\n");
    char *at = run_text(p, dir, 1, 0);
    assert_non_null(strstr(at, ":92233720368547758 ")); /* the largest whole amount */
    assert_non_null(strstr(at, ":9223372036854775.8 "));
    assert_null(strstr(at, "error[K09")); /* no data error */
    kpi_free(at);
    write_file(dir, "d.csv", "m,on,amount,note,client\nE1,2026-10-05,123456789012345678,ok,C1\n");
    char *past = run_text(p, dir, 1, 0);
    assert_non_null(strstr(past, "d.csv:2:3: error[K0905]: '123456789012345678' in column amount: the number is "
                                 "too large"));
    kpi_free(past);
    free_program(p);
    kpi_free(roster);
    remove_dir(dir);
}

/* ---- evaluation by several threads ---- */
#define TEAMS                                                                                          \
    "roster s from \"r.csv\" {\n employee id: text\n department dept: text\n salary: money\n"           \
    " plan: money\n}\n"                                                                                  \
    "facts deals from \"d.csv\" {\n employee m: text\n date on: date\n amount: money\n note: text\n"     \
    " client: text\n}\n"                                                                                \
    "let sales \"Sales\" = sum(amount from deals)\n"                                                     \
    "let index \"Index\" = sales / s.plan\n" /* a zero plan: a runtime error */                          \
    "team d \"Dept\" {\n total = sum(sales)\n best = max(index)\n}\n"                                   \
    "let share \"Share\" = sales / d.total default 0\n"                                                  \
    "let extra \"Extra\" = if index >= d.best then 100 else share * 1000\n"                              \
    "payout = round(s.salary + extra, 0.01)\n"

static char *teams_roster(uint32_t n)
{
    Buf b = BUF_INIT;
    buf_adds(&b, "id,dept,salary,plan\n");
    for (uint32_t e = 0; e < n; e++)
        buf_printf(&b, "E%u,D%u,%u,%u\n", e, e % 7, 1000 + e, e % 97 == 5 ? 0 : 500 + e % 300);
    char *s = kpi_strdup(buf_cstr(&b));
    buf_free(&b);
    return s;
}

typedef struct Sunk {
    Buf         out;
    const Program *p;
    uint32_t    made;   /* rows that came made by the evaluating threads */
} Sunk;

/* What the sink writes of an employee; the evaluating threads may make it. */
static void render(void *ctx, const RunResult *r, uint32_t emp, const Value *regs, Buf *out)
{
    const Sunk *k = ctx;
    char num[96];
    bool exact;
    buf_printf(out, "%u:", emp);
    for (uint32_t i = 0; i < k->p->nouts; i++) {
        Value v = regs[k->p->outs[i].reg];
        rat_format(num, sizeof num, v.q, 20, &exact);
        buf_printf(out, " %u/%s", v.kind, v.kind == V_NUM ? num : "");
    }
    buf_printf(out, " %u\n", r->emp_inexact[emp]);
}

static void sink(void *ctx, const RunResult *r, uint32_t emp, const Value *regs, const char *text, size_t len)
{
    Sunk *k = ctx;
    if (text) {
        buf_add(&k->out, text, len);
        k->made++;
    } else {
        render(k, r, emp, regs, &k->out);
    }
}

/* The results handed to a sink (registers dropped), the messages and the
 * status, for a step budget (0: the default). */
static char *sunk_text_v(const Program *p, const char *dir, uint32_t threads, uint64_t max_steps, bool drop)
{
    Period per;
    assert_true(period_parse("2026-10", 7, PERIOD_MONTH, &per));
    Sunk k = {BUF_INIT, p, 0};
    RunOptions o = {.data_dir = dir, .period = per, .threads = threads, .max_steps = max_steps,
                    .sink = sink, .sink_ctx = &k, .drop_regs = drop, .render = render};
    RunResult r;
    run_period(p, &o, &r);
    /* rows come made by the threads when there are several and the
     * registers are dropped (and the budget lets the stratum run whole) */
    if (threads > 1 && drop && r.nemp >= 256 && !max_steps)
        assert_int_equal(k.made, r.nemp);
    if (threads == 1 || !drop)
        assert_int_equal(k.made, 0);
    diag_sort(&r.diags);
    diag_render(&r.diags, &p->sources, &k.out);
    buf_printf(&k.out, "status %d\n", (int)r.status);
    char *s = kpi_strdup(buf_cstr(&k.out));
    buf_free(&k.out);
    run_result_free(&r);
    return s;
}

static char *sunk_text(const Program *p, const char *dir, uint32_t threads, uint64_t max_steps)
{
    return sunk_text_v(p, dir, threads, max_steps, true);
}

/* kpirun's own output of a plain run: the rows streamed, made by the
 * evaluating threads where the format allows. */
static char *report_text(const Program *p, const char *dir, uint32_t threads, ReportFormat f)
{
    Period per;
    assert_true(period_parse("2026-10", 7, PERIOD_MONTH, &per));
    Buf out = BUF_INIT;
    ReportStream s;
    report_stream_init(&s, f, &per, &out);
    RunOptions o = {.data_dir = dir, .period = per, .threads = threads, .sink = report_sink, .sink_ctx = &s,
                    .render = report_render_for(f), .drop_regs = true};
    RunResult r;
    run_period(p, &o, &r);
    report_stream_end(&s, &r);
    char *text = kpi_strdup(buf_cstr(&out));
    buf_free(&out);
    run_result_free(&r);
    return text;
}

/* 3000 employees in 7 departments (past the size from which workers
 * evaluate, and past a chunk of the last stratum), some with a zero plan:
 * every register, message and sink call the same for 1, 2, 3 and 8
 * threads, with registers kept and with a sink; and a step budget that
 * runs out midway stops at the same employee. */
static void test_evaluation_threads(void **state)
{
    (void)state;
    char *dir = temp_dir(), *roster = teams_roster(3000), *deals = deals_csv(20000, NULL, 0);
    Buf d = BUF_INIT;
    buf_adds(&d, deals);
    for (uint32_t e = 0; e < 3000; e++)
        buf_printf(&d, "E%u,2026-10-%02u,%u.%02u,ok,C%u\n", e, 1 + e % 28, e * 13 % 1000, e % 100, e % 11);
    write_file(dir, "r.csv", roster);
    write_file(dir, "d.csv", buf_cstr(&d));
    Program *p;
    kpi_free(compile_msgs(TEAMS, &p));
    assert_non_null(p);
    char *one = run_text(p, dir, 1, 0), *sunk = sunk_text(p, dir, 1, 0);
    assert_non_null(strstr(one, "division by zero"));
    assert_non_null(strstr(sunk, "2999:"));
    static const uint32_t threads[] = {2, 3, 8};
    for (size_t t = 0; t < 3; t++) {
        char *many = run_text(p, dir, threads[t], 0), *msunk = sunk_text(p, dir, threads[t], 0);
        assert_string_equal(one, many);
        assert_string_equal(sunk, msunk);
        kpi_free(many);
        kpi_free(msunk);
    }
    for (ReportFormat f = REPORT_TABLE; f <= REPORT_JSON; f++) {
        char *r1 = report_text(p, dir, 1, f), *r2 = report_text(p, dir, 2, f);
        assert_non_null(strstr(r1, "E2999"));
        assert_string_equal(r1, r2);
        kpi_free(r1);
        kpi_free(r2);
    }
    assert_null(report_render_for(REPORT_TABLE));
    uint64_t steps = (uint64_t)p->ncode * 1500; /* runs out in a later stratum */
    char *short1 = sunk_text(p, dir, 1, steps), *short2 = sunk_text(p, dir, 2, steps);
    assert_non_null(strstr(short1, "--max-steps"));
    assert_string_equal(short1, short2);
    kpi_free(short1);
    kpi_free(short2);
    kpi_free(one);
    kpi_free(sunk);
    free_program(p);
    buf_free(&d);
    kpi_free(deals);
    kpi_free(roster);
    remove_dir(dir);
}

/* Constant named values (weights, a plain-true `active`) are set once a
 * frame: the code an employee runs leaves out their LOADKs, its jumps moved
 * along, and the results are those of the whole code (a traced run). An
 * inexact constant stays in the code, so its employees are marked. */
#define HOISTED                                                                                        \
    "allow K0802\nallow K0805\n"                                                                         \
    "roster s from \"r.csv\" {\n employee id: text\n department dept: text\n salary: money\n"           \
    " plan: money\n}\n"                                                                                  \
    "facts deals from \"d.csv\" {\n employee m: text\n date on: date\n amount: money\n note: text\n"     \
    " client: text\n}\n"                                                                                \
    "indicator sales \"Sales\" {\n fact = sum(amount from deals)\n plan = s.plan\n weight = 60%\n"      \
    " score = bands {\n  index < 50% -> 0%\n  index >= 50% -> 100%\n }\n}\n"                            \
    "indicator clients \"Clients\" {\n fact = count(distinct client from deals)\n plan = 3\n"            \
    " weight = 40%\n}\n"                                                                                \
    "let tiny \"Tiny\" = 1 / 1000000007 + 1 / 1000000009 + 1 / 1000000021 + 1 / 1000000033"              \
    " + 1 / 1000000087\n"                                                                               \
    "payout = round(s.salary * kpi + tiny, 0.01)\n"

static char *traced_text(const Program *p, const char *dir, bool trace)
{
    Period per;
    assert_true(period_parse("2026-10", 7, PERIOD_MONTH, &per));
    Sunk k = {BUF_INIT, p, 0};
    RunOptions o = {.data_dir = dir, .period = per, .threads = 1, .sink = sink, .sink_ctx = &k,
                    .drop_regs = !trace, .trace_all = trace};
    RunResult r;
    run_period(p, &o, &r);
    char *s = kpi_strdup(buf_cstr(&k.out));
    buf_free(&k.out);
    run_result_free(&r);
    return s;
}

static void test_constant_defs_hoisted(void **state)
{
    (void)state;
    char *dir = temp_dir(), *roster = teams_roster(40);
    write_file(dir, "r.csv", roster);
    write_file(dir, "d.csv", "m,on,amount,note,client\nE1,2026-10-05,400,ok,C1\nE2,2026-10-06,100,ok,C2\n");
    Program *p;
    kpi_free(compile_msgs(HOISTED, &p));
    assert_non_null(p);
    Hoist h;
    assert_true(hoist_make(p, &h));
    bool weight0 = false, weight1 = false;
    for (uint32_t i = 0; i < h.npreset; i++) {
        uint16_t reg = h.preset[i].reg;
        assert_int_equal(p->def_code[2 * reg + 1], p->def_code[2 * reg] + 1);
        assert_int_equal(p->code[p->def_code[2 * reg]].op, BC_LOADK);
        assert_false(p->consts[h.preset[i].k].inexact);
        weight0 |= reg == p->ind[0].weight;
        weight1 |= reg == p->ind[1].weight;
        for (uint32_t pc = 0; pc < h.view.ncode; pc++)
            assert_false(ins_writes(h.code[pc]) && h.code[pc].a == reg);
    }
    assert_true(weight0 && weight1);
    assert_int_equal(h.view.ncode, p->ncode - h.npreset);
    for (uint32_t pc = 0; pc < h.view.ncode; pc++)
        if (op_info[h.code[pc].op].format[1] == 'J') {
            assert_true(ins_target(h.code[pc]) > pc);
            assert_true(ins_target(h.code[pc]) <= h.view.ncode);
        }
    for (uint32_t s = 0; s < p->nstrata; s++)
        assert_int_equal(h.code[h.stratum_pc[s] - (s ? 1 : 0)].op, s ? BC_RET : h.code[0].op);
    hoist_free(&h);
    char *plain = traced_text(p, dir, false), *whole = traced_text(p, dir, true);
    assert_string_equal(plain, whole);
    assert_non_null(strstr(plain, "1: 1/"));   /* E1: 400 of 1001, under half: sales scores 0 */
    assert_non_null(strstr(plain, " 1\n"));    /* the inexact constant marks its employees */
    assert_null(strstr(plain, " 0\n"));
    kpi_free(plain);
    kpi_free(whole);
    free_program(p);
    kpi_free(roster);
    remove_dir(dir);
}

/* A value rounded to fit that only decides a comparison still marks its
 * employee inexact, though every named value is exact. */
#define ROUNDED_TEST                                                                                   \
    "roster s from \"r.csv\" {\n employee id: text\n department dept: text\n salary: money\n"           \
    " plan: money\n}\n"                                                                                  \
    "let positive \"Positive\" = if s.salary / 1000000007 + s.salary / 1000000009 + s.salary / 1000000021" \
    " + s.salary / 1000000033 + s.salary / 1000000087 > 0 then 1 else 0\n"                              \
    "payout = s.salary + positive\n"

static void test_inexact_comparison_marks(void **state)
{
    (void)state;
    char *dir = temp_dir(), *roster = teams_roster(3);
    write_file(dir, "r.csv", roster);
    Program *p;
    kpi_free(compile_msgs(ROUNDED_TEST, &p));
    assert_non_null(p);
    char *text = traced_text(p, dir, false);
    assert_string_equal(text, "0: 1/1 1/1001 1\n1: 1/1 1/1002 1\n2: 1/1 1/1003 1\n");
    kpi_free(text);
    free_program(p);
    kpi_free(roster);
    remove_dir(dir);
}

/* Three strata: a team field over values of the first, one over values
 * that read the first team field, a filter, branches in what the fields
 * read; and values no team field needs. */
#define STRATA                                                                                         \
    "roster s from \"r.csv\" {\n employee id: text\n department dept: text\n salary: money\n"           \
    " plan: money\n}\n"                                                                                  \
    "facts deals from \"d.csv\" {\n employee m: text\n date on: date\n amount: money\n note: text\n"     \
    " client: text\n}\n"                                                                                \
    "let sales \"Sales\" = sum(amount from deals)\n"                                                     \
    "let clients \"Clients\" = count(distinct client from deals)\n"                                      \
    "let index \"Index\" = sales / s.plan default 0\n"                                                   \
    "let level \"Level\" = bands {\n index < 50% -> 0\n 50% <= index < 100% -> 1\n index >= 100% -> 2\n}\n" \
    "team d \"Dept\" {\n total = sum(sales)\n strong = count(s.id where level = 2)\n}\n"                \
    "let share \"Share\" = sales / d.total default 0\n"                                                  \
    "team d2 \"Dept again\" {\n top = max(share)\n}\n"                                                  \
    "let rel \"Rel\" = share / d2.top default 0\n"                                                       \
    "payout = round(s.salary * (1 + rel + clients / 100 + d.strong / 1000), 0.01)\n"

/* A run whose results go to a sink recomputes the strata before the last
 * one's: a pass before it runs only the code the next team fields read.
 * The results are those of a run that keeps every register. */
static void test_passes_before_the_last(void **state)
{
    (void)state;
    char *dir = temp_dir(), *roster = teams_roster(600);
    Buf d = BUF_INIT;
    buf_adds(&d, "m,on,amount,note,client\n");
    for (uint32_t i = 0; i < 2400; i++)
        buf_printf(&d, "E%u,2026-10-%02u,%u.%02u,ok,C%u\n", i % 600, 1 + i % 28, i * 37 % 700, i % 100, i % 7);
    write_file(dir, "r.csv", roster);
    write_file(dir, "d.csv", buf_cstr(&d));
    Program *p;
    kpi_free(compile_msgs(STRATA, &p));
    assert_non_null(p);
    assert_int_equal(p->nstrata, 3);
    char *kept = sunk_text_v(p, dir, 1, 0, false), *sunk = sunk_text_v(p, dir, 1, 0, true);
    assert_string_equal(kept, sunk);
    assert_non_null(strstr(sunk, "599:"));
    char *two = sunk_text_v(p, dir, 2, 0, true);
    assert_string_equal(sunk, two);
    /* before stratum 1: sales, index and level; not clients */
    uint16_t want[3] = {p->team[0].arg, p->team[1].arg, p->team[1].where};
    Slice sl;
    assert_true(slice_make(p, 0, want, 3, &sl));
    uint32_t aggs = 0;
    for (uint32_t i = 0; i < sl.ncode; i++)
        aggs += sl.code[i].op == BC_AGG;
    assert_int_equal(aggs, 1);
    assert_int_equal(sl.code[sl.ncode - 1].op, BC_RET);
    assert_true(sl.ncode < p->stratum_pc[1]);
    slice_free(&sl);
    /* nothing wanted: just RET */
    assert_true(slice_make(p, 1, want, 0, &sl));
    assert_int_equal(sl.ncode, 1);
    slice_free(&sl);
    kpi_free(kept);
    kpi_free(sunk);
    kpi_free(two);
    free_program(p);
    buf_free(&d);
    kpi_free(roster);
    remove_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_distinct_set),
        cmocka_unit_test(test_pool),
        cmocka_unit_test(test_parts_give_the_same_result),
        cmocka_unit_test(test_parts_give_the_same_errors),
        cmocka_unit_test(test_a_quoted_break_across_a_split),
        cmocka_unit_test(test_fast_cells_past_the_range),
        cmocka_unit_test(test_evaluation_threads),
        cmocka_unit_test(test_passes_before_the_last),
        cmocka_unit_test(test_constant_defs_hoisted),
        cmocka_unit_test(test_inexact_comparison_marks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
