/* test_cov_run.c - evaluation paths the examples do not take: long employee
 * ids, date and bool columns in every kind of table, row expressions with
 * every comparison, if and default, aggregates of dates, plans by
 * department; and the data errors of each (a zero in a nonzero column, a
 * score outside 0..1, a bad number, bool or date in the roster or a plan). */
#define KPI_TEST_COMPILER
#define KPI_TEST_EVAL
#include "tests/unit/testutil.h"

#define ROSTER                                                                                     \
    "roster s from \"r.csv\" {\n employee id: text\n name fio: text\n department dept: text\n" \
    " salary: money\n hired: date\n senior: bool\n}\n"
#define DEALS                                                                                      \
    "facts deals from \"d.csv\" {\n employee m: text\n date on: date\n amount: money\n cost: money\n" \
    " status: text\n signed: date\n paid: bool\n sc: score\n n: integer nonzero\n}\n"
/* ids of 18 and 13 bytes: hashed and compared past their first 8 bytes */
#define ROSTER_CSV                                                                                 \
    "id,fio,dept,salary,hired,senior\n"                                                           \
    "EMPLOYEE-LONG-0001,Ann,D1,100,2020-01-01,true\n"                                              \
    "E-12345678901,Bob,D1,200,,false\n"                                                            \
    "E2,Cid,D2,300,2025-06-30,\n"
#define DEALS_CSV                                                                                  \
    "m,on,amount,cost,status,signed,paid,sc,n\n"                                                  \
    "EMPLOYEE-LONG-0001,2026-01-05,50,10,a,2026-01-05,true,0.5,1\n"                                \
    "EMPLOYEE-LONG-0001,2026-01-06,150,20,x,2025-12-31,false,1,2\n"                                \
    "E-12345678901,2026-01-07,,30,y,2026-01-10,false,0,3\n"                                        \
    "E2,2026-02-01,999,1,a,2026-01-01,true,,1\n"

/* The value of output name for employee e: dates as YYYY-MM-DD, the rest as out() does. */
static const char *value(Eval *ev, uint32_t e, const char *name)
{
    static char buf[16];
    for (uint32_t i = 0; i < ev->p->nouts; i++)
        if (!strcmp(ev->p->outs[i].name, name)) {
            Value v = run_regs(&ev->r, e)[ev->p->outs[i].reg];
            if (v.kind != V_DATE)
                return out(ev, e, name);
            date_format((Day)(int32_t)v.aux, buf);
            return buf;
        }
    fail_msg("no output %s", name);
    return NULL;
}

