/* test_cov_verify.c - program_verify, the gate between a .kpc file from disk
 * and the VM, which trusts what it runs: a compiled program passes, and each
 * field a damaged file could carry out of range is refused with its message.
 * Every case damages one field of a good program, verifies, and restores it. */
#define KPI_TEST_COMPILER
#include "tests/unit/testutil.h"

#include "base/compiler.h"
#include "vm/kpc.h"

static const char scheme[] =
    "roster s from \"r.csv\" {\n employee id: text\n name fio: text\n department dept: text\n salary: money\n hired: date\n}\n"
    "facts deals from \"d.csv\" {\n employee m: text\n date on: date\n amount: money\n status: text\n"
    " client: text\n paid: bool\n}\n"
    "plans plan from \"p.csv\" {\n employee id: text\n period month: period\n revenue: money nonzero\n}\n"
    "allow K0805\n"
    "param third = 1 / 3\n"
    "indicator rev {\n fact = sum(amount from deals where status = \"paid\" and paid)\n"
    " plan = plan.revenue\n weight = 100%\n"
    " score = bands {\n  index < 50% -> 0\n  else -> min(index, 120%)\n }\n}\n"
    "team t { tot = sum(rev.fact where rev.index > 0) }\n"
    "let share \"Share\" = rev.fact / t.tot default 0\n"
    "let clients \"Clients\" = count(distinct client from deals)\n"
    "let net \"Net\" = sum(if paid then -amount * 2 else amount from deals)\n"
    "let r \"R\" = round(s.salary * third, 0.01, half_up)\n"
    "let h \"Hired\" = s.hired\n"
    "payout = s.salary + r\n";

/* The scheme, with h set to a date so that the program has a date constant. */
static Program *good(void)
{
    static const CompileOverride date = {"h", "2026-01-05"};
    CompileOptions o = {.overrides = &date, .noverrides = 1};
    Compilation c;
    compilation_init(&c);
    bool compiled = compile_text(&c, "t.kpi", scheme, strlen(scheme), &o);
    Buf b = BUF_INIT;
    diag_render(&c.diags, &c.sources, &b);
    if (!compiled)
        print_message("%s", buf_cstr(&b));
    buf_free(&b);
    Program *p = compiled ? compile_take(&c) : NULL;
    compilation_free(&c);
    assert_non_null(p);
    char err[256];
    if (!program_verify(p, err, sizeof err))
        print_message("%s\n", err);
    assert_true(program_verify(p, err, sizeof err));
    return p;
}

/* Verification must fail with a message containing want; 1 if it does not. */
static int refused(const Program *p, const char *want, int line)
{
    char err[256] = "";
    if (!program_verify(p, err, sizeof err) && strstr(err, want))
        return 0;
    print_message("line %d: expected \"%s\", got \"%s\"\n", line, want, err);
    return 1;
}

/* Sets FIELD to VALUE, expects WANT, and puts the field back; counts the
 * cases that fail in the test's `failures`. */
#define REFUSED(field, value, want)                  \
    do {                                             \
        __typeof__(field) saved_ = (field);          \
        (field) = (value);                           \
        failures += refused(p, (want), __LINE__);    \
        (field) = saved_;                            \
    } while (0)

static void still_good(const Program *p, int failures)
{
    char err[256];
    assert_true(program_verify(p, err, sizeof err));
    assert_int_equal(failures, 0);
}

static uint32_t find_op(const Program *p, Opcode op)
{
    for (uint32_t pc = 0; pc < p->ncode; pc++)
        if (p->code[pc].op == op)
            return pc;
    fail_msg("no %s in the program", op_info[op].name);
    return 0;
}

static uint32_t find_const(const Program *p, ValueKind k)
{
    for (uint32_t i = 0; i < p->nconsts; i++)
        if (p->consts[i].kind == k)
            return i;
    fail_msg("no constant of kind %d", (int)k);
    return 0;
}

