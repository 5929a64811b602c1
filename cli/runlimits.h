/* runlimits.h - the limits a run takes from the command line:
 * --max-memory SIZE (the allocator's budget, base/alloc.h) and
 * --max-steps N (instructions of the employee program, vm/run.h).
 * Defaults and reasons are in base/limits.h and docs/reliability.md. */
#ifndef KPI_CLI_RUNLIMITS_H
#define KPI_CLI_RUNLIMITS_H
#include <stdbool.h>
#include <stdint.h>

/* "1048576", "64K", "64M", "2G", "1T" (binary: 64M is 64 MiB); "0" is 0. */
bool cli_parse_size(const char *s, uint64_t *out);
/* Sets the default memory budget; call first thing in main. */
void cli_default_limits(void);
/* --max-memory VALUE: sets the budget (0: none). 0 or EXIT_USAGE (reported). */
int cli_max_memory_arg(const char *prog, const char *v);
/* --max-steps VALUE into *steps (0: none, stored as UINT64_MAX). 0 or EXIT_USAGE. */
int cli_max_steps_arg(const char *prog, const char *v, uint64_t *steps);

#endif
