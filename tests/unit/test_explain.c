/* test_explain.c - what the VM records for explanations, the explanation
 * built from it, curves re-run from a score's bytecode, statement names,
 * and the verifier's guard on trace points. */
#define KPI_TEST_COMPILER
#define KPI_TEST_EVAL
#include "tests/unit/testutil.h"

#include "report/curve.h"
#include "report/explain.h"
#include "report/statement.h"
#include "vm/curve.h"
#include "vm/kpc.h"

#define SCHEME                                                                                  \
    "roster s from \"r.csv\" {\n employee id: text\n salary: money\n}\n"                         \
    "facts deals from \"d.csv\" {\n employee m: text\n date on: date\n amount: money\n status: text\n}\n" \
    "param rate = 10%\n"                                                                        \
    "indicator rev {\n fact = sum(amount from deals where status = \"paid\")\n plan = 1000\n"    \
    " weight = 60%\n score = if index < 80% then 0% else min(index, 120%)\n"                    \
    " only if margin.index >= 50%\n}\n"                                                          \
    "indicator margin {\n fact = count(deals)\n plan = 4\n weight = 40%\n"                      \
    " score = bands {\n  index < 50% -> 0%\n  50% <= index < 100% -> 80%\n  index >= 100% -> 100%\n }\n}\n" \
    "bonus = s.salary * rate * kpi\npayout = s.salary + bonus\n"
#define ROSTER_CSV "id,salary\nE1,1000\nE2,2000\n"
#define DEALS_CSV "m,on,amount,status\nE1,2026-10-01,900,paid\nE1,2026-10-02,600,paid\nE1,2026-10-03,50,open\n" \
                  "E2,2026-10-05,700,paid\nE1,2026-11-01,999,paid\n"

static const ExStep *step(const ExIndicator *xi, const char *field)
{
    for (uint32_t k = 0; k < xi->nsteps; k++)
        if (!strcmp(xi->steps[k].field, field))
            return &xi->steps[k];
    fail_msg("no step %s", field);
    return NULL;
}

static const ExEvent *event(const ExStep *s, TraceKind kind)
{
    for (uint32_t i = 0; i < s->nevents; i++)
        if (s->events[i].kind == kind)
            return &s->events[i];
    return NULL;
}

static void assert_num(Value v, const char *want)
{
    char buf[96];
    bool exact;
    assert_int_equal(v.kind, V_NUM);
    rat_format(buf, sizeof buf, v.q, 20, &exact);
    assert_string_equal(buf, want);
}

static void test_recorded_steps(void **state)
{
    (void)state;
    Eval ev;
    eval_traced(&ev, SCHEME, "2026-10", "r.csv", ROSTER_CSV, "d.csv", DEALS_CSV, NULL);
    assert_string_equal(ev.msgs, "");
    Period per;
    period_parse("2026-10", 7, PERIOD_MONTH, &per);
    Explanation x;
    explain_build(&ev.r, &per, 0, &x); /* E1 */
    assert_string_equal(x.key, "E1");
    /* fact: one aggregate over the 2 paid rows of October */
    const ExStep *fact = step(&x.inds[0], "fact");
    assert_num(fact->value, "1500");
    const ExEvent *agg = event(fact, TK_READ);
    assert_non_null(agg);
    assert_int_equal(agg->count, 2);
    /* score: the if's condition, then min(1.5, 1.2) */
    const ExStep *score = step(&x.inds[0], "score");
    const ExEvent *br = event(score, TK_BRANCH);
    assert_non_null(br);
    assert_int_equal(br->v[0].kind, V_BOOL);
    assert_int_equal(br->v[0].aux, 0);
    const ExEvent *ch = event(score, TK_CHOICE);
    assert_non_null(ch);
    assert_num(ch->v[1], "1.5");
    assert_num(ch->v[2], "1.2");
    assert_num(ch->v[0], "1.2");
    /* margin: 3 deals of 4 -> the second band; the others did not run */
    const ExStep *mscore = step(&x.inds[1], "score");
    const ExEvent *band = event(mscore, TK_BAND);
    assert_non_null(band);
    assert_string_equal(band->text, "50% <= index < 100% -> 80%");
    uint32_t bands = 0;
    for (uint32_t i = 0; i < mscore->nevents; i++)
        bands += mscore->events[i].kind == TK_BAND;
    assert_int_equal(bands, 1);
    /* the gate held: 75% >= 50% */
    assert_true(val_is_true(step(&x.inds[0], "condition")->value));
    assert_num(step(&x.inds[0], "contribution")->value, "0.72");
    assert_num(x.payout, "1104");
    /* the payout's rounding */
    const ExStep *pay = &x.values[x.nvalues - 1];
    assert_string_equal(pay->name, "payout");
    assert_non_null(event(pay, TK_ROUND));
    /* the param shows where it is read */
    const ExStep *bonus = &x.values[x.nvalues - 2];
    bool rate = false;
    for (uint32_t i = 0; i < bonus->nevents; i++)
        rate |= bonus->events[i].kind == TK_VALUE && !strcmp(bonus->events[i].text, "rate");
    assert_true(rate);
    explain_free(&x);
    done(&ev);
}

