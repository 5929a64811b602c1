/* test_compiler.c - name resolution, types, folding, code generation, and
 * the .kpc file: exact opcode listings and exact error messages. */
#define KPI_TEST_COMPILER
#include "tests/unit/testutil.h"

#include "compiler/disasm.h"
#include "vm/kpc.h"

#define ROSTER "roster s from \"r.csv\" {\n employee id: text\n department dept: text\n salary: money\n grade: text\n}\n"
#define DEALS "facts deals from \"d.csv\" {\n employee m: text\n date on: date\n amount: money\n cost: money\n status: text\n client: text\n}\n"
#define PLANS "plans plan from \"p.csv\" {\n employee id: text\n period month: period\n revenue: money\n}\n"

static char *listing(Program *p, unsigned stratum)
{
    Buf b = BUF_INIT;
    disasm_program(p, &b);
    char head[32];
    snprintf(head, sizeof head, "stratum %u:\n", stratum);
    const char *s = strstr(buf_cstr(&b), head);
    assert_non_null(s);
    s += strlen(head);
    const char *e = strstr(s, "stratum ");
    const char *c = strstr(s, "\nconstants:");
    if (!e || (c && c < e))
        e = c;
    char *out = kpi_strndup(s, (size_t)(e - s));
    buf_free(&b);
    return out;
}

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

/* ---- code generation ---- */
static void test_codegen_listing(void **state)
{
    (void)state;
    Program *p = compile_ok(ROSTER "payout = s.salary * 2\n");
    char *l = listing(p, 0);
    assert_string_equal(l,
        "  0000    7  ROSTER       r2 s.salary                ; explain: read\n"
        "  0001    |  MUL          r1 r2 k0                   ; k0=2\n"
        "  0002    |  ROUND        r0 r1 k1 half_away_from_zero ; r0=payout k1=0.01, explain: round\n"
        "  0003    1  RET         \n");
    kpi_free(l);
    free_program(p);
}

static void test_constant_folding(void **state)
{
    (void)state;
    Program *p = compile_ok(ROSTER "param a = 2\nlet b = a * 3 + 1\nlet c \"C\" = 0.1 + 0.2 = 0.3\npayout = b\n");
    char *l = listing(p, 0);
    assert_non_null(strstr(l, "LOADK        r0 k0                      ; r0=a k0=2"));
    assert_non_null(strstr(l, "LOADK        r1 k1                      ; r1=b k1=7"));
    assert_non_null(strstr(l, "LOADK        r2 k2                      ; r2=c k2=true"));
    kpi_free(l);
    free_program(p);
}

static void test_bands_code(void **state)
{
    (void)state;
    Program *p = compile_ok(ROSTER "let k = bands {\n s.salary < 100 -> 1\n else -> 2\n}\npayout = k\n");
    char *l = listing(p, 0);
    assert_string_equal(l,
        "  0000    8  ROSTER       r4 s.salary                ; explain: read\n"
        "  0001    |  LT           r3 r4 k0                   ; k0=100\n"
        "  0002    |  JNOTBOOL     r3 -> 0010\n"
        "  0003    |  JFALSE       r3 -> 0007\n"
        "  0004    |  LOADK        r0 k1                      ; r0=k k1=1\n"
        "  0005    |  LOADI        r2 1                       ; r2=band#0, explain: band\n"
        "  0006    |  JMP          -> 0012\n"
        "  0007    9  LOADK        r0 k2                      ; r0=k k2=2\n"
        "  0008    |  LOADI        r2 2                       ; r2=band#0, explain: band\n"
        "  0009    |  JMP          -> 0012\n"
        "  0010    7  MOVE         r0 r3                      ; r0=k, explain: no_band\n"
        "  0011    |  LOADI        r2 0                       ; r2=band#0\n"
        "  0012   11  ROUND        r1 r0 k3 half_away_from_zero ; r1=payout r0=k k3=0.01, explain: round\n"
        "  0013    1  RET         \n");
    kpi_free(l);
    free_program(p);
}