static void test_header_and_constants(void **state)
{
    (void)state;
    Program *p = good();
    int failures = 0;
    REFUSED(p->roster, -1, "the program has no roster");
    REFUSED(p->roster, 1, "the program has no roster");
    REFUSED(p->period, PERIOD_YEAR + 1, "the program's header is malformed");
    REFUSED(p->rounding, ROUND_CEILING + 1, "the program's header is malformed");
    REFUSED(p->nregs, (uint16_t)(p->npersist - 1), "the program's header is malformed");
    /* the constants' registers: above the named ones, exactly one each */
    REFUSED(p->kreg, (uint16_t)(p->npersist - 1), "the program's header is malformed");
    REFUSED(p->kreg, (uint16_t)(p->kreg + 1), "the program's header is malformed");
    REFUSED(p->nregs, (uint16_t)(p->nregs + 1), "the program's header is malformed");
    REFUSED(p->scheme_name, NULL, "the program's header is malformed");
    REFUSED(p->currency, NULL, "the program's header is malformed");
    assert_int_equal(p->nallowed, 1);
    REFUSED(p->allowed[0], K__COUNT, "an allowed diagnostic is out of range");
    uint32_t k = find_const(p, V_NUM);
    REFUSED(p->consts[k].q, ((Rat){2, 4}), "a constant is not a reduced fraction");
    REFUSED(p->consts[k].q, ((Rat){1, 0}), "a constant is not a reduced fraction");
    REFUSED(p->consts[k].q, ((Rat){-I128_MAX - 1, 1}), "a constant is not a reduced fraction");
    REFUSED(p->consts[k].kind, 99, "a constant has an unknown kind");
    k = find_const(p, V_TEXT);
    REFUSED(p->consts[k].aux, p->nstrings, "a text constant is out of range");
    Value e = val_error(ERR__COUNT, 0);
    REFUSED(p->consts[k], e, "an error constant is out of range");
    REFUSED(p->strings[0], NULL, "a text constant is missing");
    REFUSED(p->spans[0].file, (uint16_t)p->sources.n, "span 0 is out of range");
    REFUSED(p->spans[0].start, p->spans[0].end + 1, "span 0 is out of range");
    REFUSED(p->spans[0].end, (uint32_t)p->sources.files[0].len + 1, "span 0 is out of range");
    still_good(p, failures);
    free_program(p);
}

static void test_tables(void **state)
{
    (void)state;
    Program *p = good();
    int failures = 0;
    TableSpec *r = &p->tables[0], *f = &p->tables[1], *pl = &p->tables[2];
    REFUSED(f->name, NULL, "a table is malformed");
    REFUSED(f->file, NULL, "a table is malformed");
    REFUSED(f->kind, 3, "a table is malformed");
    REFUSED(f->dialect.delimiter, 'x', "table deals has an invalid dialect");
    REFUSED(f->dialect.delimiter, 0, "table deals has an invalid dialect");
    REFUSED(f->dialect.num.decimal_point, 'x', "table deals has an invalid dialect");
    REFUSED(f->dialect.date, DATE_DMY + 1, "table deals has an invalid dialect");
    REFUSED(f->dialect.empty, EMPTY_ERROR + 1, "table deals has an invalid dialect");
    REFUSED(f->cols[2].name, NULL, "a column of table deals is malformed");
    REFUSED(f->cols[2].header, NULL, "a column of table deals is malformed");
    REFUSED(f->cols[2].type, COL_DAYS + 1, "a column of table deals is malformed");
    REFUSED(f->cols[2].scale, 19, "a column of table deals is malformed");
    REFUSED(f->cols[2].role, 6, "a column of table deals is malformed");
    REFUSED(f->cols[2].empty, EMPTY_ERROR + 1, "a column of table deals is malformed");
    REFUSED(f->cols[2].nonzero, 2, "a column of table deals is malformed");
    REFUSED(f->key_col, (int32_t)f->ncols, "a key column of table deals is out of range");
    REFUSED(f->date_col, -2, "a key column of table deals is out of range");
    REFUSED(pl->period_col, (int32_t)pl->ncols, "a key column of table plan is out of range");
    REFUSED(r->dept_col, (int32_t)r->ncols, "a key column of table s is out of range");
    REFUSED(r->name_col, (int32_t)r->ncols, "a key column of table s is out of range");
    REFUSED(r->key_col, -1, "table s has no employee column");
    REFUSED(f->date_col, -1, "facts table deals has no date column");
    pl->key_col = -1;
    REFUSED(pl->dept_col, -1, "plans table plan has no key");
    pl->key_col = 0;
    REFUSED(r->cols[0].role, 6, "a column of table s is malformed");
    REFUSED(r->ncols, 0, "a table is malformed");
    still_good(p, failures);
    free_program(p);
}