static void test_row_expressions(void **state)
{
    (void)state;
    Eval ev;
    eval(&ev, ROSTER DEALS
         "let a \"A\" = sum(amount from deals where status != \"x\")\n"
         "let b \"B\" = count(deals where amount < 100)\n"
         "let c \"C\" = count(deals where amount > 100)\n"
         "let d \"D\" = max(signed from deals)\n"
         "let e \"E\" = min(signed from deals where paid)\n"
         "let f \"F\" = sum(if paid then amount else cost from deals)\n"
         "let g \"G\" = sum(amount default cost from deals)\n"
         "let h \"H\" = count(deals where signed = on)\n"
         "let k \"K\" = sum(amount from deals where paid or status = \"y\")\n"
         "let q \"Q\" = avg(sc from deals)\n"
         "let n \"N\" = sum(n from deals where signed >= on and not paid)\n"
         "let hired \"Hired\" = s.hired\n"
         "let senior \"Senior\" = s.senior\n"
         "payout = s.salary\n",
         "2026-01", "r.csv", ROSTER_CSV, "d.csv", DEALS_CSV, NULL);
    if (ev.r.status != RUN_OK)
        print_message("%s", ev.msgs);
    assert_int_equal(ev.r.status, RUN_OK);
    assert_int_equal(ev.r.nemp, 3);
    /* sorted by id: E-12345678901, E2, EMPLOYEE-LONG-0001 */
    assert_string_equal(strtab_get(&ev.r.strs, ev.r.emp_key[2], NULL), "EMPLOYEE-LONG-0001");
    assert_string_equal(value(&ev, 2, "a"), "50");
    assert_string_equal(value(&ev, 2, "b"), "1");
    assert_string_equal(value(&ev, 2, "c"), "1");
    assert_string_equal(value(&ev, 2, "d"), "2026-01-05");
    assert_string_equal(value(&ev, 2, "e"), "2026-01-05");
    assert_string_equal(value(&ev, 2, "f"), "70");
    assert_string_equal(value(&ev, 2, "g"), "200");
    assert_string_equal(value(&ev, 2, "h"), "1");
    assert_string_equal(value(&ev, 2, "k"), "50");
    assert_string_equal(value(&ev, 2, "q"), "0.75");
    assert_string_equal(value(&ev, 2, "n"), "0");
    assert_string_equal(value(&ev, 2, "hired"), "2020-01-01");
    assert_string_equal(value(&ev, 2, "senior"), "true");
    /* Bob: an empty amount is blank, so default takes the cost; no paid rows */
    assert_string_equal(strtab_get(&ev.r.strs, ev.r.emp_key[0], NULL), "E-12345678901");
    assert_string_equal(value(&ev, 0, "a"), "0");
    assert_string_equal(value(&ev, 0, "g"), "30");
    assert_string_equal(value(&ev, 0, "f"), "30");
    assert_string_equal(value(&ev, 0, "k"), "0");
    assert_string_equal(value(&ev, 0, "e"), "blank");
    assert_string_equal(value(&ev, 0, "d"), "2026-01-10");
    assert_string_equal(value(&ev, 0, "n"), "3");
    assert_string_equal(value(&ev, 0, "hired"), "blank");
    assert_string_equal(value(&ev, 0, "senior"), "false");
    /* E2's only row is in February */
    assert_string_equal(value(&ev, 1, "d"), "blank");
    assert_string_equal(value(&ev, 1, "senior"), "blank");
    done(&ev);
}

/* Row logic is three-valued (false AND blank is false, true OR blank is
 * true, otherwise blank stays blank and a filter drops the row), and a
 * date memo of two months still reads a third that comes between them. */
static void test_row_logic_and_months(void **state)
{
    (void)state;
    Eval ev;
    eval(&ev, ROSTER DEALS
         "let and1 \"A1\" = count(deals where paid and amount > 15)\n"
         "let and2 \"A2\" = count(deals where paid and amount < 50)\n"
         "let or1 \"O1\" = count(deals where paid or amount > 15)\n"
         "let or2 \"O2\" = count(deals where paid or amount > 50)\n"
         "let nand \"NA\" = count(deals where not (paid and amount > 15))\n"
         "let nor \"NO\" = count(deals where not (paid or amount > 50))\n"
         "let first \"First\" = min(on from deals)\n"
         "let last \"Last\" = max(on from deals)\n"
         "payout = s.salary\n",
         "2026-01", "r.csv", ROSTER_CSV, "d.csv",
         "m,on,amount,cost,status,signed,paid,sc,n\n"
         "E2,2025-12-31,10,0,a,2026-01-01,true,,1\n"
         "E2,2026-01-05,10,0,a,2026-01-01,true,,1\n"
         "E2,2026-02-01,10,0,a,2026-01-01,true,,1\n"
         "E2,2026-01-31,20,0,a,2026-01-01,false,,1\n"
         "E2,2025-12-01,10,0,a,2026-01-01,true,,1\n"
         "E2,2026-01-01,40,0,a,2026-01-01,,,1\n",
         NULL);
    if (ev.r.status != RUN_OK)
        print_message("%s", ev.msgs);
    assert_int_equal(ev.r.status, RUN_OK);
    /* E2's January: (true, 10), (false, 20), (blank, 40) */
    assert_string_equal(value(&ev, 1, "and1"), "0");
    assert_string_equal(value(&ev, 1, "and2"), "1");
    assert_string_equal(value(&ev, 1, "or1"), "3");
    assert_string_equal(value(&ev, 1, "or2"), "1");
    assert_string_equal(value(&ev, 1, "nand"), "2");
    assert_string_equal(value(&ev, 1, "nor"), "1");
    assert_string_equal(value(&ev, 1, "first"), "2026-01-01");
    assert_string_equal(value(&ev, 1, "last"), "2026-01-31");
    done(&ev);
}

