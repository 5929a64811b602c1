/* test_vm.c - evaluation over real CSV files: the fact scan, blanks and
 * errors, plans, teams, exact rounding, and located data/runtime errors. */
#define KPI_TEST_COMPILER
#define KPI_TEST_EVAL
#include "tests/unit/testutil.h"

#define ROSTER "roster s from \"r.csv\" {\n employee id: text\n name fio: text\n department dept: text\n salary: money\n}\n"
#define DEALS "facts deals from \"d.csv\" {\n employee m: text\n date on: date\n amount: money\n cost: money\n client: text\n}\n"
#define ROSTER_CSV "id,fio,dept,salary\nE2,Петров,D1,1000\nE1,Иванов,D1,2000\nE3,Сидоров,D2,3000\n"
#define DEALS_CSV "m,on,amount,cost,client\nE1,2026-10-01,100.50,50,A\nE1,2026-10-31,200,100.25,A\n" \
                  "E1,2026-11-01,999,0,B\nE2,2026-10-15,10,,B\nE9,2026-10-15,5,1,C\nE2,2026-09-30,7,0,C\n"

static void test_scan_period_and_aggregates(void **state)
{
    (void)state;
    Eval ev;
    eval(&ev, ROSTER DEALS
         "let total \"T\" = sum(amount from deals)\n"
         "let profit \"P\" = sum(amount - cost from deals)\n"
         "let n \"N\" = count(deals)\n"
         "let costs \"C\" = count(cost from deals)\n"
         "let clients \"K\" = count(distinct client from deals)\n"
         "let big \"B\" = max(amount from deals)\n"
         "let mean \"M\" = avg(amount from deals)\n"
         "payout = 0\n",
         "2026-10", "r.csv", ROSTER_CSV, "d.csv", DEALS_CSV, NULL);
    assert_non_null(strstr(ev.msgs, "/d.csv: warning[K0909]: 1 row of the period name employees not in the "
                                    "roster: E9; they count for nobody\n"));
    assert_int_equal(ev.r.status, RUN_OK);
    /* employees are sorted by key: E1, E2, E3 */
    assert_int_equal(ev.r.nemp, 3);
    assert_string_equal(strtab_get(&ev.r.strs, ev.r.emp_key[0], NULL), "E1");
    assert_string_equal(out(&ev, 0, "total"), "300.5");
    assert_string_equal(out(&ev, 0, "profit"), "150.25");
    assert_string_equal(out(&ev, 0, "n"), "2");
    assert_string_equal(out(&ev, 0, "clients"), "1");
    assert_string_equal(out(&ev, 0, "big"), "200");
    assert_string_equal(out(&ev, 0, "mean"), "150.25");
    /* E2's cost is empty: blank, skipped like SUM/COUNTA skip an empty cell */
    assert_string_equal(out(&ev, 1, "total"), "10");
    assert_string_equal(out(&ev, 1, "profit"), "0");
    assert_string_equal(out(&ev, 1, "costs"), "0");
    /* E3 has no rows: sums and counts are 0, an average is blank */
    assert_string_equal(out(&ev, 2, "total"), "0");
    assert_string_equal(out(&ev, 2, "n"), "0");
    assert_string_equal(out(&ev, 2, "mean"), "blank");
    /* E9 is not in the roster: counted, not paid */
    assert_int_equal(ev.r.stats[1].unknown_employee, 1);
    assert_int_equal(ev.r.stats[1].nunknown_ids, 1);
    assert_string_equal(ev.r.stats[1].unknown_ids[0], "E9");
    assert_int_equal(ev.r.stats[1].rows, 6);
    assert_int_equal(ev.r.stats[1].in_period, 4);
    done(&ev);
}

static void test_exact_money(void **state)
{
    (void)state;
    Eval ev;
    /* 2/3 of 0.0225 is 0.015 exactly: a half-cent tie that rounds up only
     * when the quotient stays exact. */
    eval(&ev, ROSTER "let x \"X\" = 0.1 + 0.2\nlet score = 2 / 3\n"
              "let tie \"Tie\" = round(score * 0.0225, 0.01)\nlet even \"E\" = round(2.5, 1, half_even)\n"
              "let away \"A\" = round(2.5)\nlet hundreds \"H\" = round(12345.67, 100)\n"
              "payout = s.salary * score\n",
         "2026-10", "r.csv", ROSTER_CSV, NULL);
    assert_string_equal(ev.msgs, "");
    assert_string_equal(out(&ev, 0, "x"), "0.3");
    assert_string_equal(out(&ev, 0, "tie"), "0.02");
    assert_string_equal(out(&ev, 0, "even"), "2");
    assert_string_equal(out(&ev, 0, "away"), "3");
    assert_string_equal(out(&ev, 0, "hundreds"), "12300");
    assert_string_equal(out(&ev, 0, "payout"), "1333.33"); /* 2000 * 2/3, half away */
    assert_string_equal(out(&ev, 1, "payout"), "666.67");
    done(&ev);
}

