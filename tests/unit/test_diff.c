/* test_diff.c - two versions over the same facts (driver/diff.c): employees
 * paired by key, exact deltas and totals, what moved each payout and in what
 * order, and the CSV of report/diff.c. */
#define KPI_TEST_COMPILER
#include "tests/unit/testutil.h"

#include "driver/diff.h"
#include "report/diff.h"

typedef struct Two {
    char     *dir;
    Program  *p[2];
    RunResult r[2];
    Diff      d;
    bool      ok;
} Two;

static Program *compile_ok(const char *text)
{
    Program *p;
    char *m = compile_msgs(text, &p);
    if (!p)
        print_message("%s", m);
    assert_non_null(p);
    kpi_free(m);
    return p;
}

/* Compiles both versions, writes the files (name, text pairs, NULL-ended)
 * and diffs October 2026. */
static void two(Two *t, const char *old_text, const char *new_text, ...)
{
    memset(t, 0, sizeof *t);
    t->dir = temp_dir();
    va_list ap;
    va_start(ap, new_text);
    const char *name;
    while ((name = va_arg(ap, const char *)) != NULL)
        write_file(t->dir, name, va_arg(ap, const char *));
    va_end(ap);
    t->p[0] = compile_ok(old_text);
    t->p[1] = compile_ok(new_text);
    RunOptions o;
    memset(&o, 0, sizeof o);
    o.data_dir = t->dir;
    assert_true(period_parse("2026-10", 7, PERIOD_MONTH, &o.period));
    t->ok = diff_run(t->p[0], t->p[1], &o, t->r, &t->d);
}

static void done(Two *t)
{
    diff_free(&t->d);
    for (int v = 0; v < 2; v++) {
        run_result_free(&t->r[v]);
        free_program(t->p[v]);
    }
    remove_dir(t->dir);
}

static void assert_value(Value v, const char *want)
{
    char buf[128];
    bool exact;
    assert_int_equal(v.kind, V_NUM);
    rat_format(buf, sizeof buf, v.q, 20, &exact);
    assert_true(exact);
    assert_string_equal(buf, want);
}

#define ROSTER(file)                                                                            \
    "roster s from \"" file "\" {\n employee id: text\n name fio: text\n salary: money\n}\n"     \
    "facts deals from \"d.csv\" {\n employee m: text\n date on: date\n amount: money\n}\n"
#define DEALS_CSV "m,on,amount\nE1,2026-10-01,100.10\nE2,2026-10-02,200.20\nE3,2026-10-03,300.30\n"

/* old pays salary + 10% of the deals, new 20%: kopecks must come out exact */
static const char old_pct[] = ROSTER("old.csv") "payout = s.salary + 0.1 * sum(amount from deals)\n";
static const char new_pct[] = ROSTER("new.csv") "payout = s.salary + 0.2 * sum(amount from deals)\n";

static void test_pairs_by_key_with_exact_deltas(void **state)
{
    (void)state;
    Two t;
    two(&t, old_pct, new_pct, "old.csv", "id,fio,salary\nE2,B,1000\nE1,A,1000\n", "new.csv",
        "id,fio,salary\nE3,C,500\nE2,B,1000\n", "d.csv", DEALS_CSV, NULL);
    assert_true(t.ok);
    assert_int_equal(t.d.nrows, 3);
    const DiffRow *r = t.d.rows;
    assert_string_equal(diff_key(&t.d, &r[0]), "E1");
    assert_int_equal(r[0].status, DIFF_REMOVED);
    assert_int_equal(r[0].new_e, -1);
    assert_int_equal(r[0].new_pay.kind, V_BLANK);
    assert_value(r[0].delta, "-1010.01");
    assert_string_equal(diff_name(&t.d, &r[1]), "B");
    assert_int_equal(r[1].status, DIFF_GAIN);
    assert_value(r[1].old_pay, "1020.02");
    assert_value(r[1].new_pay, "1040.04");
    assert_value(r[1].delta, "20.02");
    assert_int_equal(r[2].status, DIFF_ADDED);
    assert_value(r[2].delta, "560.06");
    assert_value(t.d.old_budget, "2030.03");
    assert_value(t.d.new_budget, "1600.1");
    assert_value(t.d.delta, "-429.93");
    assert_int_equal(t.d.count[DIFF_GAIN], 1);
    assert_int_equal(t.d.count[DIFF_ADDED], 1);
    assert_int_equal(t.d.count[DIFF_REMOVED], 1);
    assert_int_equal(t.d.largest_gain, 1);
    assert_int_equal(t.d.largest_loss, -1);   /* a removed employee is not a loss */
    done(&t);
}

