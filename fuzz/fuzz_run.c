/* fuzz_run.c - compile any bytes and, when they are a scheme, run it over
 * a tiny fixed data set written for its tables (fuzz/common.c), with a
 * step budget; then every report, explanation and statement of the run. */
#include "base/alloc.h"
#include "compiler/compile.h"
#include "fuzz/fuzz.h"

#define MAX_INPUT (16u << 10)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return -1;
    size_t held = fuzz_begin();
    Compilation c;
    compilation_init(&c);
    if (compile_text(&c, "fuzz.kpi", (const char *)data, size, NULL))
        fuzz_run_program(c.program);
    compilation_free(&c);
    fuzz_end(held);
    return 0;
}
