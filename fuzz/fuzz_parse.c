/* fuzz_parse.c - the lexer and the parser on any bytes; the diagnostics
 * rendered with their carets; a --set NAME=VALUE read from the same bytes;
 * and the formatter, whose output must parse again and format to itself
 * (kpic fmt is idempotent). */
#include "base/alloc.h"
#include "compiler/compile.h"
#include "compiler/format.h"
#include "fuzz/fuzz.h"
#include "grammar/parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT (64u << 10)

/* Parses text (taken over) as file 0 of a fresh compilation; the
 * canonical form into fmt when it parses. */
static bool parse_and_format(char *text, size_t len, Buf *fmt, Buf *msgs)
{
    Compilation c;
    compilation_init(&c);
    uint16_t f = sources_add(&c.sources, "fuzz.kpi", text, len);
    bool ok = parse_source(&c.arena, &c.sources, f, &c.diags, &c.ast);
    if (ok)
        format_ast(&c.ast, sources_get(&c.sources, f), fmt);
    diag_sort(&c.diags);
    diag_render_color(&c.diags, &c.sources, true, msgs);
    compilation_free(&c);
    return ok;
}

static void parse_as_set(const uint8_t *data, size_t size)
{
    Compilation c;
    compilation_init(&c);
    char *text = kpi_malloc(size + 7);
    memcpy(text, "--set ", 6);
    memcpy(text + 6, data, size);
    text[size + 6] = '\0';
    uint16_t f = sources_add(&c.sources, "<command line>", text, size + 6);
    Expr *e = NULL;
    parse_set(&c.arena, &c.sources, f, 6, &c.diags, &e);
    Buf msgs = BUF_INIT;
    diag_render(&c.diags, &c.sources, &msgs);
    buf_free(&msgs);
    compilation_free(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return -1;
    size_t held = fuzz_begin();
    Buf fmt = BUF_INIT, fmt2 = BUF_INIT, msgs = BUF_INIT;
    if (parse_and_format(kpi_strndup((const char *)data, size), size, &fmt, &msgs)) {
        buf_cstr(&fmt);
        if (!parse_and_format(kpi_strndup(fmt.data, fmt.len), fmt.len, &fmt2, &msgs)) {
            fprintf(stderr, "fuzz_parse: the formatted scheme does not parse:\n%s\n%s", fmt.data, buf_cstr(&msgs));
            abort();
        }
        if (fmt2.len != fmt.len || memcmp(fmt.data, buf_cstr(&fmt2), fmt.len) != 0) {
            fprintf(stderr, "fuzz_parse: formatting is not idempotent:\n--- once\n%s--- twice\n%s", fmt.data, fmt2.data);
            abort();
        }
    }
    buf_free(&fmt);
    buf_free(&fmt2);
    buf_free(&msgs);
    parse_as_set(data, size);
    fuzz_end(held);
    return 0;
}
