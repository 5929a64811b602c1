/* kpc.c - writing and reading .kpc files; see kpc.h. */
#include "vm/kpc.h"
#include "base/alloc.h"
#include "base/compiler.h"
#include "base/fsio.h"

#include <stdio.h>
#include <string.h>

KPI_WRAPS uint32_t kpc_crc32(const unsigned char *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1)));
    }
    return ~c;
}

/* ---- writing ---- */
static void w_u(Buf *b, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        buf_addc(b, (char)(v >> (8 * i)));
}
static void w8(Buf *b, uint32_t v) { w_u(b, v, 1); }
static void w16(Buf *b, uint32_t v) { w_u(b, v, 2); }
static void w32(Buf *b, uint32_t v) { w_u(b, v, 4); }
static void w128(Buf *b, i128 v)
{
    u128 u = (u128)v;
    w_u(b, (uint64_t)u, 8);
    w_u(b, (uint64_t)(u >> 64), 8);
}
static void wstr(Buf *b, const char *s, uint32_t len)
{
    w32(b, s ? len : UINT32_MAX);
    if (s)
        buf_add(b, s, len);
}
static void wcstr(Buf *b, const char *s) { wstr(b, s, s ? (uint32_t)strlen(s) : 0); }

static void w_value(Buf *b, Value v)
{
    w8(b, v.kind);
    w8(b, v.inexact);
    w16(b, v.err);
    w32(b, v.aux);
    w128(b, v.q.num);
    w128(b, v.q.den);
}

static void w_code(Buf *b, const Ins *code, const uint32_t *spans, uint32_t n)
{
    w32(b, n);
    for (uint32_t i = 0; i < n; i++) {
        w8(b, code[i].op);
        w8(b, code[i].x);
        w16(b, code[i].a);
        w16(b, code[i].b);
        w16(b, code[i].c);
        w32(b, spans[i]);
    }
}

static void w_table(Buf *b, const TableSpec *t)
{
    wcstr(b, t->name);
    wcstr(b, t->file);
    w8(b, t->kind);
    w8(b, t->key_role);
    w8(b, (uint8_t)t->dialect.delimiter);
    w8(b, (uint8_t)t->dialect.num.decimal_point);
    w8(b, (uint8_t)t->dialect.num.thousands);
    w8(b, t->dialect.date);
    w8(b, t->dialect.empty);
    w32(b, t->ncols);
    for (uint32_t i = 0; i < t->ncols; i++) {
        const ColumnSpec *c = &t->cols[i];
        wcstr(b, c->name);
        wcstr(b, c->header);
        w8(b, c->type);
        w8(b, c->scale);
        w8(b, c->role);
        w8(b, c->empty);
        w8(b, c->used);
        w8(b, c->nonzero);
    }
    w32(b, (uint32_t)t->key_col);
    w32(b, (uint32_t)t->date_col);
    w32(b, (uint32_t)t->period_col);
    w32(b, (uint32_t)t->dept_col);
    w32(b, (uint32_t)t->name_col);
    w_code(b, t->code, t->code_span, t->ncode);
    w16(b, t->nvecs);
    for (uint32_t i = 0; i < t->nvecs; i++) {
        w8(b, t->vecs[i].type);
        w8(b, t->vecs[i].scale);
        w32(b, (uint32_t)t->vecs[i].col);
    }
    w32(b, t->span);
}

static void w_explain(Buf *b, const Program *p)
{
    for (uint32_t i = 0; i < p->npersist; i++) {
        w32(b, p->def_span ? p->def_span[i] : 0);
        wcstr(b, p->def_text ? p->def_text[i] : NULL);
        w8(b, p->def_unit ? p->def_unit[i] : DU_UNKNOWN);
        w8(b, p->def_role ? p->def_role[i] : DR_INTERNAL);
        w32(b, p->def_code ? p->def_code[2 * i] : 0);
        w32(b, p->def_code ? p->def_code[2 * i + 1] : 0);
    }
    w32(b, p->ntrace);
    for (uint32_t i = 0; i < p->ntrace; i++) {
        const TracePoint *t = &p->trace[i];
        w8(b, t->kind);
        w16(b, t->def);
        w16(b, t->reg);
        w32(b, t->pc);
        w32(b, t->span);
    }
}

