/* json.h - a small JSON reader for tests: enough to check documents the
 * tools write (SARIF, the JSON diagnostics and results), not more. */
#ifndef KPI_TEST_JSON_H
#define KPI_TEST_JSON_H
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

typedef enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ } JKind;

typedef struct J {
    JKind      kind;
    char      *str;        /* J_STR, J_NUM (as written) */
    bool       b;
    struct J **items;      /* J_ARR values; J_OBJ values */
    char     **keys;       /* J_OBJ */
    size_t     n;
} J;

typedef struct JParser {
    const char *p, *end;
    bool        bad;
} JParser;

static J *j_value(JParser *jp);

static void j_ws(JParser *jp)
{
    while (jp->p < jp->end && strchr(" \t\r\n", *jp->p))
        jp->p++;
}

static J *j_new(JKind k)
{
    J *j = kpi_calloc(1, sizeof *j);
    j->kind = k;
    return j;
}

static char *j_string(JParser *jp)
{
    if (jp->p >= jp->end || *jp->p != '"') {
        jp->bad = true;
        return NULL;
    }
    jp->p++;
    Buf b = BUF_INIT;
    while (jp->p < jp->end && *jp->p != '"') {
        char c = *jp->p++;
        if ((unsigned char)c < 0x20)
            jp->bad = true;
        if (c == '\\' && jp->p < jp->end) {
            char e = *jp->p++;
            c = e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e;
            if (e == 'u') {
                jp->p += 4; /* tests do not need the code point */
                c = '?';
            }
        }
        buf_addc(&b, c);
    }
    if (jp->p >= jp->end)
        jp->bad = true;
    jp->p++;
    buf_cstr(&b);
    return b.data;
}

static void j_push(J *j, char *key, J *v)
{
    j->items = kpi_realloc(j->items, sizeof(J *) * (j->n + 1));
    j->keys = kpi_realloc(j->keys, sizeof(char *) * (j->n + 1));
    j->items[j->n] = v;
    j->keys[j->n] = key;
    j->n++;
}

static J *j_container(JParser *jp, bool obj)
{
    J *j = j_new(obj ? J_OBJ : J_ARR);
    jp->p++;
    j_ws(jp);
    if (jp->p < jp->end && *jp->p == (obj ? '}' : ']')) {
        jp->p++;
        return j;
    }
    for (;;) {
        char *key = NULL;
        if (obj) {
            j_ws(jp);
            key = j_string(jp);
            j_ws(jp);
            if (jp->p >= jp->end || *jp->p++ != ':')
                jp->bad = true;
        }
        j_push(j, key, j_value(jp));
        j_ws(jp);
        if (jp->bad || jp->p >= jp->end)
            return jp->bad = true, j;
        char c = *jp->p++;
        if (c == (obj ? '}' : ']'))
            return j;
        if (c != ',')
            return jp->bad = true, j;
    }
}

static J *j_value(JParser *jp)
{
    j_ws(jp);
    if (jp->bad || jp->p >= jp->end) {
        jp->bad = true;
        return j_new(J_NULL);
    }
    char c = *jp->p;
    if (c == '{' || c == '[')
        return j_container(jp, c == '{');
    if (c == '"') {
        J *j = j_new(J_STR);
        j->str = j_string(jp);
        return j;
    }
    const char *words[] = {"true", "false", "null"};
    for (int i = 0; i < 3; i++)
        if ((size_t)(jp->end - jp->p) >= strlen(words[i]) && !strncmp(jp->p, words[i], strlen(words[i]))) {
            jp->p += strlen(words[i]);
            J *j = j_new(i == 2 ? J_NULL : J_BOOL);
            j->b = i == 0;
            return j;
        }
    const char *s = jp->p;
    while (jp->p < jp->end && strchr("-+.eE0123456789", *jp->p))
        jp->p++;
    if (jp->p == s)
        jp->bad = true;
    J *j = j_new(J_NUM);
    j->str = kpi_strndup(s, (size_t)(jp->p - s));
    return j;
}

/* The whole text must be one JSON value; NULL when it is not. */
static J *j_parse(const char *text)
{
    JParser jp = {text, text + strlen(text), false};
    J *j = j_value(&jp);
    j_ws(&jp);
    if (jp.p != jp.end)
        jp.bad = true;
    return jp.bad ? NULL : j; /* a bad document is leaked: the test fails anyway */
}

static J *j_get(const J *j, const char *key)
{
    for (size_t i = 0; j && j->kind == J_OBJ && i < j->n; i++)
        if (!strcmp(j->keys[i], key))
            return j->items[i];
    return NULL;
}

static void j_free(J *j)
{
    if (!j)
        return;
    for (size_t i = 0; i < j->n; i++) {
        j_free(j->items[i]);
        kpi_free(j->keys ? j->keys[i] : NULL);
    }
    kpi_free(j->items);
    kpi_free(j->keys);
    kpi_free(j->str);
    kpi_free(j);
}

#endif
