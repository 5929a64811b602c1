/* arena.h - bump allocation for things that live as long as a compilation.
 * Everything allocated from an arena is freed at once by arena_free. */
#ifndef KPI_ARENA_H
#define KPI_ARENA_H
#include <stddef.h>

typedef struct ArenaBlock ArenaBlock;
typedef struct Arena {
    ArenaBlock *head;
    size_t used_total; /* bytes handed out, for limits and statistics */
} Arena;

void  arena_init(Arena *a);
void  arena_free(Arena *a);
void *arena_alloc(Arena *a, size_t n);            /* zeroed, max-aligned */
char *arena_strndup(Arena *a, const char *s, size_t n);
#define ARENA_NEW(a, T) ((T *)arena_alloc((a), sizeof(T)))
#define ARENA_ARRAY(a, T, n) ((T *)arena_alloc((a), sizeof(T) * (n)))

#endif
