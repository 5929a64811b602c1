/* fuzz_kpc.c - the bytecode loader: a .kpc is untrusted input. Any bytes
 * are read as they are (the header checks), and again with the header's
 * length and CRC-32 made to match, so mutations reach the payload reader
 * and the verifier. What verifies is run with a step budget over the
 * fixed data set: verify must refuse whatever could crash the VM or run
 * past the budget. */
#include "base/alloc.h"
#include "compiler/disasm.h"
#include "fuzz/fuzz.h"
#include "vm/kpc.h"

#include <stdlib.h>
#include <string.h>

#define MAX_INPUT (256u << 10)
#define HEADER 20u

static void put_le(unsigned char *at, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        at[i] = (unsigned char)(v >> (8 * i));
}

static void load_and_run(const unsigned char *data, size_t size)
{
    char err[512];
    Program *p = kpc_read(data, size, err, sizeof err);
    if (!p)
        return;
    Buf listing = BUF_INIT;
    disasm_program(p, &listing);
    buf_free(&listing);
    fuzz_run_untrusted(p);
    program_free(p);
    kpi_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return -1;
    size_t held = fuzz_begin();
    load_and_run(data, size);
    if (size >= HEADER) {
        unsigned char *fixed = kpi_malloc(size);
        memcpy(fixed, data, size);
        memcpy(fixed, KPC_MAGIC, 4);
        put_le(fixed + 4, KPC_VERSION, 4);
        put_le(fixed + 8, size - HEADER, 8);
        put_le(fixed + 16, kpc_crc32(fixed + HEADER, size - HEADER), 4);
        if (memcmp(fixed, data, HEADER) != 0)
            load_and_run(fixed, size);
        kpi_free(fixed);
    }
    fuzz_end(held);
    return 0;
}
