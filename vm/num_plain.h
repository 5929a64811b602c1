/* num_plain.h - the common number cell, fast: digits with at most one
 * `point` between them and at most `scale` digits after it, that fits int64
 * once scaled. Anything else (signs, spaces, separators, "1.230" in money)
 * is false, for dec_parse to read or reject; what is true, dec_parse reads
 * the same (tests/unit/test_num.c compares them). Inline: the fact scan
 * calls it for every number cell. A byte loop: reading 8 bytes as one word and summing the digits by
 * multiplies was measured slower on the bench's cells. */
#ifndef KPI_NUM_PLAIN_H
#define KPI_NUM_PLAIN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

static const uint64_t plain_p10[] = {1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull,
                                     10000000ull, 100000000ull, 1000000000ull, 10000000000ull};

/* v has nd digits: below 10^18, and so within int64, when nd + k <= 18. */
static inline bool plain_scale(uint64_t v, uint32_t nd, uint32_t frac, int scale, int64_t *out)
{
    uint32_t k = (uint32_t)scale - frac;
    uint64_t scaled;
    if (k >= sizeof plain_p10 / sizeof plain_p10[0])
        return false; /* a scale past the table: dec_parse's */
    if (nd + k <= 18)
        scaled = v * plain_p10[k];
    else if (__builtin_mul_overflow(v, plain_p10[k], &scaled) || scaled > INT64_MAX)
        return false; /* past int64 once scaled: dec_parse says so */
    *out = (int64_t)scaled;
    return true;
}

static inline bool dec_parse_plain(const char *s, size_t len, char point, int scale, int64_t *out)
{
    if (len == 0 || len > 18 || scale < 0)
        return false;
    uint32_t n = (uint32_t)len, i = 0, frac = 0;
    uint64_t v = 0;
    for (; i < n; i++) {
        unsigned d = (unsigned char)s[i] - '0';
        if (d > 9)
            break;
        v = v * 10 + d;
    }
    if (i < n) {   /* the point, between digits, and at most `scale` digits after it */
        if (s[i] != point || i == 0 || i + 1 == n || n - i - 1 > (uint32_t)scale)
            return false;
        for (uint32_t j = i + 1; j < n; j++) {
            unsigned d = (unsigned char)s[j] - '0';
            if (d > 9)
                return false;
            v = v * 10 + d;
        }
        frac = n - i - 1;
    }
    return plain_scale(v, n - (frac > 0), frac, scale, out);
}

#endif
