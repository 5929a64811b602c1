/* disasm.c - kpic disasm: a Program as readable text. One line per
 * instruction: address, source line (or | when unchanged), opcode, operands
 * decoded by the opcode's format, and a comment naming what they are. */
#include "compiler/disasm.h"

#include <stdio.h>
#include <string.h>


static void value_text(const Program *p, Value v, Buf *out)
{
    char buf[96];
    bool exact;
    switch ((ValueKind)v.kind) {
    case V_BLANK: buf_adds(out, "blank"); break;
    case V_NUM:
        rat_format(buf, sizeof buf, v.q, 12, &exact);
        buf_adds(out, buf);
        if (!exact) {
            rat_format_fraction(buf, sizeof buf, v.q);
            buf_printf(out, " (=%s)", buf);
        }
        break;
    case V_TEXT:
        if (v.aux < p->nstrings)
            buf_printf(out, "\"%s\"", p->strings[v.aux]);
        else
            buf_printf(out, "text#%u", v.aux);
        break;
    case V_BOOL: buf_adds(out, v.aux ? "true" : "false"); break;
    case V_DATE: {
        date_format((Day)(int32_t)v.aux, buf);
        buf_adds(out, buf);
        break;
    }
    case V_ERROR: buf_printf(out, "error(%s)", error_kind_text((ErrorKind)v.err)); break;
    }
}

static uint32_t line_of(const Program *p, uint32_t span, bool lines)
{
    if (!lines)
        return 0;
    Span sp = program_span(p, span);
    const Source *src = sources_get(&p->sources, sp.file);
    return src ? source_linecol(src, sp.start).line : 0;
}

static void const_text(const Program *p, uint32_t k, Buf *out, Buf *note)
{
    buf_printf(out, " k%u", k);
    if (k < p->nconsts) {
        buf_printf(note, "%sk%u=", note->len ? " " : "", k);
        value_text(p, p->consts[k], note);
    }
}

/* A constant's register reads as the constant: k2, not r117. */
static void reg_text(const Program *p, uint32_t r, Buf *out, Buf *note)
{
    if (r >= p->kreg && r < p->nregs)
        return const_text(p, r - p->kreg, out, note);
    buf_printf(out, " r%u", r);
    if (r < p->npersist && p->reg_names && p->reg_names[r])
        buf_printf(note, "%sr%u=%s", note->len ? " " : "", r, p->reg_names[r]);
}

static void operand(const Program *p, const TableSpec *t, Ins ins, char f, uint32_t v, Buf *out,
                    Buf *note)
{
    switch (f) {
    case 'R': reg_text(p, v, out, note); break;
    case 'V': buf_printf(out, " v%u", v); break;
    case 'I': buf_printf(out, " %u", v); break;
    case 'K': const_text(p, v, out, note); break;
    case 'C': {
        const TableSpec *r = p->roster >= 0 ? &p->tables[p->roster] : NULL;
        buf_printf(out, " %s.%s", r ? r->name : "roster", r && v < r->ncols ? r->cols[v].name : "?");
        break;
    }
    case 'P': {
        const TableSpec *pt = ins.x < p->ntables ? &p->tables[ins.x] : NULL;
        buf_printf(out, " %s.%s", pt ? pt->name : "?", pt && v < pt->ncols ? pt->cols[v].name : "?");
        break;
    }
    case 'G': buf_printf(out, " g%u", v); break;
    case 'T': buf_printf(out, " %s", v < p->nteam ? p->team[v].name : "?"); break;
    default: break;
    }
    (void)t;
}

/* mark: the trace point of the instruction, or NULL */
static void ins_text(const Program *p, const TableSpec *t, const Ins *code, const uint32_t *spans,
                     uint32_t pc, uint32_t *last_line, bool lines, const char *mark, Buf *out)
{
    Ins ins = code[pc];
    const OpInfo *info = &op_info[ins.op < BC__COUNT ? ins.op : 0];
    uint32_t line = line_of(p, spans[pc], lines);
    if (line != *last_line)
        buf_printf(out, "  %04u %4u  ", pc, line);
    else
        buf_printf(out, "  %04u    |  ", pc);
    *last_line = line;
    size_t start = out->len;
    buf_printf(out, "%-12s", info->name);
    Buf note = BUF_INIT;
    uint16_t vals[3] = {ins.a, ins.b, ins.c};
    for (int k = 0; k < 3; k++) {
        char f = info->format[k];
        if (f == 'J') {
            buf_printf(out, " -> %04u", ins_target(ins));
            break;
        }
        if (f != '-')
            operand(p, t, ins, f, vals[k], out, &note);
    }
    if (ins.op == BC_ROUND)
        buf_printf(out, " %s", round_mode_name((RoundMode)ins.x));
    if (ins.op == BC_FAIL)
        buf_printf(out, " %s", error_kind_text((ErrorKind)ins.x));
    if (ins.op == BC_ROW_SELECT)
        buf_printf(out, " if v%u", ins.x);
    if (mark)
        buf_printf(&note, "%sexplain: %s", note.len ? ", " : "", mark);
    if (note.len) {
        size_t w = out->len - start;
        buf_pad(out, ' ', w < 40 ? 40 - w : 1);
        buf_printf(out, "; %s", buf_cstr(&note));
    }
    buf_addc(out, '\n');
    buf_free(&note);
}

