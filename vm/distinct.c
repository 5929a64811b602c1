/* distinct.c - see distinct.h. Open addressing with linear probing, kept
 * at most three quarters full. */
#include "vm/distinct.h"

#include "base/alloc.h"
#include "base/compiler.h"

#include <string.h>

#define ARENA_PAD 16   /* a value is read a word at a time, past its end */

/* The first n (at most 8) bytes at p, zero-padded; p readable for 8. */
static inline uint64_t word_of(const char *p, uint32_t n)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return n >= 8 ? w : w & ~(~0ull << (8 * n));
}

KPI_WRAPS static inline uint64_t fmix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDull;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ull;
    return h ^ (h >> 33);
}

KPI_WRAPS static uint32_t hash_of(uint32_t agg, uint32_t emp, const char *p, uint32_t n)
{
    uint64_t h = ((uint64_t)agg << 32 | emp) ^ ((uint64_t)n * 0x9E3779B97F4A7C15ull);
    for (uint32_t i = 0; i < n || i == 0; i += 8)
        h = (h ^ word_of(p + i, n - i)) * 0x9E3779B97F4A7C15ull + (h >> 29);
    return (uint32_t)fmix(h);
}

const char *distinct_value(const DistinctSet *s, const DistinctKey *k)
{
    if (k->len <= 16)
        return k->b;
    uint64_t off;
    memcpy(&off, k->b + 8, 8);
    return s->arena + off;
}

static bool same(const DistinctSet *s, const DistinctKey *k, uint32_t hash, uint32_t agg, uint32_t emp1,
                 const char *p, uint32_t n)
{
    if (k->hash != hash || k->emp1 != emp1 || k->agg != agg || k->len != n)
        return false;
    if (n <= 16)
        return word_of(k->b, n) == word_of(p, n) && (n <= 8 || word_of(k->b + 8, n - 8) == word_of(p + 8, n - 8));
    return memcmp(distinct_value(s, k), p, n) == 0;
}

static void place(DistinctSet *s, const DistinctKey *k)
{
    size_t mask = s->cap - 1, h = (size_t)k->hash & mask;
    while (s->slots[h].emp1)
        h = (h + 1) & mask;
    s->slots[h] = *k;
}

static void grow(DistinctSet *s)
{
    DistinctKey *old = s->slots;
    size_t oldcap = s->cap;
    s->cap = oldcap ? oldcap * 2 : 1024;
    s->slots = kpi_calloc(s->cap, sizeof(DistinctKey));
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].emp1)
            place(s, &old[i]);
    kpi_free(old);
}

static DistinctKey make_key(DistinctSet *s, uint32_t hash, uint32_t agg, uint32_t emp1, const char *p, uint32_t n)
{
    DistinctKey k = {hash, emp1, agg, n, {0}};
    if (n <= 16) {
        memcpy(k.b, p, n);
        return k;
    }
    uint64_t off = s->narena;
    s->arena = kpi_grow(s->arena, &s->caparena, s->narena + n + ARENA_PAD, 1);
    memcpy(s->arena + off, p, n);
    memset(s->arena + off + n, 0, ARENA_PAD);
    s->narena += n;
    memcpy(k.b, p, 8);
    memcpy(k.b + 8, &off, 8);
    return k;
}

bool distinct_insert(DistinctSet *s, uint32_t agg, uint32_t emp, const char *p, uint32_t n)
{
    if ((s->n + 1) * 4 > s->cap * 3)
        grow(s);
    uint32_t hash = hash_of(agg, emp, p, n);
    uint32_t emp1 = emp + 1;
    size_t mask = s->cap - 1, h = (size_t)hash & mask;
    for (; s->slots[h].emp1; h = (h + 1) & mask)
        if (same(s, &s->slots[h], hash, agg, emp1, p, n))
            return false;
    s->slots[h] = make_key(s, hash, agg, emp1, p, n);
    s->n++;
    return true;
}

void distinct_prefetch(const DistinctSet *s, uint32_t agg, uint32_t emp, const char *p, uint32_t n)
{
    if (s->cap)
        __builtin_prefetch(&s->slots[hash_of(agg, emp, p, n) & (s->cap - 1)]);
}

void distinct_free(DistinctSet *s)
{
    kpi_free(s->slots);
    kpi_free(s->arena);
    memset(s, 0, sizeof *s);
}