static void test_row_program(void **state)
{
    (void)state;
    Program *p = compile_ok(ROSTER DEALS "let m = sum(amount - cost * 2 from deals where status = \"won\")\n"
                                         "let n = count(distinct client from deals)\npayout = m * n\n");
    Buf b = BUF_INIT;
    disasm_program(p, &b);
    const char *d = buf_cstr(&b);
    assert_non_null(strstr(d, "  vec v3 num scale 2 = column amount\n  vec v4 num scale 2 = column cost\n"
                              "  vec v5 num scale 0\n  vec v6 num scale 2\n"));
    assert_non_null(strstr(d, "  0000   15  ROW_CONST    v1 k0                      ; k0=\"won\"\n"
                              "  0001    |  ROW_EQ       v2 v0 v1\n"
                              "  0002    |  ROW_CONST    v5 k1                      ; k1=2\n"
                              "  0003    |  ROW_MUL      v6 v4 v5\n" /* cost * 2: scale 2 + 0 */
                              "  0004    |  ROW_SUB      v7 v3 v6\n"
                              "  agg g0 = sum(v7) where v2  ; line 15\n"
                              "  agg g1 = count_distinct(v8)  ; line 16\n"));
    buf_free(&b);
    free_program(p);
}

/* The same filter written in three indicators, its constant in a fourth,
 * and the constant 2 of a comparison (rescaled to money) and of a product
 * (as it is) are each computed once per batch. */
static void test_row_subexpressions_are_shared(void **state)
{
    (void)state;
    Program *p = compile_ok(ROSTER DEALS "let a = sum(amount from deals where status = \"won\")\n"
                                         "let b = count(deals where status = \"won\")\n"
                                         "let c = sum(amount - cost from deals where status = \"won\" and amount > 2)\n"
                                         "let d = sum(cost * 2 from deals where status != \"won\")\n"
                                         "payout = a + b * 1 + c + d\n");
    Buf b = BUF_INIT;
    disasm_program(p, &b);
    const char *d = buf_cstr(&b);
    assert_non_null(strstr(d, "  0000   15  ROW_CONST    v1 k0                      ; k0=\"won\"\n"
                              "  0001    |  ROW_EQ       v2 v0 v1\n"
                              "  0002   17  ROW_CONST    v4 k1                      ; k1=2\n"
                              "  0003    |  ROW_RESCALE  v5 v4 2\n"
                              "  0004    |  ROW_GT       v6 v3 v5\n"
                              "  0005    |  ROW_AND      v7 v2 v6\n"
                              "  0006    |  ROW_SUB      v9 v3 v8\n"
                              "  0007   18  ROW_NE       v10 v0 v1\n"
                              "  0008    |  ROW_MUL      v11 v8 v4\n"
                              "  agg g0 = sum(v3) where v2  ; line 15\n"
                              "  agg g1 = count_rows() where v2  ; line 16\n"
                              "  agg g2 = sum(v9) where v7  ; line 17\n"
                              "  agg g3 = sum(v11) where v10  ; line 18\n"));
    assert_int_equal(p->tables[1].ncode, 9);
    buf_free(&b);
    free_program(p);
}

static void test_equal_aggregates_are_shared(void **state)
{
    (void)state;
    Program *p = compile_ok(ROSTER DEALS "let a = sum(amount from deals)\nlet b = sum(amount from deals) * 2\npayout = a + b\n");
    assert_int_equal(p->naggs, 1);
    free_program(p);
}

/* ---- errors ---- */
static void test_unknown_column(void **state)
{
    (void)state;
    assert_compile_error(ROSTER DEALS "payout = sum(amout from deals)\n",
                         "t.kpi:15:14: error[K0201]: unknown name 'amout'");
    assert_compile_error(ROSTER DEALS "payout = sum(amout from deals)\n", "help: did you mean 'amount'?");
    assert_compile_error(ROSTER "payout = s.salry\n", "error[K0202]: table 's' has no column 'salry'");
    assert_compile_error(ROSTER "payout = s.salry\n", "note: columns of s: id, dept, salary, grade");
}

