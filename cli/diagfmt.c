/* diagfmt.c - see diagfmt.h. */
#include "cli/diagfmt.h"
#include "base/alloc.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool diagfmt_parse(const char *name, DiagFormat *out)
{
    static const char *const names[] = {"human", "json", "github", "sarif"};
    for (int i = 0; i < 4; i++)
        if (strcmp(name, names[i]) == 0) {
            *out = (DiagFormat)i;
            return true;
        }
    return false;
}

bool diagfmt_color(const char *when, FILE *stream, bool *out)
{
    if (strcmp(when, "always") == 0)
        *out = true;
    else if (strcmp(when, "never") == 0)
        *out = false;
    else if (strcmp(when, "auto") == 0) {
        const char *nc = getenv("NO_COLOR");
        *out = isatty(fileno(stream)) && !(nc && *nc);
    } else
        return false;
    return true;
}

void diagout_init(DiagOutput *o, DiagFormat fmt, bool color)
{
    memset(o, 0, sizeof *o);
    o->fmt = fmt;
    o->color = color;
}

/* "deals.csv:15:3" -> file, line, column (data diagnostics have no span). */
static void split_where(const char *where, DiagEntry *e)
{
    char *copy = kpi_strdup(where);
    uint32_t nums[2] = {0, 0};
    int found = 0;
    for (int k = 0; k < 2; k++) {
        char *colon = strrchr(copy, ':');
        if (!colon || !colon[1] || strspn(colon + 1, "0123456789") != strlen(colon + 1))
            break;
        nums[k] = (uint32_t)strtoul(colon + 1, NULL, 10);
        *colon = '\0';
        found++;
    }
    e->file = copy;
    e->line = found == 2 ? nums[1] : found == 1 ? nums[0] : 0;
    e->col = found == 2 ? nums[0] : 0;
}

static void add_entry(DiagOutput *o, const Diag *g, const SourceSet *src)
{
    DiagEntry e;
    memset(&e, 0, sizeof e);
    e.id = g->id;
    e.msg = kpi_strdup(g->msg);
    const Source *s = g->has_span ? sources_get(src, g->span.file) : NULL;
    if (s) {
        LineCol a = source_linecol(s, g->span.start);
        LineCol b = source_linecol(s, g->span.end > g->span.start ? g->span.end : g->span.start + 1);
        e.file = kpi_strdup(s->name);
        e.line = a.line;
        e.col = a.col;
        e.end_line = b.line;
        e.end_col = b.col;
    } else if (g->where) {
        split_where(g->where, &e);
    }
    if (g->nnotes) {
        Buf b = BUF_INIT;
        for (size_t i = 0; i < g->nnotes; i++)
            buf_printf(&b, "%s%s: %s", i ? "\n" : "", g->notes[i].label, g->notes[i].text);
        e.notes = b.data;
    }
    VEC_PUSH(o->items, o->n, o->cap, e);
}

void diagout_add(DiagOutput *o, DiagList *d, const SourceSet *src)
{
    diag_sort(d);
    o->errors += d->errors;
    o->warnings += d->warnings;
    if (o->fmt == DF_HUMAN)
        diag_render_color(d, src, o->color, &o->human);
    for (size_t i = 0; i < d->n; i++)
        add_entry(o, &d->items[i], src);
}

bool diagout_failed(const DiagOutput *o) { return o->errors > 0 || (o->werror && o->warnings > 0); }

/* ---- JSON text ---- */
static void json_str(Buf *b, const char *s)
{
    buf_addc(b, '"');
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            buf_printf(b, "\\%c", c);
        else if (c == '\n')
            buf_adds(b, "\\n");
        else if (c < 0x20)
            buf_printf(b, "\\u%04x", c);
        else
            buf_addc(b, (char)c);
    }
    buf_addc(b, '"');
}

static const char *level(DiagId id) { return diag_info[id].sev == DIAG_ERROR ? "error" : "warning"; }

static void write_json(const DiagOutput *o, Buf *b)
{
    buf_adds(b, "{\n  \"version\": 1,\n  \"diagnostics\": [");
    for (size_t i = 0; i < o->n; i++) {
        const DiagEntry *e = &o->items[i];
        buf_adds(b, i ? ",\n    {" : "\n    {");
        buf_adds(b, "\"file\": ");
        if (e->file)
            json_str(b, e->file);
        else
            buf_adds(b, "null");
        buf_printf(b, ", \"line\": %u, \"column\": %u, \"end_line\": %u, \"end_column\": %u, ", e->line,
                   e->col, e->end_line, e->end_col);
        buf_printf(b, "\"severity\": \"%s\", \"code\": \"%s\", \"title\": ", level(e->id),
                   diag_info[e->id].code);
        json_str(b, diag_info[e->id].title);
        buf_adds(b, ", \"message\": ");
        json_str(b, e->msg);
        buf_adds(b, ", \"notes\": ");
        if (e->notes)
            json_str(b, e->notes);
        else
            buf_adds(b, "null");
        buf_addc(b, '}');
    }
    buf_printf(b, "%s],\n  \"errors\": %zu,\n  \"warnings\": %zu\n}\n", o->n ? "\n  " : "", o->errors,
               o->warnings);
}

/* ---- GitHub workflow commands ---- */
static void gh_escape(Buf *b, const char *s, bool property)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '%': buf_adds(b, "%25"); break;
        case '\r': buf_adds(b, "%0D"); break;
        case '\n': buf_adds(b, "%0A"); break;
        case ':': buf_adds(b, property ? "%3A" : ":"); break;
        case ',': buf_adds(b, property ? "%2C" : ","); break;
        default: buf_addc(b, *s);
        }
    }
}