static void w_payload(Buf *b, const Program *p)
{
    wcstr(b, p->scheme_name);
    wcstr(b, p->currency);
    w8(b, p->period);
    w8(b, p->rounding);
    w32(b, p->ntables);
    for (uint32_t i = 0; i < p->ntables; i++)
        w_table(b, &p->tables[i]);
    w32(b, (uint32_t)p->roster);
    w32(b, p->nconsts);
    for (uint32_t i = 0; i < p->nconsts; i++)
        w_value(b, p->consts[i]);
    w32(b, p->nstrings);
    for (uint32_t i = 0; i < p->nstrings; i++)
        wstr(b, p->strings[i], p->string_len[i]);
    w32(b, p->naggs);
    for (uint32_t i = 0; i < p->naggs; i++) {
        const AggSpec *a = &p->aggs[i];
        w8(b, a->kind);
        w8(b, a->vtype);
        w8(b, a->scale);
        w16(b, a->table);
        w16(b, a->where);
        w16(b, a->nargs);
        for (uint32_t k = 0; k < a->nargs; k++)
            w16(b, a->args[k]);
        w32(b, a->span);
    }
    w32(b, p->nteam);
    for (uint32_t i = 0; i < p->nteam; i++) {
        const TeamField *t = &p->team[i];
        wcstr(b, t->name);
        w8(b, t->kind);
        w16(b, t->group_col);
        w16(b, t->arg);
        w16(b, t->where);
        w16(b, t->stratum);
        w32(b, t->span);
    }
    w16(b, p->nregs);
    w16(b, p->npersist);
    w16(b, p->kreg);
    for (uint32_t i = 0; i < p->npersist; i++)
        wcstr(b, p->reg_names ? p->reg_names[i] : NULL);
    w_code(b, p->code, p->code_span, p->ncode);
    w32(b, p->nstrata);
    for (uint32_t i = 0; i < p->nstrata; i++)
        w32(b, p->stratum_pc[i]);
    w32(b, p->nind);
    for (uint32_t i = 0; i < p->nind; i++) {
        const IndicatorOut *o = &p->ind[i];
        wcstr(b, o->name);
        wcstr(b, o->label);
        const uint16_t regs[9] = {o->active, o->fact,  o->plan,   o->index,  o->raw_score,
                                  o->gate,   o->score, o->weight, o->contrib};
        for (int k = 0; k < 9; k++)
            w16(b, regs[k]);
        w8(b, o->flags);
        w32(b, o->span);
    }
    w32(b, p->nouts);
    for (uint32_t i = 0; i < p->nouts; i++) {
        wcstr(b, p->outs[i].name);
        wcstr(b, p->outs[i].label);
        w8(b, p->outs[i].kind);
        w16(b, p->outs[i].reg);
        w32(b, p->outs[i].span);
    }
    w_explain(b, p);
    w32(b, p->nallowed);
    for (uint32_t i = 0; i < p->nallowed; i++)
        w16(b, p->allowed[i]);
    w32(b, p->nspans);
    for (uint32_t i = 0; i < p->nspans; i++) {
        w16(b, p->spans[i].file);
        w32(b, p->spans[i].start);
        w32(b, p->spans[i].end);
    }
    w32(b, (uint32_t)p->sources.n);
    for (size_t i = 0; i < p->sources.n; i++) {
        wcstr(b, p->sources.files[i].name);
        wstr(b, p->sources.files[i].text, (uint32_t)p->sources.files[i].len);
    }
}

void kpc_write(const Program *p, Buf *out)
{
    Buf payload = BUF_INIT;
    w_payload(&payload, p);
    buf_add(out, KPC_MAGIC, 4);
    w32(out, KPC_VERSION);
    w_u(out, payload.len, 8);
    w32(out, kpc_crc32((const unsigned char *)payload.data, payload.len));
    buf_add(out, payload.data, payload.len);
    buf_free(&payload);
}

bool kpc_save_file(const Program *p, const char *path, char *err, size_t errlen)
{
    Buf b = BUF_INIT;
    kpc_write(p, &b);
    bool ok = fs_write_atomic(path, b.data, b.len, err, errlen);
    buf_free(&b);
    return ok;
}

/* ---- reading: every read is bounds-checked; the first failure sticks ---- */
typedef struct Rd {
    const unsigned char *p;
    size_t n, at;
    bool bad;
} Rd;

