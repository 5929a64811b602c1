/* fuzz.h - what the fuzz targets share (docs/reliability.md, Fuzzing).
 *
 * Each fuzz/fuzz_*.c defines LLVMFuzzerTestOneInput. Built with clang's
 * -fsanitize=fuzzer it is a libFuzzer target (make fuzz); linked with
 * fuzz/replay.c it replays files (make fuzz-replay, gcc + ASan/UBSan).
 * Modelled on SQLite's test/ossfuzz.c: everything in memory, inputs over a
 * size limit refused at once, a heap cap (the allocator's --max-memory
 * budget) and a step budget (--max-steps) so no input runs away. */
#ifndef KPI_FUZZ_H
#define KPI_FUZZ_H
#include <stddef.h>
#include <stdint.h>

#include "vm/program.h"

/* Past this the allocator exits (code 70) and libFuzzer reports the input:
 * no input of a few KiB has a reason to hold this much. */
#define FUZZ_HEAP_CAP   ((size_t)256 << 20)
/* Instructions of the employee program per run (RunOptions.max_steps). */
#define FUZZ_MAX_STEPS  200000u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Sets the heap cap; call at the start of every input. Returns the bytes
 * the allocator holds, for fuzz_end. */
size_t fuzz_begin(void);
/* Aborts when the input left allocations behind (a leak that LeakSanitizer
 * would only see at exit, or not at all without it). */
void fuzz_end(size_t held_before);

/* Runs p over a tiny fixed data set made for its tables (three employees,
 * a plan row each, a few fact rows, one out of the period and one of an
 * unknown employee) twice: every employee traced and kept, then writes the
 * results as a table, CSV and JSON, explains every employee and writes
 * their statements; and streamed, as plain kpirun runs. Aborts unless both
 * give the same status, messages and CSV. Never prints. */
void fuzz_run_program(const Program *p);
/* The same with table `table`'s CSV text given instead (-1: none). */
void fuzz_run_with(const Program *p, int32_t table, const char *text, size_t len);
/* The same for a program read from a .kpc: the verifier makes it safe to
 * run, not sensible (a damaged one may write a value in two stages and so
 * read another employee's), so only the sanitizers judge it. */
void fuzz_run_untrusted(const Program *p);

#endif