/* min and max of several arguments chain through a temporary, reading
 * constants and named values where they are; a blank argument is skipped. */
static void test_min_max_chains(void **state)
{
    (void)state;
    Eval ev;
    eval(&ev, ROSTER "let half = s.salary / 2\nlet lo \"Lo\" = min(s.salary, 2500, half, 1800)\n"
              "let hi \"Hi\" = max(half, 1200, s.salary / 4)\nlet one \"One\" = min(half)\n"
              "let skip \"Skip\" = max(blank, 7, 3)\npayout = lo\n",
         "2026-10", "r.csv", ROSTER_CSV, NULL);
    assert_string_equal(ev.msgs, "");
    assert_string_equal(out(&ev, 0, "lo"), "1000");  /* E1: salary 2000, half 1000 */
    assert_string_equal(out(&ev, 1, "lo"), "500");   /* E2: 1000, half 500 */
    assert_string_equal(out(&ev, 2, "lo"), "1500");  /* E3: 3000, half 1500 */
    assert_string_equal(out(&ev, 0, "hi"), "1200");
    assert_string_equal(out(&ev, 2, "hi"), "1500");
    assert_string_equal(out(&ev, 1, "one"), "500");
    assert_string_equal(out(&ev, 0, "skip"), "7");
    done(&ev);
}

static void test_division_by_zero_is_located(void **state)
{
    (void)state;
    Eval ev;
    eval(&ev, ROSTER DEALS "let share \"S\" = s.salary / sum(amount from deals)\npayout = s.salary * share\n",
         "2026-10", "r.csv", ROSTER_CSV, "d.csv", DEALS_CSV, NULL);
    assert_int_equal(ev.r.status, RUN_EVAL_ERROR);
    assert_non_null(strstr(ev.msgs,
                        "t.kpi:14:17: error[K1001]: division by zero for employee E3 (Сидоров)\n"
                        " 14 | let share \"S\" = s.salary / sum(amount from deals)\n"
                        "    |                 ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
                        "  help: if the divisor can be zero, say what the result is then: ... default 0\n"
                        "  note: while computing share\n"));
    done(&ev);
    eval(&ev, ROSTER DEALS "payout = s.salary * (s.salary / sum(amount from deals) default 0)\n", "2026-10", "r.csv",
         ROSTER_CSV, "d.csv", DEALS_CSV, NULL);
    assert_int_equal(ev.r.status, RUN_OK);
    assert_string_equal(out(&ev, 2, "payout"), "0");
    done(&ev);
}

static void test_blank_payout_is_an_error(void **state)
{
    (void)state;
    Eval ev;
    eval(&ev, ROSTER DEALS "payout = avg(amount from deals)\n", "2026-10", "r.csv", ROSTER_CSV, "d.csv",
         DEALS_CSV, NULL);
    assert_int_equal(ev.r.status, RUN_EVAL_ERROR);
    assert_non_null(strstr(ev.msgs, "error[K1006]: payout is blank for employee E3 (Сидоров)"));
    done(&ev);
}

#define PLANS "plans plan from \"p.csv\" {\n employee id: text\n period month: period\n revenue: money\n}\n"

static void test_missing_plan(void **state)
{
    (void)state;
    Eval ev;
    const char *plans = "id,month,revenue\nE1,2026-10,1000\nE2,2026-10,500\nE3,2026-09,800\n";
    eval(&ev, ROSTER PLANS "payout = plan.revenue\n", "2026-10", "r.csv", ROSTER_CSV, "p.csv", plans, NULL);
    assert_int_equal(ev.r.status, RUN_DATA_ERROR);
    assert_non_null(strstr(ev.msgs, "t.kpi:12:10: error[K1004]: no plan for employee E3 (Сидоров) in period 2026-10\n"
                                    " 12 | payout = plan.revenue\n"));
    done(&ev);
    eval(&ev, ROSTER PLANS "payout = plan.revenue default 100\n", "2026-10", "r.csv", ROSTER_CSV, "p.csv",
         plans, NULL);
    assert_string_equal(out(&ev, 0, "payout"), "1000");
    assert_string_equal(out(&ev, 2, "payout"), "100");
    done(&ev);
}

