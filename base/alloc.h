/* alloc.h - the one place memory comes from.
 * Every allocation of the project goes through these wrappers, so a test can
 * make the Nth allocation fail and a memory budget (--max-memory) can be kept.
 * Out of memory is fatal: the process reports it and exits with KPI_EXIT_OOM. */
#ifndef KPI_ALLOC_H
#define KPI_ALLOC_H
#include <stddef.h>

#define KPI_EXIT_OOM 70

void *kpi_malloc(size_t n);
void *kpi_calloc(size_t count, size_t size);
void *kpi_realloc(void *p, size_t n);
void  kpi_free(void *p);
char *kpi_strndup(const char *s, size_t n);
char *kpi_strdup(const char *s);

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