static void test_row_program(void **state)
{
    (void)state;
    Program *p = good();
    int failures = 0;
    TableSpec *f = &p->tables[1], *r = &p->tables[0];
    assert_true(f->ncode > 0 && f->nvecs > 0);
    REFUSED(f->vecs[0].type, VT_DATE + 1, "a row vector of table deals is malformed");
    REFUSED(f->vecs[0].scale, 19, "a row vector of table deals is malformed");
    REFUSED(f->vecs[0].col, -2, "a row vector of table deals is malformed");
    REFUSED(f->vecs[0].col, (int32_t)f->ncols, "a row vector of table deals is malformed");
    uint32_t amount = 0;
    while (amount < f->nvecs && f->vecs[amount].col != 2)
        amount++;
    assert_true(amount < f->nvecs);
    REFUSED(f->vecs[amount].scale, 3, "a row vector of table deals does not match its column");
    REFUSED(f->vecs[amount].type, VT_TEXT, "a row vector of table deals does not match its column");
    REFUSED(f->code_span[0], p->nspans, "a span index is out of range");
    r->ncode = f->ncode;
    r->code = f->code;
    r->code_span = f->code_span;
    failures += refused(p, "table s is not a fact table but has a row program", __LINE__);
    r->ncode = 0;
    r->code = NULL;
    r->code_span = NULL;
    still_good(p, failures);
    free_program(p);
}

/* One row instruction over vectors of these kinds, appended to the fact
 * table's row program; its operands index into EXTRA (V_OUT: out of range). */
enum { N2, N2B, N0, B, B2, T, D, NEXTRA, V_OUT = 200 };
static const VecSpec extra[NEXTRA] = {
    [N2] = {VT_NUM, 2, -1}, [N2B] = {VT_NUM, 2, -1}, [N0] = {VT_NUM, 0, -1}, [B] = {VT_BOOL, 0, -1},
    [B2] = {VT_BOOL, 0, -1}, [T] = {VT_TEXT, 0, -1}, [D] = {VT_DATE, 0, -1},
};

typedef struct RowCase {
    uint8_t  op, x;
    uint16_t a, b, c;
    bool     ok;
} RowCase;

static const RowCase rows[] = {
    {BC_ROW_MOVE, 0, N2, N2B, 0, true}, {BC_ROW_MOVE, 0, N2, N0, 0, false}, {BC_ROW_MOVE, 0, N2, T, 0, false},
    {BC_ROW_ADD, 0, N2, N2, N2B, true}, {BC_ROW_SUB, 0, N2, N2, N0, false}, {BC_ROW_ADD, 0, N2, T, N2, false},
    {BC_ROW_ADD, 0, B, N2, N2, false}, {BC_ROW_ADD, 0, N2, N2, T, false}, {BC_ROW_ADD, 0, N0, N2, N2, false},
    {BC_ROW_MUL, 0, N2, N2B, N0, true}, {BC_ROW_MUL, 0, N2, N2, N2B, false}, {BC_ROW_MUL, 0, T, N2, N0, false},
    {BC_ROW_MUL, 0, N2, T, N0, false}, {BC_ROW_MUL, 0, N2, N2, T, false},
    {BC_ROW_NEG, 0, N2, N2B, 0, true}, {BC_ROW_NEG, 0, N2, N0, 0, false}, {BC_ROW_NEG, 0, T, T, 0, false},
    {BC_ROW_NEG, 0, N2, T, 0, false},
    {BC_ROW_RESCALE, 0, N2, N0, 2, true}, {BC_ROW_RESCALE, 0, N2, N0, 3, false},
    {BC_ROW_RESCALE, 0, N2, N0, 19, false}, {BC_ROW_RESCALE, 0, T, N0, 2, false},
    {BC_ROW_RESCALE, 0, N2, T, 2, false},
    {BC_ROW_EQ, 0, B, N2, N2B, true}, {BC_ROW_LT, 0, B, N2, N0, false}, {BC_ROW_NE, 0, N2, N2, N2B, false},
    {BC_ROW_GE, 0, B, T, D, false}, {BC_ROW_LE, 0, B, D, D, true}, {BC_ROW_GT, 0, B, T, T, true},
    {BC_ROW_AND, 0, B, B, B2, true}, {BC_ROW_OR, 0, B, N2, B, false}, {BC_ROW_AND, 0, N2, B, B, false},
    {BC_ROW_AND, 0, B, B, T, false},
    {BC_ROW_NOT, 0, B, B2, 0, true}, {BC_ROW_NOT, 0, B, N2, 0, false}, {BC_ROW_NOT, 0, N2, B, 0, false},
    {BC_ROW_SELECT, B, N2, N2B, N2, true}, {BC_ROW_SELECT, N2, N2, N2B, N2, false},
    {BC_ROW_SELECT, B, N2, N2, N0, false}, {BC_ROW_SELECT, B, N2, N0, N2, false},
    {BC_ROW_SELECT, B, T, T, D, false}, {BC_ROW_SELECT, B, T, D, T, false},
    {BC_ROW_DEFAULT, 0, N2, N2B, N2, true}, {BC_ROW_DEFAULT, 0, T, T, T, true},
    {BC_ROW_DEFAULT, 0, T, D, T, false},
    {BC_ROW_ISBLANK, 0, B, T, 0, true}, {BC_ROW_ISBLANK, 0, N2, T, 0, false},
};

