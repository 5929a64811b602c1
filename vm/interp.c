/* interp.c - the employee program: a register machine over one employee's
 * frame. The program was verified (vm/verify.c), so operands are trusted. */
#include "vm/run_int.h"

/* A department-keyed table's row for the employee, or -1. */
static int32_t plan_row_of_dept(const Run *r, const PlanData *pd, uint32_t emp)
{
    const TableSpec *ros = &r->p->tables[r->p->roster];
    int64_t dept = r->roster[(size_t)emp * ros->ncols + (uint32_t)ros->dept_col]; /* a text's id */
    return dept != REF_BLANK && (uint64_t)dept < pd->ntext ? pd->row_of_text[dept] : -1;
}

/* Inline into the interpreter: a plan read is a tenth of the program. */
__attribute__((always_inline)) static inline void plan_value(const Run *r, Value *out, uint32_t emp, uint32_t table,
                                                             uint32_t col, uint32_t span)
{
    const TableSpec *t = &r->p->tables[table];
    const PlanData *pd = &r->plans[table];
    int32_t row = t->key_role == COLROLE_EMPLOYEE ? pd->row_of_emp[emp] : plan_row_of_dept(r, pd, emp);
    if (row < 0)
        *out = val_error(ERR_NO_PLAN, span);
    else
        ref_cell_to(out, &t->cols[col], pd->cells[(size_t)row * t->ncols + col]);
}

static void roster_value(const Run *r, Value *out, uint32_t emp, uint32_t col)
{
    const TableSpec *ros = &r->p->tables[r->p->roster];
    ref_cell_to(out, &ros->cols[col], r->roster[(size_t)emp * ros->ncols + col]);
}

static void team_value(const Run *r, Value *out, uint32_t emp, uint32_t field)
{
    int32_t g = r->team_group[(size_t)field * r->res->nemp + emp];
    if (g < 0)
        *out = val_blank();
    else
        val_copy(out, &r->team_vals[r->team_base[field] + (uint32_t)g]);
}

/* An aggregate's value, made out of line, copied in by words. */
static void agg_value(const Run *r, Value *out, uint32_t emp, uint32_t agg)
{
    Value v = scan_agg_value(r, emp, agg);
    val_copy(out, &v);
}

static uint64_t team_members(const Run *r, uint32_t emp, uint32_t field)
{
    int32_t g = r->team_group[(size_t)field * r->res->nemp + emp];
    return g < 0 ? 0 : r->team_n[r->team_base[field] + (uint32_t)g];
}

static void prefetch_lines(const void *p, size_t bytes)
{
    for (size_t at = 0; at < bytes; at += 64)
        __builtin_prefetch((const char *)p + at);
}

void interp_prefetch(const Run *r, uint32_t emp)
{
    const Program *p = r->p;
    for (uint32_t t = 0; t < p->ntables; t++) {
        const PlanData *pd = &r->plans[t];
        if (p->tables[t].key_role != COLROLE_EMPLOYEE || !pd->row_of_emp || pd->row_of_emp[emp] < 0)
            continue;
        prefetch_lines(pd->cells + (size_t)pd->row_of_emp[emp] * p->tables[t].ncols,
                       sizeof(int64_t) * p->tables[t].ncols);
    }
    for (uint32_t f = 0; f < p->nteam; f++) {
        int32_t g = r->team_group[(size_t)f * r->res->nemp + emp];
        if (g >= 0)
            __builtin_prefetch(&r->team_vals[r->team_base[f] + (uint32_t)g]);
    }
}

/* Tracing: the operands as the instruction found them (its result may
 * overwrite one), then its result. */
static void trace_before(const Run *r, TraceRec *t, TraceKind k, Ins in)
{
    const Value *R = r->frame;
    t->hit = 1;
    if (k == TK_BRANCH) {
        t->v[0] = R[in.a];
    } else if (k == TK_CHOICE || k == TK_ROUND || k == TK_DEFAULT) {
        t->v[1] = R[in.b];
        t->v[2] = R[in.c];
    }
}

static void trace_after(const Run *r, TraceRec *t, TraceKind k, Ins in, uint32_t emp)
{
    if (k == TK_BRANCH || k == TK_BAND)
        return;
    t->v[0] = r->frame[in.a];
    if (in.op == BC_AGG)
        t->count = scan_agg_rows(r, emp, in.b);
    else if (in.op == BC_TEAM)
        t->count = team_members(r, emp, in.b);
}

