/* arena.c - see arena.h. */
#include "base/arena.h"
#include "base/alloc.h"

#include <stdalign.h>
#include <stdint.h>
#include <string.h>

#define ARENA_BLOCK_MIN (64 * 1024)

struct ArenaBlock {
    ArenaBlock *next;
    size_t size, used;
    alignas(max_align_t) unsigned char data[];
};

void arena_init(Arena *a)
{
    a->head = NULL;
    a->used_total = 0;
}

void arena_free(Arena *a)
{
    ArenaBlock *b = a->head;
    while (b) {
        ArenaBlock *next = b->next;
        kpi_free(b);
        b = next;
    }
    a->head = NULL;
    a->used_total = 0;
}

void *arena_alloc(Arena *a, size_t n)
{
    const size_t align = alignof(max_align_t);
    if (n > SIZE_MAX - align)
        n = SIZE_MAX - align; /* kpi_malloc below fails cleanly */
    n = (n + align - 1) & ~(align - 1);
    ArenaBlock *b = a->head;
    if (!b || b->size - b->used < n) {
        size_t size = n > ARENA_BLOCK_MIN ? n : ARENA_BLOCK_MIN;
        b = kpi_malloc(sizeof *b + size);
        b->size = size;
        b->used = 0;
        b->next = a->head;
        a->head = b;
    }
    void *p = b->data + b->used;
    b->used += n;
    a->used_total += n;
    memset(p, 0, n);
    return p;
}

char *arena_strndup(Arena *a, const char *s, size_t n)
{
    char *d = arena_alloc(a, n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}