/* A data error is located: file, row, column and what is wrong. */
static void data_error_p(const char *scheme, const char *roster, const char *deals, const char *plans,
                         const char *want)
{
    Eval ev;
    eval(&ev, scheme, "2026-01", "r.csv", roster, "d.csv", deals, "p.csv", plans, NULL);
    if (!strstr(ev.msgs, want))
        print_message("expected\n  %s\nin:\n%s\n", want, ev.msgs);
    assert_non_null(strstr(ev.msgs, want));
    assert_int_equal(ev.r.status, RUN_DATA_ERROR);
    done(&ev);
}

static void data_error(const char *scheme, const char *roster, const char *deals, const char *want)
{
    data_error_p(scheme, roster, deals, "", want);
}

/* The scan's fast paths (plain digits, 0/1 bools, dates read through the
 * month they share with the row before) agree with the general parsers
 * that take every other cell: spaces, extra zeros, words, other months. */
#define CELLS                                                                                      \
    "facts deals from \"d.csv\" {\n employee m: text\n date on: date\n a: money\n q: score\n"       \
    " n: integer empty zero\n b: bool\n}\n"                                                            \
    "let sa \"SA\" = sum(a from deals)\nlet aq \"AQ\" = avg(q from deals) default 0\n"               \
    "let cn \"CN\" = count(n from deals)\nlet sn \"SN\" = sum(n from deals)\n"                        \
    "let cb \"CB\" = count(deals where b)\nlet last \"Last\" = max(on from deals)\n"                   \
    "let first \"First\" = min(on from deals)\npayout = s.salary\n"

static void test_fast_cells_agree(void **state)
{
    (void)state;
    Eval ev;
    eval(&ev, ROSTER CELLS, "2026-01", "r.csv", ROSTER_CSV, "d.csv",
         "m,on,a,q,n,b\n"
         "E2,2026-01-31,12.5,1,,1\n"       /* fast cells; an empty n is zero */
         "E2,2026-02-01,100,0,5,0\n"       /* another month: outside the period */
         "E2,2026-01-01, 7.25 ,0.5,3,да\n" /* back to January; spaces, a word */
         "E2,2026-01-15,1.230,,2,true\n"   /* a zero past the places; an empty score */
         "E2,2025-01-15,1,1,1,1\n",        /* the same month of another year */
         NULL);
    assert_int_equal(ev.r.status, RUN_OK);
    assert_string_equal(value(&ev, 1, "sa"), "20.98");
    assert_string_equal(value(&ev, 1, "aq"), "0.75");
    assert_string_equal(value(&ev, 1, "cn"), "3");
    assert_string_equal(value(&ev, 1, "sn"), "5");
    assert_string_equal(value(&ev, 1, "cb"), "3");
    assert_string_equal(value(&ev, 1, "last"), "2026-01-31");
    assert_string_equal(value(&ev, 1, "first"), "2026-01-01");
    done(&ev);
    eval(&ev, ROSTER "facts deals from \"d.csv\" {\n format ru\n employee m: text\n date on: date\n"
                     " x: decimal\n}\nlet x \"X\" = sum(x from deals)\nlet last \"Last\" = max(on from deals)\n"
                     "payout = s.salary\n",
         "2026-01", "r.csv", ROSTER_CSV, "d.csv", "m;on;x\nE2;31.01.2026;1,5\nE2;01.02.2026;2\nE2;05.01.2026;2,25\n",
         NULL);
    assert_int_equal(ev.r.status, RUN_OK);
    assert_string_equal(value(&ev, 1, "x"), "3.75");
    assert_string_equal(value(&ev, 1, "last"), "2026-01-31");
    done(&ev);
}

/* A column of few distinct numbers is read through the values of the cells
 * seen before, past a batch; a cell that is wrong is wrong every time. */
