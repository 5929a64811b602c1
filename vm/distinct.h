/* distinct.h - the sets behind count(distinct ...): which values each
 * (aggregate, employee) has seen, without keeping rows.
 *
 * A value is its bytes: a text's, or the 8 of a number or a date. Up to 16
 * bytes lie in the slot itself, so a lookup costs one cache line (a set of
 * client names is larger than the cache, and rows come in no order); a
 * longer text keeps its first 8 bytes there and all of them in the set's
 * arena. Values are compared by their bytes, never by their hash alone. */
#ifndef KPI_DISTINCT_H
#define KPI_DISTINCT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct DistinctKey {   /* 32 bytes: two to a cache line */
    uint32_t hash;
    uint32_t emp1;       /* the employee + 1; 0 for a free slot */
    uint32_t agg;
    uint32_t len;        /* the value's bytes */
    char     b[16];      /* the value, zero-padded; past 16 bytes: its first 8 and its arena offset */
} DistinctKey;

typedef struct DistinctSet {
    DistinctKey *slots;
    size_t       n, cap;
    char        *arena;  /* values longer than 16 bytes */
    size_t       narena, caparena;
} DistinctSet;

/* True when the value is new for (agg, emp). p must be readable for 8
 * bytes past its n (a CSV buffer, a padded copy). */
bool        distinct_insert(DistinctSet *s, uint32_t agg, uint32_t emp, const char *p, uint32_t n);
/* Brings in the slot where the insert of this value will look: a set of
 * client names is larger than the cache. */
void        distinct_prefetch(const DistinctSet *s, uint32_t agg, uint32_t emp, const char *p, uint32_t n);
/* The value held by a used slot, readable as distinct_insert needs. */
const char *distinct_value(const DistinctSet *s, const DistinctKey *k);
void        distinct_free(DistinctSet *s);

#endif