/* A plans file's keys are looked up by trying the row before's and the
 * next employee's first: rows in key order, a plan per period, rows out of
 * order and an unknown key all find their employee (or none). */
static void test_plans_in_any_order(void **state)
{
    (void)state;
    Eval ev;
    eval(&ev, ROSTER PLANS "payout = plan.revenue\n", "2026-10", "r.csv", ROSTER_CSV, "p.csv",
         "id,month,revenue\nE1,2026-09,1\nE1,2026-10,1000\nE2,2026-10,500\nE9,2026-10,5\nE3,2026-10,800\n"
         "E2,2026-09,2\nE3,2026-09,3\n",
         NULL);
    assert_int_equal(ev.r.status, RUN_OK);
    assert_string_equal(out(&ev, 0, "payout"), "1000");
    assert_string_equal(out(&ev, 1, "payout"), "500");
    assert_string_equal(out(&ev, 2, "payout"), "800");
    done(&ev);
    eval(&ev, ROSTER PLANS "payout = plan.revenue\n", "2026-10", "r.csv", ROSTER_CSV, "p.csv",
         "id,month,revenue\nE3,2026-10,800\nE2,2026-10,500\nE1,2026-10,1000\n", NULL);
    assert_string_equal(out(&ev, 0, "payout"), "1000");
    assert_string_equal(out(&ev, 2, "payout"), "800");
    done(&ev);
    StrTab t;
    strtab_init(&t);
    uint32_t a = strtab_intern(&t, "E1", 2), b = strtab_intern(&t, "E2", 2);
    assert_int_equal(strtab_intern_hint(&t, "E2", 2, b), b);          /* the hint */
    assert_int_equal(strtab_intern_hint(&t, "E2", 2, a), b);          /* a wrong hint */
    assert_int_equal(strtab_intern_hint(&t, "E1", 2, 7), a);          /* past the end */
    assert_int_equal(strtab_intern_hint(&t, "E", 1, a), 2);           /* a prefix of the hint: new */
    assert_int_equal(strtab_intern_hint(&t, "E10", 3, a), 3);         /* the hint a prefix: new */
    assert_int_equal(strtab_intern(&t, "E10", 3), 3);
    strtab_free(&t);
}

static void test_duplicate_plan(void **state)
{
    (void)state;
    Eval ev;
    eval(&ev, ROSTER PLANS "payout = plan.revenue\n", "2026-10", "r.csv", ROSTER_CSV, "p.csv",
         "id,month,revenue\nE1,2026-10,1000\nE1,10.2026,500\n", NULL);
    assert_int_equal(ev.r.status, RUN_DATA_ERROR);
    assert_non_null(strstr(ev.msgs, "/p.csv:3:1: error[K0907]: a second plan for 'E1' in 2026-10 (the first is on row 2)"));
    done(&ev);
}

static void test_bad_cells_are_located(void **state)
{
    (void)state;
    Eval ev;
    eval(&ev, ROSTER DEALS "payout = sum(amount from deals)\n", "2026-10", "r.csv", ROSTER_CSV, "d.csv",
         "m,on,amount,cost,client\nE1,2026-10-01,12x,0,A\nE1,2026-10-02,1.234,0,A\nE1,31.10.2026,1,0,A\n", NULL);
    assert_int_equal(ev.r.status, RUN_DATA_ERROR);
    assert_non_null(strstr(ev.msgs, "/d.csv:2:3: error[K0905]: '12x' in column amount: it is not a number "
                                    "(expected an amount like 1234.56)"));
    assert_non_null(strstr(ev.msgs, "/d.csv:3:3: error[K0905]: '1.234' in column amount: it has more decimal places "
                                    "than the column allows"));
    assert_non_null(strstr(ev.msgs, "/d.csv:4:2: error[K0905]: '31.10.2026' in column on is not a date YYYY-MM-DD"));
    done(&ev);
}

static void test_missing_file_and_column(void **state)
{
    (void)state;
    Eval ev;
    eval(&ev, ROSTER DEALS "payout = sum(amount from deals)\n", "2026-10", "r.csv", ROSTER_CSV, NULL);
    assert_int_equal(ev.r.status, RUN_DATA_ERROR);
    assert_non_null(strstr(ev.msgs, "/d.csv: error[K0901]: cannot open"));
    done(&ev);
    eval(&ev, ROSTER DEALS "payout = sum(amount from deals)\n", "2026-10", "r.csv", ROSTER_CSV, "d.csv",
         "m,on,amount,client\n", NULL);
    assert_non_null(strstr(ev.msgs, "/d.csv:1: error[K0903]: column \"cost\" (cost of deals) is missing; the header has "
                                    "\"m\", \"on\", \"amount\", \"client\""));
    done(&ev);
}