static void test_only_asked_employees_are_traced(void **state)
{
    (void)state;
    Eval ev;
    eval(&ev, SCHEME, "2026-10", "r.csv", ROSTER_CSV, "d.csv", DEALS_CSV, NULL);
    assert_null(ev.r.trace);
    assert_null(run_trace(&ev.r, 0));
    Period per;
    period_parse("2026-10", 7, PERIOD_MONTH, &per);
    const char *keys[] = {"E2", "nobody"};
    RunOptions o = {.data_dir = ev.dir, .period = per, .trace_keys = keys, .ntrace_keys = 2};
    RunResult r;
    run_period(ev.p, &o, &r);
    assert_null(run_trace(&r, 0));
    assert_non_null(run_trace(&r, 1));
    assert_int_equal(run_find_employee(&r, "E2"), 1);
    assert_int_equal(run_find_employee(&r, "nobody"), -1);
    run_result_free(&r);
    done(&ev);
}

static void test_text_and_json(void **state)
{
    (void)state;
    Eval ev;
    eval_traced(&ev, SCHEME, "2026-10", "r.csv", ROSTER_CSV, "d.csv", DEALS_CSV, NULL);
    Period per;
    period_parse("2026-10", 7, PERIOD_MONTH, &per);
    Explanation x;
    explain_build(&ev.r, &per, 1, &x); /* E2: 1 deal of 4 -> margin below 50%, the gate fails */
    Buf t = BUF_INIT, j = BUF_INIT;
    explain_text(&x, &t);
    explain_json(&x, &j);
    const char *text = buf_cstr(&t);
    assert_non_null(strstr(text, "How the payout of E2 for 2026-10 was computed\n"));
    assert_non_null(strstr(text, "  fact = sum(amount from deals where status = \"paid\") = 700 (1 row)  (t.kpi:13)\n"));
    assert_non_null(strstr(text, "    the condition does not hold: the score is 0\n"));
    assert_non_null(strstr(text, "band taken: index < 50% -> 0%  (t.kpi:24)\n"));
    assert_non_null(strstr(text, "\npayout: 2 000\n"));
    const char *json = buf_cstr(&j);
    assert_non_null(strstr(json, "\"schema_version\": 1"));
    assert_non_null(strstr(json, "{\"kind\": \"band\", \"text\": \"index < 50% -> 0%\""));
    assert_non_null(strstr(json, "\"payout\": 2000\n}"));
    buf_free(&t);
    buf_free(&j);
    explain_free(&x);
    done(&ev);
}

static void test_curves(void **state)
{
    (void)state;
    Program *p;
    kpi_free(compile_msgs(SCHEME, &p));
    assert_non_null(p);
    Curve c;
    const char *why;
    assert_int_equal(curve_open(&c, p, 0, NULL, &why), CURVE_OK);
    assert_num(curve_at(&c, (Rat){79, 100}), "0");
    assert_num(curve_at(&c, (Rat){4, 5}), "0.8");
    assert_num(curve_at(&c, (Rat){3, 2}), "1.2");
    Rat k[16];
    size_t n = curve_knots(&c, k, 16);
    bool has08 = false, has12 = false;
    for (size_t i = 0; i < n; i++) {
        has08 |= rat_eq(k[i], (Rat){4, 5});
        has12 |= rat_eq(k[i], (Rat){6, 5});
    }
    assert_true(has08 && has12);
    Buf t = BUF_INIT;
    curve_table(&c, NULL, &t);
    /* a jump at 80% gets the row just below it; the bend at 120% does not */
    assert_non_null(strstr(buf_cstr(&t), "  79.99%        0%\n     80%       80%\n"));
    assert_null(strstr(buf_cstr(&t), "119.99%"));
    buf_free(&t);
    curve_close(&c);
    assert_int_equal(curve_open(&c, p, 1, NULL, &why), CURVE_OK);
    assert_num(curve_at(&c, (Rat){1, 2}), "0.8");
    curve_close(&c);
    free_program(p);
}