static void test_repeated_cells(void **state)
{
    (void)state;
    Buf d = BUF_INIT;
    buf_adds(&d, "m,on,a,q,n,b\n");
    static const char *const q[] = {"0.5", "1", "0", "0.25", "1"};
    for (unsigned i = 0; i < 9000; i++) /* a = 1.5 or 2; q sums to 0.55 per row on average */
        buf_printf(&d, "E2,2026-01-%02u,%s,%s,%u,1\n", 1 + i % 28, i % 2 ? "1.5" : "2", q[i % 5], i % 3);
    Eval ev;
    eval(&ev, ROSTER CELLS, "2026-01", "r.csv", ROSTER_CSV, "d.csv", buf_cstr(&d), NULL);
    assert_int_equal(ev.r.status, RUN_OK);
    assert_string_equal(value(&ev, 1, "sa"), "15750");   /* 4500 * 1.5 + 4500 * 2 */
    assert_string_equal(value(&ev, 1, "aq"), "0.55");    /* (0.5 + 1 + 0 + 0.25 + 1) / 5 */
    assert_string_equal(value(&ev, 1, "sn"), "9000");    /* 3000 * (0 + 1 + 2) */
    done(&ev);
    buf_adds(&d, "E2,2026-01-05,2,1.5,1,1\n");   /* a score past 1 after 9000 good ones */
    data_error(ROSTER CELLS, ROSTER_CSV, buf_cstr(&d), "d.csv:9002:4: error[K0905]: score '1.5' in column q is outside 0..1");
    buf_free(&d);
}

/* A text column against a constant of up to 8 bytes is compared as words:
 * longer and shorter cells, a prefix, one byte off, a blank cell, and a
 * constant of 8 bytes and of 9 (compared the general way). */
static void test_text_against_constants(void **state)
{
    (void)state;
    Eval ev;
    eval(&ev, ROSTER "facts deals from \"d.csv\" {\n employee m: text\n date on: date\n st: text\n}\n"
                     "let a \"A\" = count(deals where st = \"paid\")\n"
                     "let b \"B\" = count(deals where st != \"paid\")\n"
                     "let c \"C\" = count(deals where st = \"cancel08\")\n"
                     "let d \"D\" = count(deals where st = \"cancelled\")\n"
                     "let e \"E\" = count(deals where st = \"да\")\npayout = s.salary\n",
         "2026-01", "r.csv", ROSTER_CSV, "d.csv",
         "m,on,st\nE2,2026-01-05,paid\nE2,2026-01-05,paid\nE2,2026-01-05,pai\nE2,2026-01-05,paidd\n"
         "E2,2026-01-05,Paid\nE2,2026-01-05,\nE2,2026-01-05,\"paid\"\nE2,2026-01-05,cancel08\n"
         "E2,2026-01-05,cancel0\nE2,2026-01-05,cancelled\nE2,2026-01-05,cancelle\nE2,2026-01-05,да\n",
         NULL);
    assert_int_equal(ev.r.status, RUN_OK);
    assert_string_equal(value(&ev, 1, "a"), "3");  /* two plain, one quoted */
    assert_string_equal(value(&ev, 1, "b"), "8");  /* the blank cell is neither */
    assert_string_equal(value(&ev, 1, "c"), "1");
    assert_string_equal(value(&ev, 1, "d"), "1");
    assert_string_equal(value(&ev, 1, "e"), "1");
    done(&ev);
}

/* A day past its month is an error though the month was seen before. */
static void test_day_past_its_month(void **state)
{
    (void)state;
    const char *scheme = ROSTER CELLS;
    data_error(scheme, ROSTER_CSV, "m,on,a,q,n,b\nE2,2026-02-01,1,1,1,1\nE2,2026-02-29,1,1,1,1\n",
               "d.csv:3:2: error[K0905]: '2026-02-29' in column on is not a date");
    data_error(scheme, ROSTER_CSV, "m,on,a,q,n,b\nE2,2026-04-30,1,1,1,1\nE2,2026-04-31,1,1,1,1\n",
               "d.csv:3:2: error[K0905]: '2026-04-31' in column on is not a date");
    data_error(scheme, ROSTER_CSV, "m,on,a,q,n,b\nE2,2026-01-05,1,1,1,1\nE2,2026-01-00,1,1,1,1\n",
               "d.csv:3:2: error[K0905]: '2026-01-00' in column on is not a date");
    data_error(scheme, ROSTER_CSV, "m,on,a,q,n,b\nE2,2026-01-05,1,1,1,1\nE2,2026-13-05,1,1,1,1\n",
               "d.csv:3:2: error[K0905]: '2026-13-05' in column on is not a date");
}

