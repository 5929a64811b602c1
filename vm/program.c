/* program.c - the opcode table and ownership of a Program. */
#include "vm/program.h"
#include "base/alloc.h"

const OpInfo op_info[BC__COUNT] = {
#define OP(name, fmt, doc) {#name, fmt, doc},
#include "vm/opcodes.def"
#undef OP
};

const char *agg_kind_name(AggKind k)
{
    static const char *const names[] = {"sum", "count", "count_rows", "avg", "min", "max",
                                        "count_distinct"};
    return names[k];
}

const char *trace_kind_name(TraceKind k)
{
    static const char *const names[TK__COUNT] = {"read", "value", "choice", "round", "branch", "band",
                                                 "no_band", "default"};
    return k < TK__COUNT ? names[k] : "?";
}

static void table_free(TableSpec *t)
{
    kpi_free(t->name);
    kpi_free(t->file);
    for (uint32_t i = 0; i < t->ncols; i++) {
        kpi_free(t->cols[i].name);
        kpi_free(t->cols[i].header);
    }
    kpi_free(t->cols);
    kpi_free(t->code);
    kpi_free(t->code_span);
    kpi_free(t->vecs);
}

void program_frame_init(const Program *p, Value *frame)
{
    for (uint32_t i = 0; i < p->kreg; i++)
        frame[i] = val_blank();
    for (uint32_t i = 0; i < p->nconsts; i++)
        frame[p->kreg + i] = p->consts[i];
}

void program_free(Program *p)
{
    kpi_free(p->scheme_name);
    kpi_free(p->currency);
    for (uint32_t i = 0; i < p->ntables; i++)
        table_free(&p->tables[i]);
    kpi_free(p->tables);
    kpi_free(p->consts);
    for (uint32_t i = 0; i < p->nstrings; i++)
        kpi_free(p->strings[i]);
    kpi_free(p->strings);
    kpi_free(p->string_len);
    for (uint32_t i = 0; i < p->naggs; i++)
        kpi_free(p->aggs[i].args);
    kpi_free(p->aggs);
    for (uint32_t i = 0; i < p->nteam; i++)
        kpi_free(p->team[i].name);
    kpi_free(p->team);
    kpi_free(p->code);
    kpi_free(p->code_span);
    kpi_free(p->stratum_pc);
    for (uint32_t i = 0; i < p->nind; i++) {
        kpi_free(p->ind[i].name);
        kpi_free(p->ind[i].label);
    }
    kpi_free(p->ind);
    for (uint32_t i = 0; i < p->nouts; i++) {
        kpi_free(p->outs[i].name);
        kpi_free(p->outs[i].label);
    }
    kpi_free(p->outs);
    kpi_free(p->spans);
    kpi_free(p->allowed);
    if (p->reg_names)
        for (uint32_t i = 0; i < p->npersist; i++)
            kpi_free(p->reg_names[i]);
    kpi_free(p->reg_names);
    if (p->def_text)
        for (uint32_t i = 0; i < p->npersist; i++)
            kpi_free(p->def_text[i]);
    kpi_free(p->def_text);
    kpi_free(p->def_span);
    kpi_free(p->def_unit);
    kpi_free(p->def_role);
    kpi_free(p->def_code);
    kpi_free(p->trace);
    sources_free(&p->sources);
}