static void write_github(const DiagOutput *o, Buf *b)
{
    for (size_t i = 0; i < o->n; i++) {
        const DiagEntry *e = &o->items[i];
        buf_printf(b, "::%s ", level(e->id));
        if (e->file) {
            buf_adds(b, "file=");
            gh_escape(b, e->file, true);
            if (e->line)
                buf_printf(b, ",line=%u", e->line);
            if (e->col)
                buf_printf(b, ",col=%u", e->col);
            if (e->end_line)
                buf_printf(b, ",endLine=%u", e->end_line);
            if (e->end_col > 1)
                buf_printf(b, ",endColumn=%u", e->end_col - 1);
            buf_addc(b, ',');
        }
        buf_adds(b, "title=");
        gh_escape(b, diag_info[e->id].code, true);
        buf_adds(b, " ");
        gh_escape(b, diag_info[e->id].title, true);
        buf_adds(b, "::");
        gh_escape(b, e->msg, false);
        if (e->notes) {
            buf_adds(b, "%0A");
            gh_escape(b, e->notes, false);
        }
        buf_addc(b, '\n');
    }
}

/* ---- SARIF 2.1.0 ---- */
static int rule_index(const DiagId *rules, size_t n, DiagId id)
{
    for (size_t i = 0; i < n; i++)
        if (rules[i] == id)
            return (int)i;
    return -1;
}

static void sarif_rules(Buf *b, const DiagId *rules, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const DiagInfo *d = &diag_info[rules[i]];
        buf_printf(b, "%s\n            {\"id\": \"%s\", \"shortDescription\": {\"text\": ", i ? "," : "", d->code);
        json_str(b, d->title);
        buf_adds(b, "}, \"fullDescription\": {\"text\": ");
        json_str(b, d->text);
        buf_printf(b, "}, \"defaultConfiguration\": {\"level\": \"%s\"}}", level(rules[i]));
    }
}

static void sarif_result(Buf *b, const DiagEntry *e, int rule)
{
    buf_printf(b, "\n        {\"ruleId\": \"%s\", \"ruleIndex\": %d, \"level\": \"%s\", \"message\": {\"text\": ",
               diag_info[e->id].code, rule, level(e->id));
    Buf text = BUF_INIT;
    buf_adds(&text, e->msg);
    if (e->notes)
        buf_printf(&text, "\n%s", e->notes);
    json_str(b, buf_cstr(&text));
    buf_free(&text);
    buf_adds(b, "}");
    if (e->file) {
        buf_adds(b, ", \"locations\": [{\"physicalLocation\": {\"artifactLocation\": {\"uri\": ");
        json_str(b, e->file);
        buf_adds(b, "}");
        if (e->line) {
            buf_printf(b, ", \"region\": {\"startLine\": %u", e->line);
            if (e->col)
                buf_printf(b, ", \"startColumn\": %u", e->col);
            if (e->end_line)
                buf_printf(b, ", \"endLine\": %u, \"endColumn\": %u", e->end_line, e->end_col);
            buf_adds(b, "}");
        }
        buf_adds(b, "}}]");
    }
    buf_adds(b, "}");
}

static void write_sarif(const DiagOutput *o, const char *version, Buf *b)
{
    DiagId *rules = kpi_calloc(o->n ? o->n : 1, sizeof(DiagId));
    size_t nrules = 0;
    for (size_t i = 0; i < o->n; i++)
        if (rule_index(rules, nrules, o->items[i].id) < 0)
            rules[nrules++] = o->items[i].id;
    buf_adds(b, "{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n"
                "  \"version\": \"2.1.0\",\n  \"runs\": [\n    {\n"
                "      \"tool\": {\"driver\": {\"name\": \"kpic\", \"version\": ");
    json_str(b, version);
    buf_adds(b, ", \"rules\": [");
    sarif_rules(b, rules, nrules);
    buf_adds(b, nrules ? "\n          ]}},\n" : "]}},\n");
    buf_adds(b, "      \"columnKind\": \"unicodeCodePoints\",\n      \"results\": [");
    for (size_t i = 0; i < o->n; i++) {
        if (i)
            buf_addc(b, ',');
        sarif_result(b, &o->items[i], rule_index(rules, nrules, o->items[i].id));
    }
    buf_adds(b, o->n ? "\n      ]\n    }\n  ]\n}\n" : "]\n    }\n  ]\n}\n");
    kpi_free(rules);
}

void diagout_render(const DiagOutput *o, const char *tool_version, Buf *b)
{
    if (o->fmt == DF_HUMAN)
        buf_add(b, o->human.data, o->human.len);
    else if (o->fmt == DF_JSON)
        write_json(o, b);
    else if (o->fmt == DF_GITHUB)
        write_github(o, b);
    else
        write_sarif(o, tool_version, b);
}

void diagout_write(DiagOutput *o, const char *tool_version)
{
    Buf b = BUF_INIT;
    diagout_render(o, tool_version, &b);
    fputs(buf_cstr(&b), o->fmt == DF_HUMAN ? stderr : stdout);
    buf_free(&b);
}

void diagout_free(DiagOutput *o)
{
    for (size_t i = 0; i < o->n; i++) {
        kpi_free(o->items[i].file);
        kpi_free(o->items[i].msg);
        kpi_free(o->items[i].notes);
    }
    kpi_free(o->items);
    buf_free(&o->human);
}