static void test_data_errors(void **state)
{
    (void)state;
    const char *scheme = ROSTER DEALS "let x \"X\" = sum(n from deals) + sum(sc from deals)\n"
                                      "let z \"Z\" = max(signed from deals)\n"
                                      "let h \"H\" = s.hired\nlet y \"Y\" = s.senior\npayout = s.salary\n";
    data_error(scheme, ROSTER_CSV, "m,on,amount,cost,status,signed,paid,sc,n\nE2,2026-01-05,1,1,a,2026-01-05,true,0.5,0\n",
               "d.csv:2:9: error[K0905]: zero in column n, which is declared nonzero");
    data_error(scheme, ROSTER_CSV, "m,on,amount,cost,status,signed,paid,sc,n\nE2,2026-01-05,1,1,a,2026-01-05,true,1.5,1\n",
               "d.csv:2:8: error[K0905]: score '1.5' in column sc is outside 0..1");
    data_error(scheme, ROSTER_CSV, "m,on,amount,cost,status,signed,paid,sc,n\nE2,2026-01-05,1,1,a,05.01.2026,true,1,1\n",
               "d.csv:2:6: error[K0905]:");
    data_error(scheme, "id,fio,dept,salary,hired,senior\nE2,Cid,D2,300,2025-13-01,true\n", DEALS_CSV,
               "r.csv:2:5: error[K0905]:");
    data_error(scheme, "id,fio,dept,salary,hired,senior\nE2,Cid,D2,300,2025-01-01,maybe\n", DEALS_CSV,
               "r.csv:2:6: error[K0905]:");
    data_error(scheme, "id,fio,dept,salary,hired,senior\nE2,Cid,D2,3x0,2025-01-01,true\n", DEALS_CSV,
               "r.csv:2:4: error[K0905]: '3x0' in column salary:");
    data_error(scheme, ROSTER_CSV, "m,on,amount,cost,status,signed,paid,sc,n\nE2,2026-01-05,1,1,a,2026-01-05,true,0.5,1.5\n",
               "d.csv:2:9: error[K0905]: '1.5' in column n: it has decimal places (expected a whole number)");
    data_error(scheme, ROSTER_CSV, "m,on,amount,cost,status,signed,paid,sc,n\nE2,2026-01-05,1,1,a,2026-01-05,true,abc,1\n",
               "d.csv:2:8: error[K0905]: 'abc' in column sc: it is not a number (expected a score from 0 to 1, "
               "or an empty cell)");
    data_error(ROSTER "facts deals from \"d.csv\" {\n delimiter \"\\t\"\n employee m: text\n date on: date\n x: decimal\n}\n"
               "let x \"X\" = sum(x from deals)\npayout = s.salary\n",
               ROSTER_CSV, "m,on,x\nE2,2026-01-05,1\n",
               "d.csv:1: error[K0903]: the header is one column \"m,on,x\": the file separates fields with ',', the "
               "table with '\\t'; write delimiter \",\" in table deals");
    data_error(ROSTER "facts deals from \"d.csv\" {\n format ru\n employee m: text\n date on: date\n x: decimal\n}\n"
               "let x \"X\" = sum(x from deals)\npayout = s.salary\n",
               ROSTER_CSV, "m;on;x\nE2;05.01.2026;1.5.2\n",
               "d.csv:2:3: error[K0905]: '1.5.2' in column x: it is not a number (expected a number like 12,5)");
}

/* Row sums and differences past int64 are errors of their rows; a blank
 * row beside them is not (its cell's value is not looked at). */
