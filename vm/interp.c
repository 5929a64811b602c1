/* interp.c - the employee program: a register machine over one employee's
 * frame. The program was verified (vm/verify.c), so operands are trusted. */
#include "vm/run_int.h"

static Value plan_value(const Run *r, uint32_t emp, uint32_t table, uint32_t col, uint32_t span)
{
    const TableSpec *t = &r->p->tables[table];
    const PlanData *pd = &r->plans[table];
    int32_t row = -1;
    if (t->key_role == COLROLE_EMPLOYEE) {
        row = pd->row_of_emp[emp];
    } else {
        const TableSpec *ros = &r->p->tables[r->p->roster];
        Value dept = r->roster[(size_t)emp * ros->ncols + (uint32_t)ros->dept_col];
        if (dept.kind == V_TEXT && dept.aux < pd->ntext)
            row = pd->row_of_text[dept.aux];
    }
    if (row < 0)
        return val_error(ERR_NO_PLAN, span);
    return pd->vals[(size_t)row * t->ncols + col];
}

static Value team_value(const Run *r, uint32_t emp, uint32_t field)
{
    int32_t g = r->team_group[(size_t)field * r->res->nemp + emp];
    if (g < 0)
        return val_blank();
    size_t base = 0;
    for (uint32_t f = 0; f < field; f++)
        base += r->team_ngroups[f];
    return r->team_vals[base + (uint32_t)g];
}

static uint64_t team_members(const Run *r, uint32_t emp, uint32_t field)
{
    int32_t g = r->team_group[(size_t)field * r->res->nemp + emp];
    if (g < 0)
        return 0;
    size_t base = 0;
    for (uint32_t f = 0; f < field; f++)
        base += r->team_ngroups[f];
    return r->team_n[base + (uint32_t)g];
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

static CmpOp cmp_of(uint8_t op)
{
    return op == BC_EQ ? CMP_EQ : op == BC_NE ? CMP_NE : op == BC_LT ? CMP_LT
         : op == BC_LE ? CMP_LE : op == BC_GT ? CMP_GT : CMP_GE;
}

/* One instruction that reads and writes only registers and constants;
 * false for the others (data reads, RET). *pc is already the next one. */
static inline bool pure_step(const Program *p, Value *R, Ins in, uint32_t span, uint32_t *pc)
{
    switch ((Opcode)in.op) {
    case BC_NOP: break;
    case BC_LOADK: R[in.a] = p->consts[in.b]; break;
    case BC_LOADI: R[in.a] = val_num(rat_int(in.b)); break;
    case BC_BLANK: R[in.a] = val_blank(); break;
    case BC_MOVE: R[in.a] = R[in.b]; break;
    case BC_ADD: R[in.a] = val_add(R[in.b], R[in.c], span); break;
    case BC_SUB: R[in.a] = val_sub(R[in.b], R[in.c], span); break;
    case BC_MUL: R[in.a] = val_mul(R[in.b], R[in.c], span); break;
    case BC_DIV: R[in.a] = val_div(R[in.b], R[in.c], span); break;
    case BC_NEG: R[in.a] = val_neg(R[in.b]); break;
    case BC_ABS: R[in.a] = val_abs(R[in.b]); break;
    case BC_NOT: R[in.a] = val_not(R[in.b]); break;
    case BC_EQ: case BC_NE: case BC_LT: case BC_LE: case BC_GT: case BC_GE:
        R[in.a] = val_cmp(cmp_of(in.op), R[in.b], R[in.c]);
        break;
    case BC_AND: R[in.a] = val_and(R[in.b], R[in.c]); break;
    case BC_OR: R[in.a] = val_or(R[in.b], R[in.c]); break;
    case BC_DEFAULT: R[in.a] = val_default(R[in.b], R[in.c]); break;
    case BC_MIN: R[in.a] = val_min(R[in.b], R[in.c]); break;
    case BC_MAX: R[in.a] = val_max(R[in.b], R[in.c]); break;
    case BC_ROUND: R[in.a] = val_round(R[in.b], R[in.c], (RoundMode)in.x, span); break;
    case BC_ISBLANK: R[in.a] = val_bool(R[in.b].kind == V_BLANK); break;
    case BC_JMP: *pc = ins_target(in); break;
    case BC_JNOTBOOL: if (R[in.a].kind != V_BOOL) *pc = ins_target(in); break;
    case BC_JFALSE: if (!R[in.a].aux) *pc = ins_target(in); break;
    case BC_FAIL: R[in.a] = val_error((ErrorKind)in.x, span); break;
    default: return false;
    }
    return true;
}

/* The instructions that read the employee's data. */
static bool data_step(Run *r, uint32_t emp, Ins in, uint32_t span)
{
    const Program *p = r->p;
    Value *R = r->frame;
    switch ((Opcode)in.op) {
    case BC_ROSTER: R[in.a] = r->roster[(size_t)emp * p->tables[p->roster].ncols + in.b]; break;
    case BC_PLAN: R[in.a] = plan_value(r, emp, in.x, in.b, span); break;
    case BC_AGG: R[in.a] = scan_agg_value(r, emp, in.b); break;
    case BC_TEAM: R[in.a] = team_value(r, emp, in.b); break;
    default: return false; /* RET; row instructions never reach here (verified) */
    }
    return true;
}

void interp_run(Run *r, uint32_t emp, uint32_t pc)
{
    const Program *p = r->p;
    for (;;) {
        Ins in = p->code[pc];
        uint32_t span = p->code_span[pc];
        TraceRec *rec = NULL;
        TraceKind tk = TK_READ;
        if (r->trace_cur && r->point_of_pc[pc] != UINT32_MAX) {
            rec = &r->trace_cur[r->point_of_pc[pc]];
            tk = (TraceKind)p->trace[r->point_of_pc[pc]].kind;
            trace_before(r, rec, tk, in);
        }
        pc++;
        if (!pure_step(p, r->frame, in, span, &pc) && !data_step(r, emp, in, span))
            return;
        if (rec)
            trace_after(r, rec, tk, in, emp);
    }
}

bool interp_range(const Program *p, Value *R, uint32_t start, uint32_t end)
{
    for (uint32_t pc = start; pc < end;) {
        Ins in = p->code[pc];
        uint32_t span = p->code_span[pc];
        pc++;
        if (!pure_step(p, R, in, span, &pc))
            return false;
    }
    return true;
}