static void test_unknown_name_suggests(void **state)
{
    (void)state;
    assert_compile_error(ROSTER "let выручка = 1\npayout = выручко\n",
                         "error[K0201]: unknown name 'выручко'\n 8 | payout = выручко\n   |          ^~~~~~~\n"
                         "  help: did you mean 'выручка'?");
}

static void test_cycles(void **state)
{
    (void)state;
    assert_compile_error(ROSTER "let a = b + 1\nlet b = a * 2\npayout = a\n", "depends on itself");
    assert_compile_error(ROSTER "indicator x {\n fact = 1\n only if x.score > 0\n}\npayout = 1\n",
                         "t.kpi:9:10: error[K0601]: the 'only if' condition of indicator 'x' depends on itself");
}

static void test_types(void **state)
{
    (void)state;
    assert_compile_error(ROSTER "payout = s.grade + 1\n",
                         "an operand of arithmetic must be a number, but this is a text");
    assert_compile_error(ROSTER "let x = s.grade < \"A\"\npayout = 1\n", "a text can only be compared with = or !=");
    assert_compile_error(ROSTER "let x = if s.salary then 1 else 2\npayout = x\n",
                         "the condition of if must be a bool, but this is a number");
    assert_compile_error(ROSTER "payout = \"x\"\n", "the payout must be a number, but this is a text");
}

static void test_row_expression_limits(void **state)
{
    (void)state;
    assert_compile_error(ROSTER DEALS "payout = sum(amount / cost from deals)\n", "division inside a row expression");
    assert_compile_error(ROSTER DEALS "payout = sum(amount * s.salary from deals)\n",
                         "'s.salary' differs from employee to employee");
    Program *ok = compile_ok(ROSTER DEALS "payout = sum(amount * (1/4) from deals)\n");
    free_program(ok);
    assert_compile_error(ROSTER DEALS "payout = sum(amount * (1/3) from deals)\n",
                         "a constant in a row expression must be a decimal (this one repeats)");
    assert_compile_error(ROSTER DEALS "payout = sum(sum(amount from deals) from deals)\n",
                         "an aggregate cannot be inside another aggregate");
    assert_compile_error(ROSTER DEALS "payout = deals.amount\n", "'deals' is a fact table: it has many rows per employee");
}

static void test_scheme_structure(void **state)
{
    (void)state;
    assert_compile_error(ROSTER "let a = 1\n", "the scheme has no payout");
    assert_compile_error("payout = 1\n", "the scheme has no roster");
    assert_compile_error(ROSTER "indicator x { fact = 1 }\nkpi = weighted_sum()\npayout = kpi\n",
                         "indicator 'x' has no weight");
    assert_compile_error(ROSTER "let a = 1\nlet a = 2\npayout = a\n", "'a' is already declared");
    assert_compile_error(ROSTER "let min = 1\npayout = 1\n", "'min' is the name of a built-in function");
    assert_compile_error(ROSTER "import nosuch\npayout = 1\n", "cannot find module 'nosuch'");
    assert_compile_error(ROSTER "rounding banker\npayout = 1\n", "'banker' is not a valid rounding");
    assert_compile_error(ROSTER "perod month\npayout = 1\n", "help: did you mean 'period'?");
    assert_compile_error(ROSTER "indicator x { fakt = 1 }\npayout = 1\n", "help: did you mean 'fact'?");
}

static void test_tables(void **state)
{
    (void)state;
    assert_compile_error("facts f from \"f.csv\" { amount: money }\n" ROSTER "payout = 1\n",
                         "facts table 'f' has no employee column");
    assert_compile_error("facts f from \"f.csv\" { employee e: text\n x: mony }\n" ROSTER "payout = 1\n",
                         "help: did you mean 'money'?");
    assert_compile_error("facts f from \"f.csv\" { employee e: text\n date d: date\n decimal \",\" }\n"
                         ROSTER "payout = 1\n", "table 'f' uses ',' both between fields and as the decimal point");
    assert_compile_error("facts f from \"f.csv\" { employee e: integer\n date d: date }\n" ROSTER "payout = 1\n",
                         "the employee column must be of type text");
}