static void test_row_arithmetic_overflow(void **state)
{
    (void)state;
    const char *csv = "m,on,amount,cost,status,signed,paid,sc,n\n"
                      "E2,2026-01-05,,-90000000000000000,a,2026-01-05,true,0.5,1\n"
                      "E2,2026-01-05,90000000000000000,-90000000000000000,a,2026-01-05,true,0.5,1\n"
                      "E2,2026-01-05,1,2,a,2026-01-05,true,0.5,1\n"
                      "E2,2026-01-05,90000000000000000,90000000000000000,a,2026-01-05,true,0.5,1\n";
    data_error(ROSTER DEALS "let d \"D\" = sum(amount - cost from deals)\npayout = s.salary\n", ROSTER_CSV, csv,
               "d.csv:3: error[K1002]: a number is out of range in the row expression at t.kpi:20:17");
    data_error(ROSTER DEALS "let d \"D\" = sum(amount + cost from deals)\npayout = s.salary\n", ROSTER_CSV, csv,
               "d.csv:5: error[K1002]: a number is out of range in the row expression at t.kpi:20:17");
    /* a product of a blank row whose value would overflow stays plain
     * blank: is_blank of it is true, and equal to true */
    Eval ev;
    eval(&ev, ROSTER DEALS
         "let bl \"BL\" = count(deals where is_blank((if paid then amount else cost) * 1000) = true)\n"
         "payout = s.salary\n",
         "2026-01", "r.csv", ROSTER_CSV, "d.csv",
         "m,on,amount,cost,status,signed,paid,sc,n\n"
         "E2,2026-01-05,1,90000000000000000,a,2026-01-05,,0.5,1\n"
         "E2,2026-01-05,1,2,a,2026-01-05,true,0.5,1\n",
         NULL);
    if (ev.r.status != RUN_OK)
        print_message("%s", ev.msgs);
    assert_int_equal(ev.r.status, RUN_OK);
    assert_string_equal(value(&ev, 1, "bl"), "1");
    done(&ev);
    eval(&ev, ROSTER DEALS "let d \"D\" = sum(amount - cost from deals)\npayout = s.salary\n", "2026-01", "r.csv",
         ROSTER_CSV, "d.csv", csv, NULL);
    assert_null(strstr(ev.msgs, "d.csv:2:"));
    assert_null(strstr(ev.msgs, "d.csv:4:"));
    assert_null(strstr(ev.msgs, "d.csv:5:"));
    done(&ev);
}

/* A plans table keyed by department, with a score column and a bool. */
#define DEPT_PLANS                                                                                 \
    "plans dp from \"p.csv\" {\n department d: text\n period month: period\n target: money\n"     \
    " share: score\n open: bool\n}\n"

static void test_department_plans(void **state)
{
    (void)state;
    Eval ev;
    eval(&ev, ROSTER DEALS DEPT_PLANS
         "let t \"T\" = dp.target\nlet sh \"Sh\" = dp.share\nlet o \"O\" = dp.open\n"
         "let x \"X\" = count(deals) + sum(n from deals) * 0\npayout = s.salary\n",
         "2026-01", "r.csv", ROSTER_CSV, "d.csv", DEALS_CSV, "p.csv",
         "d,month,target,share,open\nD1,2026-01,1000,0.25,true\nD1,2026-02,2000,0.5,false\n", NULL);
    /* D2 has no row for the month: an error of the data that names its employee */
    assert_non_null(strstr(ev.msgs, "error[K1004]: no plan for employee E2 (Cid) in period 2026-01"));
    assert_int_equal(ev.r.status, RUN_DATA_ERROR);
    assert_string_equal(value(&ev, 0, "t"), "1000");
    assert_string_equal(value(&ev, 0, "sh"), "0.25");
    assert_string_equal(value(&ev, 0, "o"), "true");
    assert_string_equal(value(&ev, 2, "t"), "1000");
    done(&ev);
    const char *scheme = ROSTER DEALS DEPT_PLANS "let sh \"Sh\" = dp.share + count(deals) * 0\nlet o \"O\" = dp.open\n"
                                                 "payout = s.salary\n";
    data_error_p(scheme, ROSTER_CSV, DEALS_CSV, "d,month,target,share,open\nD1,2026-01,1000,1.25,true\n",
                 "p.csv:2:4: error[K0905]: score '1.25' in column share is outside 0..1");
    data_error_p(scheme, ROSTER_CSV, DEALS_CSV, "d,month,target,share,open\nD1,2026-01,1000,0.25,yes?\n",
                 "p.csv:2:5: error[K0905]: 'yes?' in column open is not true/false, 1/0, yes/no or да/нет");
}

/* Plans are held as 8-byte cells: every kind of column reads back as it
 * was written, blanks and empty-as-zero cells too, the largest money. */