static void test_duplicate_employee(void **state)
{
    (void)state;
    Eval ev;
    eval(&ev, ROSTER "payout = 1\n", "2026-10", "r.csv", "id,fio,dept,salary\nE1,a,D,1\nE2,b,D,1\nE1,c,D,1\n", NULL);
    assert_int_equal(ev.r.status, RUN_DATA_ERROR);
    assert_non_null(strstr(ev.msgs, "/r.csv:4:1: error[K0907]: employee 'E1' is listed twice (also on row 2)"));
    done(&ev);
}

static void test_teams(void **state)
{
    (void)state;
    Eval ev;
    eval(&ev, ROSTER DEALS "team t { total = sum(sum(amount from deals))\n n = count(s.id)\n"
                           " best = max(s.salary where s.salary < 3000) }\n"
                           "let share \"S\" = sum(amount from deals) / t.total default 0\n"
                           "let n \"N\" = t.n\nlet best \"B\" = t.best\npayout = share * 100\n",
         "2026-10", "r.csv", ROSTER_CSV, "d.csv", DEALS_CSV, NULL);
    assert_int_equal(ev.r.status, RUN_OK);
    assert_string_equal(out(&ev, 0, "share"), "0.96779388083735909823"); /* 601/621: 300.5 of D1's 310.5 */
    assert_string_equal(out(&ev, 0, "n"), "2");
    assert_string_equal(out(&ev, 2, "n"), "1");
    assert_string_equal(out(&ev, 0, "best"), "2000");
    assert_string_equal(out(&ev, 2, "best"), "blank");
    assert_string_equal(out(&ev, 2, "share"), "0");
    done(&ev);
}

static void test_ru_dialect_and_scores(void **state)
{
    (void)state;
    Eval ev;
    eval(&ev, ROSTER "facts calls from \"c.csv\" {\n format ru\n employee m: text\n date d: date\n q1..q4: score\n}\n"
                     "let q \"Q\" = sum(q1..q4 from calls) / count(q1..q4 from calls) default 0\npayout = 0\n",
         "2026-10", "r.csv", ROSTER_CSV, "c.csv",
         "\xEF\xBB\xBFm;d;q1;q2;q3;q4\nE1;01.10.2026;1;0,5;;1\nE1;02.10.2026;0;;;1\nE2;02.10.2026;;;;\n", NULL);
    assert_string_equal(ev.msgs, "");
    assert_string_equal(out(&ev, 0, "q"), "0.7");   /* 3.5 over 5 filled cells */
    assert_string_equal(out(&ev, 1, "q"), "0"); /* no filled cell: 0/0, so the default */
    done(&ev);
}

/* Each shape of aggregate update (one argument, several, min/max/distinct,
 * and a count that equals a sum's count, filled from it) against values
 * worked by hand, with blanks and filters. */
static void test_aggregate_shapes(void **state)
{
    (void)state;
    Eval ev;
    eval(&ev, ROSTER "facts calls from \"c.csv\" {\n employee m: text\n date d: date\n q1..q3: score\n kind: text\n}\n"
                     "let s3 \"S\" = sum(q1..q3 from calls where kind = \"in\")\n"
                     "let c \"C\" = count(q1..q3 from calls where kind = \"in\")\n"
                     "let call \"CA\" = count(q1..q3 from calls)\n"
                     "let c1 \"C1\" = count(q1 from calls where kind = \"in\")\n"
                     "let s1 \"S1\" = sum(q1 from calls where kind = \"in\")\n"
                     "let n \"N\" = count(calls where kind = \"in\")\n"
                     "let a \"A\" = avg(q2 from calls)\n"
                     "let c2 \"C2\" = count(q2 from calls)\n"
                     "let hi \"H\" = max(q3 from calls where kind = \"in\")\n"
                     "let k \"K\" = count(distinct kind from calls)\n"
                     "payout = 0\n",
         "2026-10", "r.csv", ROSTER_CSV, "c.csv",
         "m,d,q1,q2,q3,kind\nE1,2026-10-01,1,0.5,,in\nE1,2026-10-02,0,,0.25,out\nE1,2026-10-03,,1,0.75,in\n"
         "E2,2026-10-02,,,,in\n",
         NULL);
    assert_string_equal(ev.msgs, "");
    assert_string_equal(out(&ev, 0, "s3"), "3.25");  /* 1 + 0.5 + 1 + 0.75 */
    assert_string_equal(out(&ev, 0, "c"), "4");     /* the filled cells of the "in" rows */
    assert_string_equal(out(&ev, 0, "call"), "6");  /* every filled cell */
    assert_string_equal(out(&ev, 0, "c1"), "1");
    assert_string_equal(out(&ev, 0, "s1"), "1");
    assert_string_equal(out(&ev, 0, "n"), "2");
    assert_string_equal(out(&ev, 0, "a"), "0.75");
    assert_string_equal(out(&ev, 0, "c2"), "2");
    assert_string_equal(out(&ev, 0, "hi"), "0.75");
    assert_string_equal(out(&ev, 0, "k"), "2");
    assert_string_equal(out(&ev, 1, "s3"), "0");     /* an "in" row of blank cells */
    assert_string_equal(out(&ev, 1, "c"), "0");
    assert_string_equal(out(&ev, 1, "n"), "1");
    assert_string_equal(out(&ev, 1, "hi"), "blank");
    assert_string_equal(out(&ev, 2, "c"), "0");     /* no rows */
    done(&ev);
}