static void test_scales(void **state)
{
    (void)state;
    assert_compile_error(ROSTER "scale f(x) = f(x)\npayout = f(1)\n", "scale 'f' is called from itself");
    assert_compile_error(ROSTER "scale f(x, y) = x + y\npayout = f(1)\n", "scale 'f' needs the parameter 'y'");
    assert_compile_error(ROSTER "scale f(x) = x\npayout = f(1, 2)\n", "scale 'f' takes 1 argument");
    assert_compile_error(ROSTER "scale f(x) = x\npayout = f(z: 2)\n", "scale 'f' has no parameter 'z'");
    Program *p = compile_ok(ROSTER "scale f(x, k = 2) = x * k\npayout = f(3) + f(1, k: 10)\n");
    char *l = listing(p, 0);
    assert_non_null(strstr(l, "LOADK        r0 k0                      ; r0=payout k0=16"));
    kpi_free(l);
    free_program(p);
}

static void test_constant_errors(void **state)
{
    (void)state;
    assert_compile_error(ROSTER "let a = 1 / 0\npayout = a\n", "t.kpi:7:9: error[K0304]: division by zero in a constant");
    assert_compile_error(ROSTER DEALS "param p = sum(amount from deals)\npayout = p\n", "a param must be a constant");
}

/* Found by review: each of these once compiled, crashed or misled. */
static void test_regressions(void **state)
{
    (void)state;
    /* an unsupported row function is an error, not a crash */
    assert_compile_error(ROSTER DEALS "payout = sum(abs(amount) from deals)\n",
                         "only is_blank can be called inside a row expression");
    /* one type per aggregate */
    assert_compile_error(ROSTER DEALS "facts f2 from \"f.csv\" { employee e: text\n date on: date\n a: money }\n"
                         "payout = max(a, on from f2)\n", "this argument is a date, the first one a number");
    /* team fields are typed */
    assert_compile_error(ROSTER "team t { x = sum(s.grade) }\npayout = t.x\n",
                         "sum of a team needs numbers, but this is a text");
    /* a constant error in a branch that cannot run is no error */
    Program *p = compile_ok(ROSTER "param mode = 0\nlet a = if mode > 0 then 100 / mode else 0\n"
                                   "let b = (1/0) default 5\npayout = a + b\n");
    free_program(p);
    /* a role that lists an indicator without a weight, which has none itself */
    assert_compile_error(ROSTER "indicator x { fact = 1 }\nroles by s.grade {\n \"A\": x\n}\npayout = kpi\n",
                         "help: give it a weight in the role \"A\", or weight = ... in the indicator");
    /* a period column outside plans */
    assert_compile_error(ROSTER "facts f from \"f.csv\" { employee e: text\n date d: date\n p: period }\npayout = 1\n",
                         "a period column belongs in a plans table");
    /* a known setting with the wrong kind of value */
    assert_compile_error(ROSTER "currency RUB\npayout = 1\n", "the currency is written in quotes");
    assert_compile_error("facts f from \"f.csv\" { format \"ru\"\n employee e: text\n date d: date }\n" ROSTER
                         "payout = 1\n", "format takes a word, not a text in quotes");
    /* a range in an aggregate is numbered names, as in a declaration */
    p = compile_ok(ROSTER "facts c from \"c.csv\" { employee e: text\n date d: date\n q1: score\n note: text\n"
                          " q2: score }\npayout = s.salary * sum(q1..q2 from c)\n");
    free_program(p);
    /* an error constant inside a row expression */
    assert_compile_error(ROSTER DEALS "payout = sum(amount * (1/0) from deals)\n", "division by zero in a constant");
    /* built-in min/max: one type */
    assert_compile_error(ROSTER DEALS "payout = min(s.salary, max(on from deals))\n",
                         "this argument is a date, the first one a number");
    /* a constant error is reported once, not once per value built on it */
    char *m = compile_msgs(ROSTER "let a = 1/0\nlet b = a + 1\npayout = b\n", NULL);
    assert_non_null(strstr(m, "division by zero in a constant"));
    assert_null(strstr(strstr(m, "division by zero in a constant") + 1, "division by zero in a constant"));
    kpi_free(m);
    /* a module imported twice is read once */
    p = compile_ok(ROSTER "import scales\nimport scales\npayout = linear(1)\n");
    free_program(p);
}

