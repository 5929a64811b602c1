/* alloc.h - the one place memory comes from.
 * Every allocation of the project goes through these wrappers, so a test can
 * make the Nth allocation fail and a memory budget (--max-memory) is kept.
 * Out of memory is fatal: the process reports it and exits with KPI_EXIT_OOM. */
#ifndef KPI_ALLOC_H
#define KPI_ALLOC_H
#include <stddef.h>

#define KPI_EXIT_OOM 70

/* Each of these either returns memory or exits: past the budget with
 * "error[K0108]: the memory limit ... is exceeded", when the system has no
 * more with "error: out of memory"; exit code KPI_EXIT_OOM either way. */
void *kpi_malloc(size_t n);
void *kpi_calloc(size_t count, size_t size);
void *kpi_realloc(void *p, size_t n);
void  kpi_free(void *p);
char *kpi_strndup(const char *s, size_t n);
char *kpi_strdup(const char *s);

/* The same as kpi_malloc, but NULL (and nothing printed) instead of exiting. */
void *kpi_try_malloc(size_t n);

/* The budget (kpirun/kpic --max-memory): bytes held through these
 * functions at once; 0, the start value, is no limit. The default the
 * tools set is half the physical memory, at least KPI_MIN_DEFAULT_MEMORY. */
void   kpi_alloc_set_limit(size_t bytes);
size_t kpi_alloc_limit(void);
size_t kpi_alloc_default_limit(void);
size_t kpi_alloc_in_use(void);
size_t kpi_alloc_peak(void);

/* Grow an array so it holds at least `need` elements of `elem` bytes.
 * Doubles the capacity; checks the multiplication for overflow. */
void *kpi_grow(void *p, size_t *cap, size_t need, size_t elem);

#define VEC_PUSH(arr, len, cap, value)                                      \
    do {                                                                    \
        if ((len) >= (cap))                                                 \
            (arr) = kpi_grow((arr), &(cap), (len) + 1, sizeof *(arr));      \
        (arr)[(len)++] = (value);                                           \
    } while (0)

#endif
