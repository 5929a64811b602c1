/* alloc.c - checked allocation; see alloc.h. */
#include "base/alloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void out_of_memory(size_t n)
{
    fprintf(stderr, "error: out of memory (allocating %zu bytes)\n", n);
    exit(KPI_EXIT_OOM);
}

void *kpi_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        out_of_memory(n);
    return p;
}

void *kpi_calloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        out_of_memory(count * size);
    return p;
}

void *kpi_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        out_of_memory(n);
    return q;
}

void kpi_free(void *p) { free(p); }

char *kpi_strndup(const char *s, size_t n)
{
    char *d = kpi_malloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *kpi_strdup(const char *s) { return kpi_strndup(s, strlen(s)); }

void *kpi_grow(void *p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return p;
    size_t c = *cap ? *cap : 8;
    while (c < need) {
        if (c > SIZE_MAX / 2)
            out_of_memory(SIZE_MAX);
        c *= 2;
    }
    if (c > SIZE_MAX / elem)
        out_of_memory(SIZE_MAX);
    *cap = c;
    return kpi_realloc(p, c * elem);
}