/* Every employee instruction's effect, written once and expanded twice: into
 * a switch (traced runs, interp_range) and into a threaded loop with
 * computed goto (plain runs). Order is the enum's, NOP..RET, so the goto
 * table is indexed by opcode. PURE ones touch only registers and constants;
 * DATA ones read the employee's data (r, emp); END stops the stage. In a
 * body, pc is already the next instruction and SPAN is this one's span.
 * NOTE_INEXACT follows the instructions that can make a rounded fallback
 * or bring one in (copies and comparisons cannot): `inexact` is the run's. */
#define NOTE_INEXACT inexact |= R[in.a].inexact
#define EMPLOYEE_OPS(PURE, DATA, END)                                                                \
    PURE(NOP, (void)0)                                                                               \
    PURE(LOADK, R[in.a] = p->consts[in.b]; NOTE_INEXACT)                                             \
    PURE(LOADI, val_set_q(&R[in.a], (Rat){in.b, 1}, 0))                                              \
    PURE(BLANK, R[in.a] = val_blank())                                                               \
    PURE(MOVE, val_copy(&R[in.a], &R[in.b]))                                                         \
    PURE(ADD, val_add_to(&R[in.a], &R[in.b], &R[in.c], SPAN); NOTE_INEXACT)                          \
    PURE(SUB, val_sub_to(&R[in.a], &R[in.b], &R[in.c], SPAN); NOTE_INEXACT)                          \
    PURE(MUL, val_mul_to(&R[in.a], &R[in.b], &R[in.c], SPAN); NOTE_INEXACT)                          \
    PURE(DIV, val_div_to(&R[in.a], &R[in.b], &R[in.c], SPAN); NOTE_INEXACT)                          \
    PURE(NEG, R[in.a] = val_neg(R[in.b]))                                                            \
    PURE(ABS, R[in.a] = val_abs(R[in.b]))                                                            \
    PURE(NOT, R[in.a] = val_not(R[in.b]))                                                            \
    PURE(EQ, val_cmp_to(CMP_EQ, &R[in.a], &R[in.b], &R[in.c]))                                       \
    PURE(NE, val_cmp_to(CMP_NE, &R[in.a], &R[in.b], &R[in.c]))                                       \
    PURE(LT, val_cmp_to(CMP_LT, &R[in.a], &R[in.b], &R[in.c]))                                       \
    PURE(LE, val_cmp_to(CMP_LE, &R[in.a], &R[in.b], &R[in.c]))                                       \
    PURE(GT, val_cmp_to(CMP_GT, &R[in.a], &R[in.b], &R[in.c]))                                       \
    PURE(GE, val_cmp_to(CMP_GE, &R[in.a], &R[in.b], &R[in.c]))                                       \
    PURE(AND, val_and_to(&R[in.a], &R[in.b], &R[in.c]))                                              \
    PURE(OR, val_or_to(&R[in.a], &R[in.b], &R[in.c]))                                                \
    PURE(DEFAULT, val_default_to(&R[in.a], &R[in.b], &R[in.c]))                                      \
    PURE(MIN, val_min_to(&R[in.a], &R[in.b], &R[in.c]))                                              \
    PURE(MAX, val_max_to(&R[in.a], &R[in.b], &R[in.c]))                                              \
    PURE(ROUND, val_round_to(&R[in.a], &R[in.b], &R[in.c], (RoundMode)in.x, SPAN); NOTE_INEXACT)     \
    PURE(ISBLANK, R[in.a] = val_bool(R[in.b].kind == V_BLANK))                                       \
    PURE(JMP, pc = ins_target(in))                                                                   \
    PURE(JNOTBOOL, if (R[in.a].kind != V_BOOL) pc = ins_target(in))                                  \
    PURE(JFALSE, if (!R[in.a].aux) pc = ins_target(in))                                              \
    PURE(FAIL, R[in.a] = val_error((ErrorKind)in.x, SPAN))                                           \
    DATA(ROSTER, roster_value(r, &R[in.a], emp, in.b))                                               \
    DATA(PLAN, plan_value(r, &R[in.a], emp, in.x, in.b, SPAN))                                       \
    DATA(AGG, agg_value(r, &R[in.a], emp, in.b); NOTE_INEXACT)                                       \
    DATA(TEAM, team_value(r, &R[in.a], emp, in.b); NOTE_INEXACT)                                     \
    END(RET)