/* Verifies with `in` (operands relative to the extra vectors) appended. */
static bool with_row_ins(Program *p, Ins in, char *err, size_t errlen)
{
    TableSpec *f = &p->tables[1];
    uint16_t base = f->nvecs;
    VecSpec *vecs = kpi_malloc((base + NEXTRA) * sizeof *vecs), *old_vecs = f->vecs;
    memcpy(vecs, f->vecs, base * sizeof *vecs);
    memcpy(vecs + base, extra, sizeof extra);
    Ins *code = kpi_malloc((f->ncode + 1) * sizeof *code), *old_code = f->code;
    uint32_t *spans = kpi_calloc(f->ncode + 1, sizeof *spans), *old_spans = f->code_span;
    memcpy(code, f->code, f->ncode * sizeof *code);
    const char *fmt = op_info[in.op].format;
    uint16_t *ops[3] = {&in.a, &in.b, &in.c};
    for (int k = 0; k < 3; k++)
        if (fmt[k] == 'V' && *ops[k] != V_OUT)
            *ops[k] = (uint16_t)(*ops[k] + base);
    if (in.op == BC_ROW_SELECT && in.x != (uint8_t)V_OUT)
        in.x = (uint8_t)(in.x + base);
    code[f->ncode] = in;
    f->vecs = vecs;
    f->nvecs = (uint16_t)(base + NEXTRA);
    f->code = code;
    f->code_span = spans;
    f->ncode++;
    bool ok = program_verify(p, err, errlen);
    f->ncode--;
    f->vecs = old_vecs;
    f->nvecs = base;
    f->code = old_code;
    f->code_span = old_spans;
    kpi_free(vecs);
    kpi_free(code);
    kpi_free(spans);
    return ok;
}

static int row_expect(Program *p, Ins in, const char *want, int line)
{
    char err[256] = "";
    bool ok = with_row_ins(p, in, err, sizeof err);
    if (want ? !ok && strstr(err, want) : ok)
        return 0;
    print_message("line %d (%s): expected %s, got \"%s\"\n", line, op_info[in.op].name, want ? want : "ok",
                  ok ? "ok" : err);
    return 1;
}