static void test_plan_cells(void **state)
{
    (void)state;
    Eval ev;
    eval(&ev, ROSTER DEALS
         "plans q from \"q.csv\" {\n employee id: text\n due: date\n note: text\n ok: bool\n"
         " big: money\n low: decimal\n miss: money\n zero: money empty zero\n}\n"
         "let due \"Due\" = q.due\nlet note \"Note\" = q.note\nlet ok \"Ok\" = q.ok\nlet big \"Big\" = q.big\n"
         "let low \"Low\" = q.low\nlet miss \"Miss\" = q.miss\nlet zero \"Zero\" = q.zero\n"
         "let x \"X\" = count(deals) + sum(n from deals) * 0\npayout = s.salary default 0\n",
         "2026-01", "r.csv", ROSTER_CSV, "d.csv", DEALS_CSV, "q.csv",
         "id,due,note,ok,big,low,miss,zero\n"
         "EMPLOYEE-LONG-0001,2026-01-31,first,true,92233720368547758.07,-0.125,,\n"
         "E-12345678901,,,false,-92233720368547758.07,3,1.5,2\n"
         "E2,1999-12-31,x,,0.01,0.0001,0,0\n", NULL);
    if (ev.r.status != RUN_OK)
        print_message("%s", ev.msgs);
    assert_int_equal(ev.r.status, RUN_OK);
    /* employees in key order: E-12345678901, E2, EMPLOYEE-LONG-0001 */
    assert_string_equal(value(&ev, 2, "due"), "2026-01-31");
    assert_string_equal(ev.p->outs[1].name, "note");
    Value note = run_regs(&ev.r, 2)[ev.p->outs[1].reg];
    assert_int_equal(note.kind, V_TEXT);
    assert_string_equal(strtab_get(&ev.r.strs, note.aux, NULL), "first");
    assert_string_equal(value(&ev, 2, "ok"), "true");
    assert_string_equal(value(&ev, 2, "big"), "92233720368547758.07");
    assert_string_equal(value(&ev, 2, "low"), "-0.125");
    assert_string_equal(value(&ev, 2, "miss"), "blank");
    assert_string_equal(value(&ev, 2, "zero"), "0");
    assert_string_equal(value(&ev, 0, "due"), "blank");
    assert_string_equal(value(&ev, 0, "note"), "blank");
    assert_string_equal(value(&ev, 0, "ok"), "false");
    assert_string_equal(value(&ev, 0, "big"), "-92233720368547758.07");
    assert_string_equal(value(&ev, 0, "low"), "3");
    assert_string_equal(value(&ev, 0, "miss"), "1.5");
    assert_string_equal(value(&ev, 0, "zero"), "2");
    assert_string_equal(value(&ev, 1, "due"), "1999-12-31");
    assert_string_equal(value(&ev, 1, "ok"), "blank");
    assert_string_equal(value(&ev, 1, "low"), "0.0001");
    done(&ev);
}

/* A cell whose scaled value is INT64_MIN would be taken for blank (the
 * 8-byte cell's mark): it is out of range, named with its row and column. */
static void test_plan_cell_of_int64_min(void **state)
{
    (void)state;
    Eval ev;
    eval(&ev, ROSTER DEALS "plans q from \"q.csv\" {\n employee id: text\n big: money\n}\n"
                           "let big \"Big\" = q.big\nlet x \"X\" = count(deals) + sum(n from deals) * 0\n"
                           "payout = s.salary default 0\n",
         "2026-01", "r.csv", ROSTER_CSV, "d.csv", DEALS_CSV, "q.csv",
         "id,big\nE2,-92233720368547758.08\n", NULL);
    assert_int_equal(ev.r.status, RUN_DATA_ERROR);
    assert_non_null(strstr(ev.msgs, "/q.csv:2:2: error[K0905]: '-92233720368547758.08' in column big: the number is "
                                    "too large (expected an amount like 1234.56)\n"));
    done(&ev);
}

#define TEAM_ROSTER                                                                                \
    "roster s from \"r.csv\" {\n employee id: text\n name fio: text\n department dept: text\n" \
    " salary: money\n rate: decimal\n grade: text\n}\n"
/* Bob's salary is empty, Cid has no grade */
#define TEAM_CSV                                                                                   \
    "id,fio,dept,salary,rate,grade\nA1,Ann,D1,100,1,g1\nA2,Bob,D1,,2,g1\nA3,Cid,D1,300,1.00,\n"     \
    "A4,Dan,D2,50,0,g2\n"

