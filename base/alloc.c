/* alloc.c - checked allocation and the memory budget; see alloc.h. */
#include "base/alloc.h"
#include "base/limits.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Memcheck is told of each block: behind the size header, a block held at
 * exit (an exit past the budget holds all of them) would be found only by
 * interior pointers and reported "possibly lost". Without valgrind's
 * header these do nothing; outside valgrind they cost a few instructions. */
#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#endif
#endif
#ifndef VALGRIND_MALLOCLIKE_BLOCK
#define VALGRIND_MALLOCLIKE_BLOCK(addr, size, rz, zeroed) ((void)0)
#define VALGRIND_FREELIKE_BLOCK(addr, rz) ((void)0)
#define RUNNING_ON_VALGRIND 0
#endif

/* Each block starts with its size, so frees and reallocs keep the count
 * exact; the header keeps the block's alignment. */
typedef union Header {
    size_t      size;
    max_align_t align;
} Header;

/* The process's one piece of mutable global state: memory is a resource of
 * the process, not of any one stage, and every stage (and thread) allocates
 * here. Atomic, so reader threads keep the count exact. */
static struct {
    _Atomic size_t limit;   /* 0: none */
    _Atomic size_t used, peak;
} heap;

static _Noreturn void out_of_memory(size_t n)
{
    fprintf(stderr, "error: out of memory (allocating %zu bytes)\n", n);
    exit(KPI_EXIT_OOM);
}

static _Noreturn void over_limit(void)
{
    fprintf(stderr, "error[K0108]: the memory limit of %zu bytes is exceeded; raise it with --max-memory\n",
            atomic_load(&heap.limit));
    exit(KPI_EXIT_OOM);
}

/* Counts `more` bytes in and `less` out, unless that would pass the
 * budget; checked before the memory is asked for. */
static bool take(size_t less, size_t more)
{
    if (more > SIZE_MAX / 2)
        return false;
    size_t limit = atomic_load(&heap.limit);
    size_t now = atomic_load(&heap.used), next;
    do {
        next = now - less + more;
        if (limit && next > limit && more > less)
            return false;
    } while (!atomic_compare_exchange_weak(&heap.used, &now, next));
    size_t peak = atomic_load(&heap.peak);
    while (next > peak && !atomic_compare_exchange_weak(&heap.peak, &peak, next))
        ;
    return true;
}

/* Exits unless `more` bytes fit; the message says which limit it was. */
static void reserve(size_t less, size_t more)
{
    if (take(less, more))
        return;
    if (atomic_load(&heap.limit) && more <= SIZE_MAX / 2)
        over_limit();
    out_of_memory(more);
}

static void *account(Header *h, size_t n, int zeroed)
{
    h->size = n;
    VALGRIND_MALLOCLIKE_BLOCK(h + 1, n, 0, zeroed);
    return h + 1;
}

/* realloc as memcheck needs it: telling it of the moved block would mark
 * the copied bytes undefined, so the copy is made after that. */
static Header *valgrind_realloc(Header *h, size_t old, size_t n)
{
    Header *q = malloc(sizeof(Header) + n);
    if (!q)
        return NULL;
    VALGRIND_MALLOCLIKE_BLOCK(q + 1, n, 0, 0);
    memcpy(q + 1, h + 1, old < n ? old : n);
    VALGRIND_FREELIKE_BLOCK(h + 1, 0);
    free(h);
    return q;
}

static Header *header_of(void *p) { return (Header *)p - 1; }

void *kpi_try_malloc(size_t n)
{
    if (!take(0, n))
        return NULL;
    Header *h = malloc(sizeof(Header) + n);
    if (!h)
        atomic_fetch_sub(&heap.used, n);
    return h ? account(h, n, 0) : NULL;
}

void *kpi_malloc(size_t n)
{
    reserve(0, n);
    Header *h = malloc(sizeof(Header) + n);
    if (!h)
        out_of_memory(n);
    return account(h, n, 0);
}

void *kpi_calloc(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        out_of_memory(SIZE_MAX);
    size_t n = count * size;
    reserve(0, n);
    Header *h = calloc(1, sizeof(Header) + n);
    if (!h)
        out_of_memory(n);
    return account(h, n, 1);
}

void *kpi_realloc(void *p, size_t n)
{
    if (!p)
        return kpi_malloc(n);
    Header *h = header_of(p);
    size_t old = h->size;
    reserve(old, n);
    Header *q = RUNNING_ON_VALGRIND ? valgrind_realloc(h, old, n) : realloc(h, sizeof(Header) + n);
    if (!q)
        out_of_memory(n);
    q->size = n;
    return q + 1;
}

void kpi_free(void *p)
{
    if (!p)
        return;
    Header *h = header_of(p);
    atomic_fetch_sub(&heap.used, h->size);
    VALGRIND_FREELIKE_BLOCK(p, 0);
    free(h);
}

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

void kpi_alloc_set_limit(size_t bytes) { atomic_store(&heap.limit, bytes); }
size_t kpi_alloc_limit(void) { return atomic_load(&heap.limit); }
size_t kpi_alloc_in_use(void) { return atomic_load(&heap.used); }
size_t kpi_alloc_peak(void) { return atomic_load(&heap.peak); }

size_t kpi_alloc_default_limit(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    uint64_t half = pages > 0 && page > 0 ? (uint64_t)pages * (uint64_t)page / 2 : 0;
    if (half < KPI_MIN_DEFAULT_MEMORY)
        half = KPI_MIN_DEFAULT_MEMORY;
    return half > SIZE_MAX ? SIZE_MAX : (size_t)half;
}