static void test_row_instructions(void **state)
{
    (void)state;
    Program *p = good();
    int failures = 0;
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        Ins in = {rows[i].op, rows[i].x, rows[i].a, rows[i].b, rows[i].c};
        failures += row_expect(p, in, rows[i].ok ? NULL : "a row instruction of table deals uses vectors of the wrong type",
                   (int)i);
    }
    failures += row_expect(p, (Ins){BC_ROW_MOVE, 0, V_OUT, N2, 0}, "a row vector is out of range", __LINE__);
    failures += row_expect(p, (Ins){BC_ROW_ADD, 0, N2, N2, V_OUT}, "a row vector is out of range", __LINE__);
    failures += row_expect(p, (Ins){BC_ROW_SELECT, (uint8_t)V_OUT, N2, N2, N2}, "a row vector is out of range", __LINE__);
    failures += row_expect(p, (Ins){BC_ADD, 0, 0, 0, 0}, "an employee instruction in a row program", __LINE__);
    const TableSpec *f = &p->tables[1];
    uint16_t col = 0; /* a column's vector, by its own index: operands are moved by f->nvecs */
    while (col < f->nvecs && !(f->vecs[col].col >= 0 && f->vecs[col].type == VT_TEXT))
        col++;
    assert_true(col < f->nvecs);
    failures += row_expect(p, (Ins){BC_ROW_MOVE, 0, (uint16_t)(col - f->nvecs), T, 0},
                           "a row instruction of table deals writes the vector of a column", __LINE__);
    uint16_t num = 0, text = (uint16_t)find_const(p, V_TEXT);
    uint16_t date = (uint16_t)find_const(p, V_DATE), boolean = (uint16_t)find_const(p, V_BOOL);
    while (num < p->nconsts && !(p->consts[num].kind == V_NUM && p->consts[num].q.den == 1))
        num++;
    uint16_t third = 0;
    while (third < p->nconsts && !(p->consts[third].kind == V_NUM && p->consts[third].q.den == 3))
        third++;
    assert_true(third < p->nconsts);
    failures += row_expect(p, (Ins){BC_ROW_CONST, 0, N2, num, 0}, NULL, __LINE__);
    failures += row_expect(p, (Ins){BC_ROW_CONST, 0, T, text, 0}, NULL, __LINE__);
    failures += row_expect(p, (Ins){BC_ROW_CONST, 0, D, date, 0}, NULL, __LINE__);
    failures += row_expect(p, (Ins){BC_ROW_CONST, 0, B, boolean, 0}, NULL, __LINE__);
    failures += row_expect(p, (Ins){BC_ROW_CONST, 0, T, num, 0}, "uses vectors of the wrong type", __LINE__);
    failures += row_expect(p, (Ins){BC_ROW_CONST, 0, N2, text, 0}, "uses vectors of the wrong type", __LINE__);
    failures += row_expect(p, (Ins){BC_ROW_CONST, 0, B, date, 0}, "uses vectors of the wrong type", __LINE__);
    failures += row_expect(p, (Ins){BC_ROW_CONST, 0, D, boolean, 0}, "uses vectors of the wrong type", __LINE__);
    failures += row_expect(p, (Ins){BC_ROW_CONST, 0, N2, third, 0}, "a row constant does not fit its vector", __LINE__);
    failures += row_expect(p, (Ins){BC_ROW_CONST, 0, N2, (uint16_t)p->nconsts, 0}, "a row constant is out of range", __LINE__);
    still_good(p, failures);
    free_program(p);
}

static void test_aggregates(void **state)
{
    (void)state;
    Program *p = good();
    int failures = 0;
    uint32_t filtered = 0, distinct = 0;
    while (filtered < p->naggs && p->aggs[filtered].where == NO_REG)
        filtered++;
    while (distinct < p->naggs && p->aggs[distinct].kind != AGG_COUNT_DISTINCT)
        distinct++;
    assert_true(filtered < p->naggs && distinct < p->naggs);
    AggSpec *a = &p->aggs[filtered];
    const TableSpec *f = &p->tables[1];
    REFUSED(a->table, (uint16_t)p->ntables, "is malformed");
    REFUSED(a->kind, AGG_COUNT_DISTINCT + 1, "is malformed");
    REFUSED(a->vtype, VT_DATE + 1, "is malformed");
    REFUSED(a->scale, 19, "is malformed");
    REFUSED(a->span, p->nspans, "is malformed");
    REFUSED(a->where, f->nvecs, "the filter of aggregate");
    REFUSED(a->where, a->args[0], "the filter of aggregate");
    REFUSED(a->kind, AGG_COUNT_ROWS, "has the wrong number of arguments");
    REFUSED(a->args[0], f->nvecs, "an argument of aggregate");
    REFUSED(a->vtype, VT_TEXT, "has the wrong type");
    REFUSED(a->scale, 3, "has the wrong type");
    REFUSED(p->aggs[distinct].kind, AGG_SUM, "sums what is not a number");
    REFUSED(p->aggs[distinct].kind, AGG_AVG, "sums what is not a number");
    still_good(p, failures);
    free_program(p);
}