/* ---- units ---- */
#define IDLE "facts idle from \"i.csv\" {\n employee e: text\n date on: date\n h: hours\n}\n"

static void test_units(void **state)
{
    (void)state;
    assert_compile_error(ROSTER "payout = s.salary + 10%\n",
                         "error[K0501]: cannot add or subtract money and a percentage");
    assert_compile_error(ROSTER DEALS "indicator r { fact = sum(amount from deals)\n weight = 100% }\n"
                                      "let hot \"H\" = r.fact >= 95%\npayout = s.salary\n",
                         "error[K0501]: cannot compare money with a percentage");
    assert_compile_error(ROSTER "indicator r { fact = 1\n weight = s.salary }\npayout = s.salary * kpi\n",
                         "error[K0502]: a weight is a plain number or a percentage, but this is money");
    assert_compile_error(ROSTER "let k = 50%\npayout = k\n", "error[K0503]: the payout must be money, but this is a percentage");
    assert_compile_error(ROSTER DEALS "indicator r { fact = sum(amount from deals)\n plan = count(deals) }\n"
                                      "payout = s.salary * r.score\n",
                         "error[K0504]: the fact is money, the plan a plain number");
    assert_compile_error(ROSTER IDLE "payout = s.salary - sum(h from idle)\n",
                         "error[K0501]: cannot add or subtract money and hours");
    /* a bare number takes the unit it needs: 90 is money per hour here */
    Program *p = compile_ok(ROSTER IDLE "param rate = 90\npayout = s.salary + 1000 - rate * sum(h from idle)\n");
    free_program(p);
    /* one param cannot be two units */
    assert_compile_error(ROSTER IDLE "param rate = 90\nlet a = s.salary - rate * sum(h from idle)\n"
                                     "payout = a + rate\n", "error[K0501]");
    /* the requirement speaks first: the faulty sum is the mistake shown */
    assert_compile_error(ROSTER "allow K0805\nindicator r { fact = s.salary\n plan = 200\n weight = 100% }\n"
                                "payout = s.salary * kpi + 10%\n",
                         "error[K0501]: cannot add or subtract money and a percentage");
    /* a percentage stays a ratio through folding */
    assert_compile_error(ROSTER "payout = s.salary + 10% + 5%\n", "cannot add or subtract money and a percentage");
}

/* ---- analysis checks ---- */
#define PLAN_NZ "plans plan from \"p.csv\" {\n employee id: text\n revenue: money nonzero\n}\n"
#define ONE_IND(score) ROSTER DEALS PLAN_NZ "allow K0805\nindicator r {\n fact = sum(amount from deals)\n" \
    " plan = plan.revenue\n weight = 100%\n score = " score "\n}\npayout = s.salary * kpi\n"