#define COUNT_OP(name, ...) +1
_Static_assert(0 EMPLOYEE_OPS(COUNT_OP, COUNT_OP, COUNT_OP) == BC_RET + 1,
               "every employee opcode has a body in EMPLOYEE_OPS, in enum order");

#define SPAN p->code_span[pc - 1]
#define CASE(name, body) case BC_##name: body; break;
#define NO_CASE(name, ...)

/* One instruction that reads and writes only registers and constants;
 * false for the others (data reads, RET). *next is already the next one. */
static inline bool pure_step(const Program *p, Value *R, Ins in, uint32_t *next, uint8_t *fell_back)
{
    uint32_t pc = *next;
    uint8_t inexact = 0;
    switch ((Opcode)in.op) {
    EMPLOYEE_OPS(CASE, NO_CASE, NO_CASE)
    default: return false;
    }
    *next = pc;
    *fell_back |= inexact;
    return true;
}

/* The instructions that read the employee's data. */
static bool data_step(Run *r, uint32_t emp, Ins in, uint32_t pc, uint8_t *fell_back)
{
    const Program *p = r->p;
    Value *R = r->frame;
    uint8_t inexact = 0;
    switch ((Opcode)in.op) {
    EMPLOYEE_OPS(NO_CASE, CASE, NO_CASE)
    default: return false; /* RET; row instructions never reach here (verified) */
    }
    *fell_back |= inexact;
    return true;
}

/* A traced run: the operands and results of the marked instructions are
 * recorded for explanations. */
static bool interp_traced(Run *r, uint32_t emp, uint32_t pc)
{
    const Program *p = r->p;
    uint8_t inexact = 0;
    for (;;) {
        Ins in = p->code[pc];
        TraceRec *rec = NULL;
        TraceKind tk = TK_READ;
        if (r->point_of_pc[pc] != UINT32_MAX) {
            rec = &r->trace_cur[r->point_of_pc[pc]];
            tk = (TraceKind)p->trace[r->point_of_pc[pc]].kind;
            trace_before(r, rec, tk, in);
        }
        pc++;
        if (!pure_step(p, r->frame, in, &pc, &inexact) && !data_step(r, emp, in, pc, &inexact))
            return inexact;
        if (rec)
            trace_after(r, rec, tk, in, emp);
    }
}

#if defined(__GNUC__) && !defined(KPI_SWITCH_DISPATCH)
/* Threaded dispatch: each instruction jumps straight to the next one's
 * body, which predicts better than one shared switch. */
#define GO_LABEL(name, ...) &&op_##name,
#define GO_BODY(name, body) op_##name: body; NEXT;
#define GO_END(name) op_##name: return inexact;
#define NEXT do { in = code[pc++]; goto *go[in.op]; } while (0)
static bool interp_plain(Run *r, uint32_t emp, uint32_t pc)
{
    static const void *const go[] = {EMPLOYEE_OPS(GO_LABEL, GO_LABEL, GO_LABEL)};
    const Program *p = r->p;
    const Ins *code = p->code;
    Value *R = r->frame;
    uint8_t inexact = 0;
    Ins in;
    NEXT;
    EMPLOYEE_OPS(GO_BODY, GO_BODY, GO_END)
}
#undef NEXT
#else
static bool interp_plain(Run *r, uint32_t emp, uint32_t pc)
{
    const Program *p = r->p;
    uint8_t inexact = 0;
    for (;;) {
        Ins in = p->code[pc++];
        if (!pure_step(p, r->frame, in, &pc, &inexact) && !data_step(r, emp, in, pc, &inexact))
            return inexact;
    }
}
#endif

bool interp_run(Run *r, uint32_t emp, uint32_t pc)
{
    return r->trace_cur ? interp_traced(r, emp, pc) : interp_plain(r, emp, pc);
}

bool interp_range(const Program *p, Value *R, uint32_t start, uint32_t end)
{
    uint8_t inexact = 0;
    for (uint32_t pc = start; pc < end;) {
        Ins in = p->code[pc++];
        if (!pure_step(p, R, in, &pc, &inexact))
            return false;
    }
    return true;
}
