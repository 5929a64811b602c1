/* fuzz_compile.c - the whole compiler on any bytes: parse, resolve, check
 * (types, units, bands, ...), generate bytecode; the diagnostics rendered;
 * the program disassembled; written as a .kpc that must load back (verify
 * accepts every program the compiler makes) to the same listing; and the
 * scheme's canonical form (kpic fmt) must compile to the same code. */
#include "base/alloc.h"
#include "compiler/compile.h"
#include "compiler/disasm.h"
#include "compiler/format.h"
#include "fuzz/fuzz.h"
#include "vm/kpc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT (32u << 10)

static void round_trip(const Program *p)
{
    Buf kpc = BUF_INIT, once = BUF_INIT, again = BUF_INIT;
    disasm_program(p, &once);
    kpc_write(p, &kpc);
    char err[512];
    Program *q = kpc_read((const unsigned char *)kpc.data, kpc.len, err, sizeof err);
    if (!q) {
        fprintf(stderr, "fuzz_compile: the compiler's program does not load: %s\n%s", err, buf_cstr(&once));
        abort();
    }
    disasm_program(q, &again);
    if (once.len != again.len || memcmp(buf_cstr(&once), buf_cstr(&again), once.len) != 0) {
        fprintf(stderr, "fuzz_compile: the program changed through .kpc:\n%s---\n%s", once.data, again.data);
        abort();
    }
    program_free(q);
    kpi_free(q);
    buf_free(&kpc);
    buf_free(&once);
    buf_free(&again);
}

/* The code without source positions, names that carry a line cut there. */
static void listing(const Program *p, Buf *out)
{
    Buf raw = BUF_INIT;
    disasm_program_lines(p, false, &raw);
    for (const char *s = buf_cstr(&raw); *s; s++) {
        buf_addc(out, *s);
        if (*s == '@')
            while (s[1] >= '0' && s[1] <= '9')
                s++;
    }
    buf_free(&raw);
}

static void same_after_format(Compilation *c)
{
    Buf fmt = BUF_INIT, before = BUF_INIT, after = BUF_INIT;
    format_ast(&c->ast, sources_get(&c->sources, c->ast.file), &fmt);
    Compilation f;
    compilation_init(&f);
    if (!compile_text(&f, "fuzz.kpi", buf_cstr(&fmt), fmt.len, NULL)) {
        Buf msgs = BUF_INIT;
        diag_render(&f.diags, &f.sources, &msgs);
        fprintf(stderr, "fuzz_compile: the formatted scheme does not compile:\n%s\n%s", fmt.data, buf_cstr(&msgs));
        abort();
    }
    listing(c->program, &before);
    listing(f.program, &after);
    if (before.len != after.len || memcmp(buf_cstr(&before), buf_cstr(&after), before.len) != 0) {
        fprintf(stderr, "fuzz_compile: formatting changed the code:\n%s\n--- before\n%s--- after\n%s", fmt.data,
                before.data, after.data);
        abort();
    }
    compilation_free(&f);
    buf_free(&fmt);
    buf_free(&before);
    buf_free(&after);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return -1;
    size_t held = fuzz_begin();
    Compilation c;
    compilation_init(&c);
    bool ok = compile_text(&c, "fuzz.kpi", (const char *)data, size, NULL);
    Buf msgs = BUF_INIT;
    diag_sort(&c.diags);
    diag_render_color(&c.diags, &c.sources, false, &msgs);
    buf_free(&msgs);
    if (ok) {
        round_trip(c.program);
        same_after_format(&c);
    }
    compilation_free(&c);
    fuzz_end(held);
    return 0;
}