static void test_employee_code(void **state)
{
    (void)state;
    Program *p = good();
    int failures = 0;
    uint32_t loadk = find_op(p, BC_LOADK), roster = find_op(p, BC_ROSTER), plan = find_op(p, BC_PLAN);
    uint32_t agg = find_op(p, BC_AGG), team = find_op(p, BC_TEAM), jmp = find_op(p, BC_JMP);
    uint32_t round = find_op(p, BC_ROUND);
    REFUSED(p->code[0].op, BC__COUNT, "has an invalid opcode");
    REFUSED(p->code[0].op, BC_ROW_ADD, "has an invalid opcode");
    REFUSED(p->code[loadk].b, (uint16_t)p->nconsts, "constant out of range");
    REFUSED(p->code[roster].b, (uint16_t)p->tables[0].ncols, "roster column out of range");
    REFUSED(p->code[plan].x, (uint8_t)p->ntables, "plan column out of range");
    REFUSED(p->code[plan].x, 0, "plan column out of range");
    REFUSED(p->code[plan].b, (uint16_t)p->tables[2].ncols, "plan column out of range");
    REFUSED(p->code[agg].b, (uint16_t)p->naggs, "aggregate out of range");
    REFUSED(p->code[team].b, (uint16_t)p->nteam, "team field out of range");
    REFUSED(p->code[jmp].b, 0xFFFF, "jumps out of its stage");
    REFUSED(p->code[round].x, ROUND_CEILING + 1, "unknown rounding mode");
    Ins fail = {BC_FAIL, ERR__COUNT, 0, 0, 0};
    REFUSED(p->code[0], fail, "unknown error kind");
    REFUSED(p->code_span[0], p->nspans, "a span index is out of range");
    REFUSED(p->nstrata, 0, "the program has no stages");
    REFUSED(p->stratum_pc[0], 1, "the program has no stages");
    assert_true(p->nstrata == 2);
    REFUSED(p->stratum_pc[1], p->stratum_pc[0], "stage 0 does not end with RET");
    REFUSED(p->stratum_pc[1], p->ncode + 1, "stage 0 does not end with RET");
    /* an instruction of stage 1 made to write a named value of stage 0 */
    uint32_t w0 = 0, w1 = p->stratum_pc[1];
    while (op_info[p->code[w0].op].format[0] != 'R' || p->code[w0].a >= p->npersist)
        w0++;
    while (op_info[p->code[w1].op].format[0] != 'R' || p->code[w1].op == BC_JNOTBOOL || p->code[w1].op == BC_JFALSE)
        w1++;
    assert_true(w0 < p->stratum_pc[1] && w1 < p->ncode);
    char want[64];
    snprintf(want, sizeof want, "register r%u is written in stages 0 and 1", p->code[w0].a);
    REFUSED(p->code[w1].a, p->code[w0].a, want);
    /* a constant's register is read only */
    assert_true(p->nconsts > 0 && p->nregs == p->kreg + p->nconsts);
    snprintf(want, sizeof want, "instruction %u writes the constant register r%u", w0, p->kreg);
    REFUSED(p->code[w0].a, p->kreg, want);
    still_good(p, failures);
    free_program(p);
}