static void test_checks_bands(void **state)
{
    (void)state;
    assert_compile_error(ONE_IND("bands {\n  index < 90% -> 0%\n  index >= 100% -> 100%\n }"),
                         "error[K0701]: no band for 90% <= index < 100%");
    assert_compile_error(ONE_IND("bands {\n  index <= 110% -> 100%\n  index >= 110% -> 200%\n }"),
                         "error[K0702]: this band overlaps a band above it where index = 110%");
    assert_compile_error(ONE_IND("bands {\n  index < 90% -> 0%\n  index > 90% -> 100%\n }"),
                         "error[K0703]: no band holds index = 90%: both bands next to it exclude it");
    assert_compile_says(ONE_IND("bands {\n  index < 1 -> 0%\n  index >= 1 -> 100%\n  index > 2 -> 5\n }"),
                        "warning[K0704]: this band can never be chosen");
    assert_compile_says(ONE_IND("bands {\n  index < 1 -> 100%\n  index >= 1 -> 50%\n }"),
                        "warning[K0705]: a higher index gives a lower score here");
    assert_compile_error(ONE_IND("bands {\n  index < 1 -> 0%\n  1 <= index < 150% -> 100%\n }"),
                         "error[K0707]: no band for 150% <= index");
    assert_compile_error(ROSTER "import scales\nlet k = linear(50%, cutoff: 120%, cap: 100%)\npayout = s.salary * k\n",
                         "error[K0706]: cutoff is above the cap in this call of 'linear'");
    /* an else row takes what is left; a scheme can allow a check */
    Program *p = compile_ok(ONE_IND("bands {\n  index < 90% -> 0%\n  else -> 100%\n }"));
    free_program(p);
    p = compile_ok("allow K0701\n" ONE_IND("bands {\n  index < 90% -> 0%\n  index >= 100% -> 100%\n }"));
    free_program(p);
}

static void test_checks_advice(void **state)
{
    (void)state;
    assert_compile_error(ROSTER "allow K0805\nindicator a { fact = 1\n weight = 60% }\n"
                         "indicator b { fact = 1\n weight = 30% }\npayout = s.salary * kpi\n",
                         "error[K0801]: the weights of the KPI add up to 90%, 10% short of 100%");
    assert_compile_says(ROSTER DEALS "plans q from \"q.csv\" { employee id: text\n revenue: money }\nallow K0805\n"
                        "indicator r { fact = sum(amount from deals)\n plan = q.revenue\n weight = 100% }\n"
                        "payout = s.salary * kpi\n",
                        "warning[K0802]: the index of 'r' divides by its plan, which can be zero");
    /* a division the formula guards is fine */
    Program *p = compile_ok(ROSTER DEALS "allow K0805\nlet n = count(deals)\n"
                                         "payout = s.salary * (if n = 0 then 0 else 1 / n)\n");
    free_program(p);
    assert_compile_says(ROSTER "let spare = 1\npayout = s.salary\n", "warning[K0803]: value 'spare' is not used");
    assert_compile_says(ROSTER DEALS "let amount = 1\npayout = s.salary + sum(amount from deals) * amount\n",
                        "warning[K0804]: 'amount' here is the table's column, not the value declared with that name");
    assert_compile_says(ROSTER "indicator a { fact = 1\n weight = 100% }\npayout = s.salary * kpi\n",
                        "warning[K0805]: each person has 1 indicator; the methodology advises 3 to 5");
}

/* ---- the .kpc file ---- */
static const char *const scheme = ROSTER DEALS PLANS
    "indicator r \"Выручка\" {\n fact = sum(amount from deals)\n plan = plan.revenue\n weight = 100%\n}\n"
    "team t { total = sum(r.fact) }\nlet share \"Доля\" = r.fact / t.total default 0\n"
    "payout = s.salary * kpi\n";

static void test_kpc_round_trip(void **state)
{
    (void)state;
    Program *p = compile_ok(scheme);
    Buf a = BUF_INIT, bytes = BUF_INIT, b = BUF_INIT;
    disasm_program(p, &a);
    kpc_write(p, &bytes);
    char err[256];
    Program *q = kpc_read((const unsigned char *)bytes.data, bytes.len, err, sizeof err);
    assert_non_null(q);
    disasm_program(q, &b);
    assert_string_equal(buf_cstr(&a), buf_cstr(&b));
    assert_string_equal(q->sources.files[0].text, scheme);
    buf_free(&a);
    buf_free(&b);
    buf_free(&bytes);
    free_program(p);
    free_program(q);
}

static Program *read_bytes(Buf *bytes, char *err, size_t n)
{
    return kpc_read((const unsigned char *)bytes->data, bytes->len, err, n);
}