static uint64_t r_u(Rd *r, int bytes)
{
    if (r->bad || r->n - r->at < (size_t)bytes) {
        r->bad = true;
        return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v |= (uint64_t)r->p[r->at + (size_t)i] << (8 * i);
    r->at += (size_t)bytes;
    return v;
}
static uint8_t r8(Rd *r) { return (uint8_t)r_u(r, 1); }
static uint16_t r16(Rd *r) { return (uint16_t)r_u(r, 2); }
static uint32_t r32(Rd *r) { return (uint32_t)r_u(r, 4); }
static i128 r128(Rd *r)
{
    u128 lo = r_u(r, 8), hi = r_u(r, 8);
    return (i128)(lo | (hi << 64));
}

static char *rstr(Rd *r, uint32_t *len_out)
{
    uint32_t len = r32(r);
    if (len == UINT32_MAX)
        return NULL;
    if (r->bad || r->n - r->at < len) {
        r->bad = true;
        return NULL;
    }
    char *s = kpi_strndup((const char *)r->p + r->at, len);
    r->at += len;
    if (len_out)
        *len_out = len;
    return s;
}

/* A count read from the file, refused when the rest of the file cannot hold
 * that many items: allocation never trusts the file. */
static uint32_t rcount(Rd *r, size_t min_item)
{
    uint32_t n = r32(r);
    if (!r->bad && (size_t)n > (r->n - r->at) / (min_item ? min_item : 1))
        r->bad = true;
    return r->bad ? 0 : n;
}

static Value r_value(Rd *r)
{
    Value v;
    v.kind = r8(r);
    v.inexact = r8(r);
    v.err = r16(r);
    v.aux = r32(r);
    v.q.num = r128(r);
    v.q.den = r128(r);
    return v;
}

static uint32_t r_code(Rd *r, Ins **code, uint32_t **spans)
{
    uint32_t n = rcount(r, 12);
    if (n > KPI_MAX_CODE) { /* more than the compiler makes: refused before allocating */
        r->bad = true;
        n = 0;
    }
    *code = kpi_calloc(n ? n : 1, sizeof(Ins));
    *spans = kpi_calloc(n ? n : 1, sizeof(uint32_t));
    for (uint32_t i = 0; i < n; i++) {
        (*code)[i].op = r8(r);
        (*code)[i].x = r8(r);
        (*code)[i].a = r16(r);
        (*code)[i].b = r16(r);
        (*code)[i].c = r16(r);
        (*spans)[i] = r32(r);
    }
    return n;
}

static void r_table(Rd *r, TableSpec *t)
{
    t->name = rstr(r, NULL);
    t->file = rstr(r, NULL);
    t->kind = r8(r);
    t->key_role = r8(r);
    t->dialect.delimiter = (char)r8(r);
    t->dialect.num.decimal_point = (char)r8(r);
    t->dialect.num.thousands = (char)r8(r);
    t->dialect.date = (DateFormat)r8(r);
    t->dialect.empty = (EmptyMeaning)r8(r);
    t->ncols = rcount(r, 14);
    t->cols = kpi_calloc(t->ncols ? t->ncols : 1, sizeof(ColumnSpec));
    for (uint32_t i = 0; i < t->ncols; i++) {
        ColumnSpec *c = &t->cols[i];
        c->name = rstr(r, NULL);
        c->header = rstr(r, NULL);
        c->type = r8(r);
        c->scale = r8(r);
        c->role = r8(r);
        c->empty = r8(r);
        c->used = r8(r);
        c->nonzero = r8(r);
    }
    t->key_col = (int32_t)r32(r);
    t->date_col = (int32_t)r32(r);
    t->period_col = (int32_t)r32(r);
    t->dept_col = (int32_t)r32(r);
    t->name_col = (int32_t)r32(r);
    t->ncode = r_code(r, &t->code, &t->code_span);
    t->nvecs = r16(r);
    t->vecs = kpi_calloc(t->nvecs ? t->nvecs : 1, sizeof(VecSpec));
    for (uint32_t i = 0; i < t->nvecs && !r->bad; i++) {
        t->vecs[i].type = r8(r);
        t->vecs[i].scale = r8(r);
        t->vecs[i].col = (int32_t)r32(r);
    }
    t->span = r32(r);
}

static void r_explain(Rd *r, Program *p)
{
    uint32_t n = p->npersist ? p->npersist : 1;
    p->def_span = kpi_calloc(n, sizeof(uint32_t));
    p->def_text = kpi_calloc(n, sizeof(char *));
    p->def_unit = kpi_calloc(n, 1);
    p->def_role = kpi_calloc(n, 1);
    p->def_code = kpi_calloc((size_t)n * 2, sizeof(uint32_t));
    for (uint32_t i = 0; i < p->npersist && !r->bad; i++) {
        p->def_span[i] = r32(r);
        uint32_t len = 0;
        p->def_text[i] = rstr(r, &len);
        if (p->def_text[i] && !len) { /* written for "none" */
            kpi_free(p->def_text[i]);
            p->def_text[i] = NULL;
        }
        p->def_unit[i] = r8(r);
        p->def_role[i] = r8(r);
        p->def_code[2 * i] = r32(r);
        p->def_code[2 * i + 1] = r32(r);
    }
    p->ntrace = rcount(r, 13);
    p->trace = kpi_calloc(p->ntrace ? p->ntrace : 1, sizeof(TracePoint));
    for (uint32_t i = 0; i < p->ntrace; i++) {
        TracePoint *t = &p->trace[i];
        t->kind = r8(r);
        t->def = r16(r);
        t->reg = r16(r);
        t->pc = r32(r);
        t->span = r32(r);
    }
}

static void r_payload(Rd *r, Program *p)
{
    p->scheme_name = rstr(r, NULL);
    p->currency = rstr(r, NULL);
    p->period = r8(r);
    p->rounding = r8(r);
    p->ntables = rcount(r, 40);
    p->tables = kpi_calloc(p->ntables ? p->ntables : 1, sizeof(TableSpec));
    for (uint32_t i = 0; i < p->ntables; i++)
        r_table(r, &p->tables[i]);
    p->roster = (int32_t)r32(r);
    p->nconsts = rcount(r, 40);
    if (p->nconsts > KPI_MAX_CONSTS) {
        r->bad = true;
        p->nconsts = 0;
    }
    p->consts = kpi_calloc(p->nconsts ? p->nconsts : 1, sizeof(Value));
    for (uint32_t i = 0; i < p->nconsts; i++)
        p->consts[i] = r_value(r);
    p->nstrings = rcount(r, 4);
    p->strings = kpi_calloc(p->nstrings ? p->nstrings : 1, sizeof(char *));
    p->string_len = kpi_calloc(p->nstrings ? p->nstrings : 1, sizeof(uint32_t));
    for (uint32_t i = 0; i < p->nstrings; i++)
        p->strings[i] = rstr(r, &p->string_len[i]);
    p->naggs = rcount(r, 13);
    p->aggs = kpi_calloc(p->naggs ? p->naggs : 1, sizeof(AggSpec));
    for (uint32_t i = 0; i < p->naggs; i++) {
        AggSpec *a = &p->aggs[i];
        a->kind = r8(r);
        a->vtype = r8(r);
        a->scale = r8(r);
        a->table = r16(r);
        a->where = r16(r);
        a->nargs = r16(r);
        a->args = kpi_calloc(a->nargs ? a->nargs : 1, sizeof(uint16_t));
        for (uint32_t k = 0; k < a->nargs && !r->bad; k++)
            a->args[k] = r16(r);
        a->span = r32(r);
    }
    p->nteam = rcount(r, 15);
    p->team = kpi_calloc(p->nteam ? p->nteam : 1, sizeof(TeamField));
    for (uint32_t i = 0; i < p->nteam; i++) {
        TeamField *t = &p->team[i];
        t->name = rstr(r, NULL);
        t->kind = r8(r);
        t->group_col = r16(r);
        t->arg = r16(r);
        t->where = r16(r);
        t->stratum = r16(r);
        t->span = r32(r);
    }
    p->nregs = r16(r);
    p->npersist = r16(r);
    p->kreg = r16(r);
    p->reg_names = kpi_calloc(p->npersist ? p->npersist : 1, sizeof(char *));
    for (uint32_t i = 0; i < p->npersist && !r->bad; i++)
        p->reg_names[i] = rstr(r, NULL);
    p->ncode = r_code(r, &p->code, &p->code_span);
    p->nstrata = rcount(r, 4);
    p->stratum_pc = kpi_calloc(p->nstrata ? p->nstrata : 1, sizeof(uint32_t));
    for (uint32_t i = 0; i < p->nstrata; i++)
        p->stratum_pc[i] = r32(r);
    p->nind = rcount(r, 31);
    p->ind = kpi_calloc(p->nind ? p->nind : 1, sizeof(IndicatorOut));
    for (uint32_t i = 0; i < p->nind; i++) {
        IndicatorOut *o = &p->ind[i];
        o->name = rstr(r, NULL);
        o->label = rstr(r, NULL);
        uint16_t *regs[9] = {&o->active, &o->fact,  &o->plan,   &o->index,  &o->raw_score,
                             &o->gate,   &o->score, &o->weight, &o->contrib};
        for (int k = 0; k < 9; k++)
            *regs[k] = r16(r);
        o->flags = r8(r);
        o->span = r32(r);
    }
    p->nouts = rcount(r, 15);
    p->outs = kpi_calloc(p->nouts ? p->nouts : 1, sizeof(ValueOut));
    for (uint32_t i = 0; i < p->nouts; i++) {
        p->outs[i].name = rstr(r, NULL);
        p->outs[i].label = rstr(r, NULL);
        p->outs[i].kind = r8(r);
        p->outs[i].reg = r16(r);
        p->outs[i].span = r32(r);
    }
    r_explain(r, p);
    p->nallowed = rcount(r, 2);
    p->allowed = kpi_calloc(p->nallowed ? p->nallowed : 1, sizeof(uint16_t));
    for (uint32_t i = 0; i < p->nallowed; i++)
        p->allowed[i] = r16(r);
    p->nspans = rcount(r, 10);
    p->spans = kpi_calloc(p->nspans ? p->nspans : 1, sizeof(SpanInfo));
    for (uint32_t i = 0; i < p->nspans; i++) {
        p->spans[i].file = r16(r);
        p->spans[i].start = r32(r);
        p->spans[i].end = r32(r);
    }
    uint32_t nsrc = rcount(r, 8);
    sources_init(&p->sources);
    for (uint32_t i = 0; i < nsrc && !r->bad; i++) {
        char *name = rstr(r, NULL);
        uint32_t len = 0;
        char *text = rstr(r, &len);
        if (!name || !text) {
            r->bad = true;
            kpi_free(name);
            kpi_free(text);
            break;
        }
        sources_add(&p->sources, name, text, len);
        kpi_free(name);
    }
}

Program *kpc_read(const unsigned char *data, size_t len, char *err, size_t errlen)
{
    if (len < 20 || memcmp(data, KPC_MAGIC, 4) != 0) {
        snprintf(err, errlen, "not a compiled scheme (.kpc) file");
        return NULL;
    }
    Rd h = {data, len, 4, false};
    uint32_t version = r32(&h);
    uint64_t plen = r_u(&h, 8);
    uint32_t crc = r32(&h);
    if (version != KPC_VERSION) {
        snprintf(err, errlen, "compiled by another version of kpic (format %u, this one reads %u); "
                              "compile the scheme again", version, KPC_VERSION);
        return NULL;
    }
    if (plen != len - 20) {
        snprintf(err, errlen, "the file is truncated or has extra bytes (%zu bytes of payload, "
                              "the header says %llu)", len - 20, (unsigned long long)plen);
        return NULL;
    }
    if (kpc_crc32(data + 20, len - 20) != crc) {
        snprintf(err, errlen, "the file is damaged (checksum mismatch)");
        return NULL;
    }
    Rd r = {data + 20, len - 20, 0, false};
    Program *p = kpi_calloc(1, sizeof *p);
    r_payload(&r, p);
    if (r.bad || r.at != r.n) {
        snprintf(err, errlen, "the file's contents are malformed");
    } else if (program_verify(p, err, errlen)) {
        return p;
    }
    program_free(p);
    kpi_free(p);
    return NULL;
}

Program *kpc_load_file(const char *path, char *err, size_t errlen)
{
    size_t len;
    char *data = fs_read_all(path, &len, KPC_MAX_BYTES, err, errlen);
    if (!data)
        return NULL;
    Program *p = kpc_read((const unsigned char *)data, len, err, errlen);
    kpi_free(data);
    return p;
}