static void test_outputs(void **state)
{
    (void)state;
    Program *p = good();
    int failures = 0;
    assert_true(p->nind == 1 && p->nteam == 1 && p->nouts > 0);
    REFUSED(p->ind[0].name, NULL, "an indicator has no name");
    REFUSED(p->ind[0].contrib, p->npersist, "an indicator's register is out of range");
    REFUSED(p->outs[0].name, NULL, "an output is malformed");
    REFUSED(p->outs[0].reg, p->npersist, "an output is malformed");
    REFUSED(p->outs[0].kind, OUT_PAYOUT + 1, "an output is malformed");
    TeamField *t = &p->team[0];
    REFUSED(t->name, NULL, "team field 0 is malformed");
    REFUSED(t->kind, AGG_MAX + 1, "team field 0 is malformed");
    REFUSED(t->group_col, (uint16_t)p->tables[0].ncols, "team field 0 is malformed");
    REFUSED(t->arg, p->npersist, "team field 0 is malformed");
    REFUSED(t->where, p->npersist, "team field 0 is malformed");
    REFUSED(t->stratum, 0, "team field 0 is malformed");
    REFUSED(t->stratum, (uint16_t)p->nstrata, "team field 0 is malformed");
    REFUSED(t->span, p->nspans, "team field 0 is malformed");
    still_good(p, failures);
    free_program(p);
}

static void test_trace(void **state)
{
    (void)state;
    Program *p = good();
    int failures = 0;
    const char *def = "a definition's span, unit, role or code is out of range";
    REFUSED(p->def_span[0], p->nspans, def);
    REFUSED(p->def_unit[0], DU_OTHER + 1, def);
    REFUSED(p->def_role[0], DR_RESULT + 1, def);
    REFUSED(p->def_code[1], p->ncode + 1, def);
    REFUSED(p->def_code[0], p->def_code[1] + 1, def);
    uint32_t ret = find_op(p, BC_RET), jmp = find_op(p, BC_JMP);
    p->def_code[0] = 0;
    REFUSED(p->def_code[1], ret + 1, def);
    p->def_code[0] = jmp;
    REFUSED(p->def_code[1], jmp + 1, def);
    p->def_code[0] = 0;
    p->def_code[1] = 0;
    assert_true(p->ntrace > 1);
    uint32_t v = 0, m = 0;
    while (v < p->ntrace && p->trace[v].kind != TK_VALUE)
        v++;
    while (m < p->ntrace && p->trace[m].kind == TK_VALUE)
        m++;
    assert_true(v < p->ntrace && m < p->ntrace);
    REFUSED(p->trace[m].kind, TK__COUNT, "is malformed");
    REFUSED(p->trace[m].def, p->npersist, "is malformed");
    REFUSED(p->trace[m].span, p->nspans, "is malformed");
    REFUSED(p->trace[m].pc, p->ncode, "is malformed");
    REFUSED(p->trace[m].kind, TK_ROUND, "is malformed");
    REFUSED(p->trace[v].pc, 0, "is malformed");
    REFUSED(p->trace[v].reg, p->npersist, "is malformed");
    uint32_t m2 = m + 1;
    while (m2 < p->ntrace && p->trace[m2].kind == TK_VALUE)
        m2++;
    assert_true(m2 < p->ntrace);
    REFUSED(p->trace[m2].pc, p->trace[m].pc, "is malformed");
    still_good(p, failures);
    free_program(p);
}

/* Each trace kind accepts only the opcodes it reads. */
static void test_trace_kinds(void **state)
{
    (void)state;
    Program *p = good();
    int failures = 0;
    static const struct {
        TraceKind k;
        Opcode op;
        bool ok;
    } kinds[] = {
        {TK_READ, BC_ROSTER, true}, {TK_READ, BC_ADD, false}, {TK_CHOICE, BC_MIN, true},
        {TK_CHOICE, BC_MAX, true}, {TK_CHOICE, BC_ADD, false}, {TK_ROUND, BC_ROUND, true},
        {TK_BRANCH, BC_JNOTBOOL, true}, {TK_BRANCH, BC_JFALSE, false}, {TK_BAND, BC_LOADI, true},
        {TK_BAND, BC_LOADK, false}, {TK_NOBAND, BC_FAIL, true}, {TK_NOBAND, BC_MOVE, true},
        {TK_NOBAND, BC_ADD, false}, {TK_DEFAULT, BC_DEFAULT, true}, {TK_DEFAULT, BC_ADD, false},
        {TK_VALUE, BC_ADD, false},
    };
    uint32_t m = 0;
    while (m < p->ntrace && p->trace[m].kind == TK_VALUE)
        m++;
    assert_true(m < p->ntrace);
    TracePoint saved = p->trace[m];
    Ins ins = p->code[saved.pc];
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
        p->trace[m].kind = (uint8_t)kinds[i].k;
        p->code[saved.pc].op = (uint8_t)kinds[i].op;
        char err[256];
        bool ok = program_verify(p, err, sizeof err);
        /* the opcode itself may not fit its operands; only the trace matters here */
        if (ok != kinds[i].ok && (ok || strstr(err, "trace point"))) {
            print_message("trace kind %d on %s: expected %s\n", (int)kinds[i].k, op_info[kinds[i].op].name,
                          kinds[i].ok ? "ok" : "refused");
            failures++;
        }
    }
    p->trace[m] = saved;
    p->code[saved.pc] = ins;
    still_good(p, failures);
    free_program(p);
}


