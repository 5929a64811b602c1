/* num_plain.h - the common number cell, fast: digits with at most one
 * `point` between them and at most `scale` digits after it, that fits int64
 * once scaled. Anything else (signs, spaces, separators, "1.230" in money)
 * is false, for dec_parse to read or reject; what is true, dec_parse reads
 * the same (tests/unit/test_num.c compares them). Inline: the fact scan
 * calls it for every number cell.
 *
 * s must be readable for 8 bytes even when n is smaller (a padded buffer):
 * the usual money cell is read as one word. Other cells take a byte loop
 * (a word with the point anywhere measured slower than the loop). */
#ifndef KPI_NUM_PLAIN_H
#define KPI_NUM_PLAIN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/compiler.h"
#include "vm/num.h"

/* v has nd digits: below 10^18, and so within int64, when nd + k <= 18. */
static inline bool plain_scale(uint64_t v, uint32_t nd, uint32_t frac, int scale, int64_t *out)
{
    uint32_t k = (uint32_t)scale - frac;
    if (k > 18)
        return false; /* dec_parse's */
    uint64_t scaled, p = (uint64_t)i128_pow10((int)k);
    if (nd + k <= 18)
        scaled = v * p;
    else if (__builtin_mul_overflow(v, p, &scaled) || scaled > INT64_MAX)
        return false; /* past int64 once scaled: dec_parse says so */
    *out = (int64_t)scaled;
    return true;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define KPI_PLAIN_WORD 1
/* Eight digit values (0..9), the most significant in the lowest byte. The
 * products wrap by design: the terms past 64 bits are not wanted. */
KPI_WRAPS static inline uint64_t plain_digits8(uint64_t v)
{
    v = v * 10 + (v >> 8);
    return ((v & 0x000000FF000000FFull) * (100 + (1000000ull << 32)) +
            ((v >> 16) & 0x000000FF000000FFull) * (1 + (10000ull << 32))) >> 32;
}

/* The usual money cell, "12345.67": at most 8 bytes with all `scale`
 * fraction digits written. Read as one word, right-aligned: the point must
 * stand at its fixed byte, the other bytes be digits; the point's byte is
 * squeezed out and the digits summed by three multiplies, with no branch
 * on the length. 1 for done, 0 for not plain, -1 for another shape. */
static inline int plain_shaped(const char *s, uint32_t n, char point, int scale, int64_t *out)
{
    if (n > 8 || scale < 1 || scale > 6 || n < (uint32_t)scale + 2)
        return -1;
    const uint64_t zeros = 0x3030303030303030ull, hi = 0xF0F0F0F0F0F0F0F0ull;
    const unsigned sh = 8 * (8 - n), pp = 7 - (unsigned)scale;
    const uint64_t pmask = 0xFFull << (8 * pp), low = (1ull << (8 * pp)) - 1;
    uint64_t w;
    memcpy(&w, s, 8);
    w <<= sh;
    if ((w & pmask) != (uint64_t)(uint8_t)point << (8 * pp))
        return -1;
    uint64_t dmask = (~0ull << sh) & ~pmask, t = (w & dmask) | (zeros & ~dmask);
    if ((t & hi) != zeros || ((t + 0x0606060606060606ull) & hi) != zeros)
        return 0;
    t -= zeros;
    *out = (int64_t)plain_digits8(((t & low) << 8) | (t & ~(low | pmask)));
    return 1;
}
#endif

__attribute__((always_inline)) static inline bool dec_parse_plain(const char *s, size_t len, char point, int scale,
                                                                   int64_t *out)
{
    if (len == 0 || len > 18 || scale < 0)
        return false;
    uint32_t n = (uint32_t)len, i = 0, frac = 0;
#ifdef KPI_PLAIN_WORD
    int shaped = plain_shaped(s, n, point, scale, out);
    if (shaped >= 0)
        return shaped;
#endif
    uint64_t v = 0;
    for (; i < n; i++) {
        int d = (unsigned char)s[i] - '0';
        if (d < 0 || d > 9)
            break;
        v = v * 10 + (unsigned)d;
    }
    if (i < n) {   /* the point, between digits, and at most `scale` digits after it */
        if (s[i] != point || i == 0 || i + 1 == n || n - i - 1 > (uint32_t)scale)
            return false;
        for (uint32_t j = i + 1; j < n; j++) {
            int d = (unsigned char)s[j] - '0';
            if (d < 0 || d > 9)
                return false;
            v = v * 10 + (unsigned)d;
        }
        frac = n - i - 1;
    }
    return plain_scale(v, n - (frac > 0), frac, scale, out);
}

#endif