static void test_teams(void **state)
{
    (void)state;
    Eval ev;
    eval(&ev, TEAM_ROSTER
         "team t by s.grade { lo = min(s.salary)\n hi = max(s.salary)\n av = avg(s.salary)\n n = count(s.id)\n"
         " paid2 = sum(s.salary where s.rate > 1)\n}\n"
         "team by_rate by s.rate { n = count(s.id) }\n"
         "let lo \"Lo\" = t.lo\nlet hi \"Hi\" = t.hi\nlet av \"Av\" = t.av\nlet n \"N\" = t.n\n"
         "let paid2 \"P2\" = t.paid2\nlet same_rate \"R\" = by_rate.n\npayout = s.salary default 0\n",
         "2026-01", "r.csv", TEAM_CSV, NULL);
    if (ev.r.status != RUN_OK)
        print_message("%s", ev.msgs);
    assert_int_equal(ev.r.status, RUN_OK);
    /* g1: Bob's blank salary is skipped by min, max and avg, but he is counted */
    assert_string_equal(out(&ev, 0, "lo"), "100");
    assert_string_equal(out(&ev, 0, "hi"), "100");
    assert_string_equal(out(&ev, 0, "av"), "100");
    assert_string_equal(out(&ev, 0, "n"), "2");
    assert_string_equal(out(&ev, 1, "paid2"), "0");
    assert_string_equal(out(&ev, 3, "av"), "50");
    /* Cid, without a grade, is in no group: every field is blank for him */
    assert_string_equal(out(&ev, 2, "n"), "blank");
    assert_string_equal(out(&ev, 2, "av"), "blank");
    /* grouped by a number column: rates 1 and 1.00 (Ann, Cid), 2 (Bob), 0 (Dan) */
    assert_string_equal(out(&ev, 0, "same_rate"), "2");
    assert_string_equal(out(&ev, 1, "same_rate"), "1");
    assert_string_equal(out(&ev, 3, "same_rate"), "1");
    done(&ev);
    /* a member's error (Dan's salary / rate 0) makes his group's field that error */
    eval(&ev, TEAM_ROSTER "team t by s.grade { av = avg(s.salary / s.rate default 0)\n worst = min(s.salary / s.rate) }\n"
         "let av \"Av\" = t.av\nlet w \"W\" = t.worst default -1\npayout = s.salary default 0\n",
         "2026-01", "r.csv", TEAM_CSV, NULL);
    /* g1: Ann 100, Bob's blank / 2 is blank, which default makes 0 */
    assert_string_equal(out(&ev, 0, "av"), "50");
    assert_string_equal(out(&ev, 0, "w"), "100");
    assert_string_equal(out(&ev, 3, "av"), "0");
    assert_string_equal(out(&ev, 3, "w"), "-1");
    done(&ev);
    /* with every register kept, an employee's error in a stratum before the
     * last is found and named (the last pass runs only the last stratum) */
    eval(&ev, TEAM_ROSTER "team t by s.grade { n = count(s.id) }\n"
         "let bad \"Bad\" = 100 / (s.rate - 2)\nlet n \"N\" = t.n\npayout = s.salary default 0\n",
         "2026-01", "r.csv", TEAM_CSV, NULL);
    assert_int_equal(ev.r.status, RUN_EVAL_ERROR);
    assert_non_null(strstr(ev.msgs, "division by zero for employee A2 (Bob)"));
    assert_string_equal(out(&ev, 0, "bad"), "-100");
    done(&ev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_row_expressions),
        cmocka_unit_test(test_row_logic_and_months),
        cmocka_unit_test(test_fast_cells_agree),
        cmocka_unit_test(test_day_past_its_month),
        cmocka_unit_test(test_repeated_cells),
        cmocka_unit_test(test_text_against_constants),
        cmocka_unit_test(test_data_errors),
        cmocka_unit_test(test_row_arithmetic_overflow),
        cmocka_unit_test(test_department_plans),
        cmocka_unit_test(test_plan_cells),
        cmocka_unit_test(test_plan_cell_of_int64_min),
        cmocka_unit_test(test_teams),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