static void table_text(const Program *p, const TableSpec *t, uint32_t ti, bool lines, Buf *out)
{
    static const char *const kinds[] = {"roster", "plans", "facts"};
    static const char *const empties[] = {"blank", "zero", "error"};
    buf_printf(out, "table %u %s: %s from \"%s\" (delimiter '%s', decimal '%c', dates %s, empty %s)\n",
               ti, t->name, kinds[t->kind], t->file, t->dialect.delimiter == '\t' ? "\\t"
               : (char[2]){t->dialect.delimiter, 0},
               t->dialect.num.decimal_point, t->dialect.date == DATE_DMY ? "DD.MM.YYYY" : "YYYY-MM-DD",
               empties[t->dialect.empty]);
    for (uint32_t i = 0; i < t->ncols; i++) {
        const ColumnSpec *c = &t->cols[i];
        static const char *const roles[] = {"", "employee ", "date ", "period ", "department ", "name "};
        buf_printf(out, "  col %u %s%s: %s", i, roles[c->role < 6 ? c->role : 0], c->name,
                   col_type_name((ColType)c->type));
        if (c->type == COL_DECIMAL || c->type == COL_MONEY || c->type == COL_SCORE || c->type == COL_HOURS ||
            c->type == COL_DAYS)
            buf_printf(out, " scale %u", c->scale);
        if (strcmp(c->header, c->name) != 0)
            buf_printf(out, " \"%s\"", c->header);
        buf_printf(out, "%s\n", c->used ? "" : "  (unused)");
    }
    static const char *const vt[] = {"num", "text", "bool", "date"};
    for (uint32_t i = 0; i < t->nvecs; i++) {
        buf_printf(out, "  vec v%u %s", i, vt[t->vecs[i].type]);
        if (t->vecs[i].type == VT_NUM)
            buf_printf(out, " scale %u", t->vecs[i].scale);
        if (t->vecs[i].col >= 0)
            buf_printf(out, " = column %s", t->cols[t->vecs[i].col].name);
        buf_addc(out, '\n');
    }
    uint32_t last = 0;
    for (uint32_t pc = 0; pc < t->ncode; pc++)
        ins_text(p, t, t->code, t->code_span, pc, &last, lines, NULL, out);
    for (uint32_t i = 0; i < p->naggs; i++) {
        const AggSpec *a = &p->aggs[i];
        if (a->table != ti)
            continue;
        buf_printf(out, "  agg g%u = %s(", i, agg_kind_name((AggKind)a->kind));
        for (uint32_t k = 0; k < a->nargs; k++)
            buf_printf(out, "%sv%u", k ? ", " : "", a->args[k]);
        buf_adds(out, ")");
        if (a->where != NO_REG)
            buf_printf(out, " where v%u", a->where);
        if (lines)
            buf_printf(out, "  ; line %u", line_of(p, a->span, lines));
        buf_addc(out, '\n');
    }
}

void disasm_program(const Program *p, Buf *out) { disasm_program_lines(p, true, out); }

void disasm_program_lines(const Program *p, bool lines, Buf *out)
{
    static const char *const periods[] = {"week", "month", "quarter", "year"};
    buf_printf(out, "scheme \"%s\": period %s, rounding %s\n", p->scheme_name,
               periods[p->period < 4 ? p->period : 1], round_mode_name((RoundMode)p->rounding));
    buf_printf(out, "registers %u (%u named), constants %u, instructions %u, strata %u\n\n", p->nregs,
               p->npersist, p->nconsts, p->ncode, p->nstrata);
    for (uint32_t i = 0; i < p->ntables; i++) {
        table_text(p, &p->tables[i], i, lines, out);
        buf_addc(out, '\n');
    }
    for (uint32_t i = 0; i < p->nteam; i++) {
        const TeamField *tf = &p->team[i];
        buf_printf(out, "team field %s = %s(r%u)", tf->name, agg_kind_name((AggKind)tf->kind), tf->arg);
        if (tf->where != NO_REG)
            buf_printf(out, " where r%u", tf->where);
        buf_printf(out, ", before stratum %u\n", tf->stratum);
    }
    uint32_t tp = 0; /* trace points come in instruction order */
    for (uint32_t s = 0; s < p->nstrata; s++) {
        buf_printf(out, "stratum %u:\n", s);
        uint32_t last = 0;
        uint32_t end = s + 1 < p->nstrata ? p->stratum_pc[s + 1] : p->ncode;
        for (uint32_t pc = p->stratum_pc[s]; pc < end; pc++) {
            while (tp < p->ntrace && (p->trace[tp].pc == TRACE_NO_PC || p->trace[tp].pc < pc))
                tp++;
            const char *mark = tp < p->ntrace && p->trace[tp].pc == pc
                ? trace_kind_name((TraceKind)p->trace[tp].kind) : NULL;
            ins_text(p, NULL, p->code, p->code_span, pc, &last, lines, mark, out);
        }
    }
    buf_adds(out, "\nconstants:\n");
    for (uint32_t i = 0; i < p->nconsts; i++) {
        buf_printf(out, "  k%u = ", i);
        value_text(p, p->consts[i], out);
        buf_addc(out, '\n');
    }
}

void disasm_opcodes(Buf *out)
{
    buf_adds(out, "| opcode | operands | effect |\n|---|---|---|\n");
    for (int i = 0; i < BC__COUNT; i++)
        buf_printf(out, "| `%s` | `%s` | %s |\n", op_info[i].name, op_info[i].format, op_info[i].doc);
}