static void test_curves_that_cannot_be_drawn(void **state)
{
    (void)state;
    Program *p;
    kpi_free(compile_msgs("roster s from \"r.csv\" {\n employee id: text\n grade: text\n target: decimal\n"
                          " salary: money\n}\n"
                          "indicator a {\n fact = 1\n plan = 1\n weight = 50%\n"
                          " score = if s.grade = \"A\" then index else 0%\n}\n"
                          "indicator b {\n fact = 1\n plan = 1\n weight = 25%\n score = min(index, s.target)\n}\n"
                          "indicator c {\n fact = 1\n plan = 1\n weight = 25%\n}\n"
                          "payout = s.salary * kpi\n",
                          &p));
    assert_non_null(p);
    Curve c;
    const char *why;
    assert_int_equal(curve_open(&c, p, 0, NULL, &why), CURVE_READS_DATA);
    assert_int_equal(curve_open(&c, p, 2, NULL, &why), CURVE_NO_SCALE);
    free_program(p);
    kpi_free(compile_msgs("roster s from \"r.csv\" {\n employee id: text\n target: decimal\n salary: money\n}\n"
                          "let t = s.target\n"
                          "indicator b {\n fact = 1\n plan = 1\n weight = 100%\n score = min(index, t)\n}\n"
                          "payout = s.salary * kpi\n",
                          &p));
    assert_non_null(p);
    assert_int_equal(curve_open(&c, p, 0, NULL, &why), CURVE_PER_EMPLOYEE);
    assert_string_equal(why, "t");
    Value *regs = kpi_calloc(p->npersist, sizeof(Value));
    for (uint32_t i = 0; i < p->npersist; i++)
        regs[i] = val_blank();
    for (uint16_t r = 0; r < p->npersist; r++)
        if (!strcmp(p->reg_names[r], "t"))
            regs[r] = val_num((Rat){9, 10});
    assert_int_equal(curve_open(&c, p, 0, regs, &why), CURVE_OK);
    assert_num(curve_at(&c, (Rat){2, 1}), "0.9");
    curve_close(&c);
    kpi_free(regs);
    free_program(p);
}

static void test_statement_file_names(void **state)
{
    (void)state;
    const char *taken[4] = {NULL};
    char *a = statement_file_name("A/B", taken, 0);
    assert_string_equal(a, "A_B.html");
    taken[0] = a;
    char *b = statement_file_name("A\\B", taken, 1);
    assert_string_equal(b, "A_B-2.html");
    taken[1] = b;
    char *c = statement_file_name(".hidden", taken, 2);
    assert_string_equal(c, "_hidden.html");
    char *d = statement_file_name("index", taken, 2);
    assert_string_equal(d, "index-2.html");
    char *e = statement_file_name("Иванов И.", taken, 2);
    assert_string_equal(e, "Иванов_И..html");
    char *f = statement_file_name("", taken, 2);
    assert_string_equal(f, "_.html");
    kpi_free(a);
    kpi_free(b);
    kpi_free(c);
    kpi_free(d);
    kpi_free(e);
    kpi_free(f);
}

static void test_verify_guards_trace_points(void **state)
{
    (void)state;
    Program *p;
    kpi_free(compile_msgs(SCHEME, &p));
    assert_non_null(p);
    Buf b = BUF_INIT;
    kpc_write(p, &b);
    char err[256];
    Program *q = kpc_read((const unsigned char *)b.data, b.len, err, sizeof err);
    assert_non_null(q);
    assert_int_equal(q->ntrace, p->ntrace);
    for (uint32_t k = 0; k < p->ntrace; k++) {
        assert_int_equal(q->trace[k].kind, p->trace[k].kind);
        assert_int_equal(q->trace[k].pc, p->trace[k].pc);
        assert_int_equal(q->trace[k].def, p->trace[k].def);
        assert_int_equal(q->trace[k].span, p->trace[k].span);
    }
    /* a choice point moved onto another instruction would make the VM read
     * operands that are not there */
    uint32_t i = 0;
    while (p->trace[i].kind != TK_CHOICE)
        i++;
    p->trace[i].pc = p->stratum_pc[0];
    assert_false(program_verify(p, err, sizeof err));
    assert_non_null(strstr(err, "trace point"));
    buf_free(&b);
    free_program(q);
    free_program(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recorded_steps),
        cmocka_unit_test(test_only_asked_employees_are_traced),
        cmocka_unit_test(test_text_and_json),
        cmocka_unit_test(test_curves),
        cmocka_unit_test(test_curves_that_cannot_be_drawn),
        cmocka_unit_test(test_statement_file_names),
        cmocka_unit_test(test_verify_guards_trace_points),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