/* ---- the .kpc reader: damaged files ------------------------------------------ */
/* CRC-32 as kpc.c computes it (reflected, 0xEDB88320), by table: the test
 * checksums thousands of damaged files. */
KPI_WRAPS static uint32_t crc32_of(const unsigned char *p, size_t n)
{
    uint32_t table[256];
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
        table[i] = c;
    }
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++)
        c = (c >> 8) ^ table[(c ^ p[i]) & 0xFF];
    return ~c;
}

/* The standard check value, from the reader's own CRC and from the table. */
static void test_crc32(void **state)
{
    (void)state;
    const unsigned char check[] = "123456789";
    assert_int_equal(kpc_crc32(check, 9), 0xCBF43926u);
    assert_int_equal(crc32_of(check, 9), 0xCBF43926u);
    assert_int_equal(kpc_crc32(check, 0), 0);
}

static void put_u(unsigned char *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

/* Reads payload[0..n) under a header that matches it (length, checksum), so
 * that only the reader and the verifier stand between it and the VM. */
static Program *read_payload(const unsigned char *payload, size_t n, char *err, size_t errlen)
{
    unsigned char *f = kpi_malloc(n + 20);
    memcpy(f, KPC_MAGIC, 4);
    put_u(f + 4, KPC_VERSION, 4);
    put_u(f + 8, n, 8);
    put_u(f + 16, crc32_of(payload, n), 4);
    memcpy(f + 20, payload, n);
    Program *p = kpc_read(f, n + 20, err, errlen);
    kpi_free(f);
    return p;
}

static void test_kpc_damage(void **state)
{
    (void)state;
    Program *p = good();
    int failures = 0;
    Buf b = BUF_INIT;
    kpc_write(p, &b);
    const unsigned char *payload = (const unsigned char *)b.data + 20;
    size_t n = b.len - 20;
    char err[256];
    Program *q = read_payload(payload, n, err, sizeof err);
    assert_non_null(q);
    assert_int_equal(q->ncode, p->ncode);
    assert_int_equal(q->nconsts, p->nconsts);
    free_program(q);
    /* every truncation is refused, by the reader */
    for (size_t len = 0; len < n; len++) {
        q = read_payload(payload, len, err, sizeof err);
        if (q || strcmp(err, "the file's contents are malformed") != 0) {
            print_message("truncated to %zu bytes: %s\n", len, q ? "read" : err);
            failures++;
        }
        free_program(q);
    }
    /* a count or an index of 2^32-1 anywhere: refused (or, where it only
     * renames a value, verified), never read past the end or allocated */
    unsigned char *d = kpi_malloc(n);
    size_t refused_n = 0;
    for (size_t at = 0; at + 4 <= n; at += 3) {
        memcpy(d, payload, n);
        put_u(d + at, 0xFFFFFFFFu, 4);
        q = read_payload(d, n, err, sizeof err);
        refused_n += q == NULL;
        free_program(q);
    }
    assert_true(refused_n > n / 6);
    kpi_free(d);
    buf_free(&b);
    assert_int_equal(failures, 0);
    free_program(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc32),
        cmocka_unit_test(test_header_and_constants),
        cmocka_unit_test(test_tables),
        cmocka_unit_test(test_row_program),
        cmocka_unit_test(test_row_instructions),
        cmocka_unit_test(test_aggregates),
        cmocka_unit_test(test_employee_code),
        cmocka_unit_test(test_outputs),
        cmocka_unit_test(test_trace),
        cmocka_unit_test(test_trace_kinds),
        cmocka_unit_test(test_kpc_damage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
