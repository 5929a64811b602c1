/* clock.h - a monotonic clock for `--timings`: how long each stage of a run
 * took. Timings go to standard error only, never into results. */
#ifndef KPI_CLOCK_H
#define KPI_CLOCK_H
#include <stdint.h>
#include <time.h>

static inline uint64_t clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

#endif