static void test_kpc_rejects_damage(void **state)
{
    (void)state;
    Program *p = compile_ok(scheme);
    Buf bytes = BUF_INIT;
    kpc_write(p, &bytes);
    char err[256];
    /* one flipped bit */
    bytes.data[bytes.len / 2] ^= 1;
    assert_null(read_bytes(&bytes, err, sizeof err));
    assert_string_equal(err, "the file is damaged (checksum mismatch)");
    bytes.data[bytes.len / 2] ^= 1;
    /* truncated */
    size_t len = bytes.len;
    bytes.len = len - 7;
    assert_null(read_bytes(&bytes, err, sizeof err));
    assert_non_null(strstr(err, "the file is truncated or has extra bytes"));
    bytes.len = len;
    /* another format version */
    bytes.data[4] = 99;
    assert_null(read_bytes(&bytes, err, sizeof err));
    assert_non_null(strstr(err, "compiled by another version of kpic (format 99"));
    bytes.data[4] = KPC_VERSION;
    /* not a kpc at all */
    Buf junk = BUF_INIT;
    buf_adds(&junk, "scheme \"x\"\npayout = 1\n");
    assert_null(read_bytes(&junk, err, sizeof err));
    assert_string_equal(err, "not a compiled scheme (.kpc) file");
    buf_free(&junk);
    buf_free(&bytes);
    free_program(p);
}

/* A well-formed file whose code points outside its registers: caught by
 * program_verify, never executed. */
static void test_verify_operands(void **state)
{
    (void)state;
    Program *p = compile_ok(scheme);
    char err[256];
    assert_true(program_verify(p, err, sizeof err));
    uint16_t saved = p->code[0].a;
    p->code[0].a = p->nregs;
    assert_false(program_verify(p, err, sizeof err));
    assert_string_equal(err, "invalid program: a register is out of range");
    p->code[0].a = saved;
    uint8_t op = p->code[p->ncode - 1].op;
    p->code[p->ncode - 1].op = BC_NOP;
    assert_false(program_verify(p, err, sizeof err));
    assert_non_null(strstr(err, "does not end with RET"));
    p->code[p->ncode - 1].op = op;
    /* a jump to itself would run for ever, past --max-steps (tests/bugs/002) */
    uint32_t at = p->ncode - 2;
    Ins before = p->code[at];
    p->code[at] = (Ins){BC_JMP, 0, 0, (uint16_t)at, (uint16_t)(at >> 16)};
    assert_false(program_verify(p, err, sizeof err));
    assert_non_null(strstr(err, "jumps backwards"));
    p->code[at] = before;
    p->aggs[0].table = 0;
    assert_false(program_verify(p, err, sizeof err));
    assert_string_equal(err, "invalid program: aggregate 0 is malformed");
    free_program(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codegen_listing),
        cmocka_unit_test(test_constant_folding),
        cmocka_unit_test(test_bands_code),
        cmocka_unit_test(test_row_program),
        cmocka_unit_test(test_row_subexpressions_are_shared),
        cmocka_unit_test(test_equal_aggregates_are_shared),
        cmocka_unit_test(test_unknown_column),
        cmocka_unit_test(test_unknown_name_suggests),
        cmocka_unit_test(test_cycles),
        cmocka_unit_test(test_types),
        cmocka_unit_test(test_row_expression_limits),
        cmocka_unit_test(test_scheme_structure),
        cmocka_unit_test(test_tables),
        cmocka_unit_test(test_scales),
        cmocka_unit_test(test_constant_errors),
        cmocka_unit_test(test_regressions),
        cmocka_unit_test(test_units),
        cmocka_unit_test(test_checks_bands),
        cmocka_unit_test(test_checks_advice),
        cmocka_unit_test(test_kpc_round_trip),
        cmocka_unit_test(test_kpc_rejects_damage),
        cmocka_unit_test(test_verify_operands),
    };
    return cmocka_run_group_tests_name("compiler", tests, NULL, NULL);
}