static void test_same_version_has_nothing_moved(void **state)
{
    (void)state;
    Two t;
    two(&t, old_pct, old_pct, "old.csv", "id,fio,salary\nE1,A,1000\nE2,B,1000\n", "d.csv", DEALS_CSV, NULL);
    assert_true(t.ok);
    for (uint32_t i = 0; i < t.d.nrows; i++) {
        assert_int_equal(t.d.rows[i].status, DIFF_SAME);
        assert_int_equal(t.d.rows[i].nmoves, 0);
        assert_value(t.d.rows[i].delta, "0");
    }
    assert_int_equal(t.d.count[DIFF_SAME], 2);
    assert_value(t.d.delta, "0");
    done(&t);
}

#define TWO_IND(wa, wb, cond)                                                         \
    ROSTER("old.csv")                                                                 \
    "indicator a {\n fact = sum(amount from deals)\n plan = 100\n weight = " wa "\n" cond "}\n" \
    "indicator b {\n fact = count(deals)\n plan = 1\n weight = " wb "\n}\n"           \
    "kpi = weighted_sum()\nbonus = 1000 * kpi\npayout = s.salary + bonus\n"

/* a's contribution moves by 1.001 * 10% (100.10 / 100), b's by 1 * 10%: a first */
static void test_moves_by_size_then_values(void **state)
{
    (void)state;
    Two t;
    two(&t, TWO_IND("50%", "50%", ""), TWO_IND("40%", "60%", ""), "old.csv", "id,fio,salary\nE1,A,1000\n",
        "d.csv", DEALS_CSV, NULL);
    assert_true(t.ok);
    const DiffRow *r = &t.d.rows[0];
    assert_int_equal(r->nmoves, 4);
    assert_int_equal(r->moves[0].kind, MOVE_INDICATOR);
    assert_string_equal(t.p[1]->ind[r->moves[0].new_i].name, "a");
    assert_value(r->moves[0].old.v[DIFF_CONTRIB], "0.5005");
    assert_value(r->moves[0].new_.v[DIFF_CONTRIB], "0.4004");
    assert_string_equal(t.p[1]->ind[r->moves[1].new_i].name, "b");
    assert_int_equal(r->moves[2].kind, MOVE_VALUE);
    assert_string_equal(t.p[1]->outs[r->moves[2].new_i].name, "kpi");
    assert_string_equal(t.p[1]->outs[r->moves[3].new_i].name, "bonus");
    assert_value(r->delta, "-0.1");
    assert_int_equal(t.d.largest_loss, 0);
    done(&t);
}

static void test_condition_and_csv(void **state)
{
    (void)state;
    Two t;
    two(&t, TWO_IND("50%", "50%", ""), TWO_IND("50%", "50%", " only if b.index >= 200%\n"), "old.csv",
        "id,fio,salary\nE1,=HYPERLINK(1),1000\n", "d.csv", DEALS_CSV, NULL);
    assert_true(t.ok);
    const DiffRow *r = &t.d.rows[0];
    assert_int_equal(r->nmoves, 3);   /* a, kpi, bonus */
    assert_false(r->moves[0].old.gate_off);
    assert_true(r->moves[0].new_.gate_off);
    assert_value(r->moves[0].new_.v[DIFF_SCORE], "0");
    assert_value(r->delta, "-500.5");
    Period per;
    assert_true(period_parse("2026-10", 7, PERIOD_MONTH, &per));
    Buf b = BUF_INIT;
    report_diff(&t.d, "old.kpi", "new.kpi", &per, REPORT_CSV, &b);
    const char *csv = buf_cstr(&b);
    assert_non_null(strstr(csv, "employee,name,department,old_payout,new_payout,delta,status,moved\nE1,"));
    assert_non_null(strstr(csv, ",,2000.5,1500,-500.5,loss,a;kpi;bonus\n"));
    assert_null(strstr(csv, ",=HYPERLINK"));   /* guarded like every CSV text cell */
    buf_clear(&b);
    report_diff(&t.d, "old.kpi", "new.kpi", &per, REPORT_TABLE, &b);
    assert_non_null(strstr(buf_cstr(&b), "score 100.10% -> 0.00% (condition not met)"));
    buf_free(&b);
    done(&t);
}

static void test_failed_run_gives_no_diff(void **state)
{
    (void)state;
    Two t;
    two(&t, old_pct, ROSTER("missing.csv") "payout = s.salary\n", "old.csv", "id,fio,salary\nE1,A,1000\n", "d.csv",
        DEALS_CSV, NULL);
    assert_false(t.ok);
    assert_int_equal(t.r[0].status, RUN_OK);
    assert_int_equal(t.r[1].status, RUN_DATA_ERROR);
    assert_int_equal(t.d.nrows, 0);
    done(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pairs_by_key_with_exact_deltas),
        cmocka_unit_test(test_same_version_has_nothing_moved),
        cmocka_unit_test(test_moves_by_size_then_values),
        cmocka_unit_test(test_condition_and_csv),
        cmocka_unit_test(test_failed_run_gives_no_diff),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