/* An employee whose role cell is empty has no role: a role error, not a
 * blank payout. */
static void test_blank_role(void **state)
{
    (void)state;
    Eval ev;
    eval(&ev, "roster s from \"r.csv\" {\n employee id: text\n role: text\n}\n"
              "indicator x { fact = 1\n weight = 100% }\nroles by s.role {\n \"SDR\": x\n}\npayout = kpi\n",
         "2026-10", "r.csv", "id,role\nE1,SDR\nE2,\n", NULL);
    assert_int_equal(ev.r.status, RUN_EVAL_ERROR);
    assert_non_null(strstr(ev.msgs, "error[K1005]: no indicator set for this role for employee E2"));
    done(&ev);
}

/* An error in the role itself is reported, not mistaken for "no role". */
static void test_role_error_is_reported(void **state)
{
    (void)state;
    Eval ev;
    eval(&ev, "roster s from \"r.csv\" {\n employee id: text\n role: text\n n: integer\n}\n"
              "indicator x { fact = 1\n weight = 100% }\n"
              "roles by if 1 / s.n > 0 then s.role else \"-\" {\n \"SDR\": x\n else: x\n}\npayout = kpi\n",
         "2026-10", "r.csv", "id,role,n\nE1,SDR,1\nE2,SDR,0\n", NULL);
    assert_int_equal(ev.r.status, RUN_EVAL_ERROR);
    assert_non_null(strstr(ev.msgs, "error[K1001]: division by zero for employee E2"));
    done(&ev);
}

/* -(-2^63) does not fit: a located error, never 0. */
static void test_row_negation_overflow(void **state)
{
    (void)state;
    Eval ev;
    eval(&ev, ROSTER "facts f from \"f.csv\" { employee e: text\n date d: date\n n: integer }\n"
                     "payout = s.salary * sum(-n from f)\n",
         "2026-10", "r.csv", ROSTER_CSV, "f.csv", "e,d,n\nE1,2026-10-01,-9223372036854775808\n", NULL);
    assert_int_equal(ev.r.status, RUN_DATA_ERROR);
    assert_non_null(strstr(ev.msgs, "/f.csv:2: error[K1002]: a number is out of range in the row expression at t.kpi:10:25"));
    done(&ev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scan_period_and_aggregates),
        cmocka_unit_test(test_exact_money),
        cmocka_unit_test(test_min_max_chains),
        cmocka_unit_test(test_division_by_zero_is_located),
        cmocka_unit_test(test_blank_payout_is_an_error),
        cmocka_unit_test(test_missing_plan),
        cmocka_unit_test(test_duplicate_plan),
        cmocka_unit_test(test_bad_cells_are_located),
        cmocka_unit_test(test_missing_file_and_column),
        cmocka_unit_test(test_duplicate_employee),
        cmocka_unit_test(test_teams),
        cmocka_unit_test(test_ru_dialect_and_scores),
        cmocka_unit_test(test_aggregate_shapes),
        cmocka_unit_test(test_blank_role),
        cmocka_unit_test(test_role_error_is_reported),
        cmocka_unit_test(test_row_negation_overflow),
        cmocka_unit_test(test_plans_in_any_order),
    };
    return cmocka_run_group_tests_name("vm", tests, NULL, NULL);
}
