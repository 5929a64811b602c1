/* suggest.c - see suggest.h. */
#include "compiler/suggest.h"
#include "base/alloc.h"
#include "base/utf8.h"

#include <string.h>

#define MAX_CP 128 /* names longer than this are compared by their start */

static size_t decode_all(const char *s, uint32_t *out)
{
    size_t n = 0, len = strlen(s);
    for (size_t i = 0; i < len && n < MAX_CP;) {
        size_t k = utf8_decode((const unsigned char *)s + i, len - i, &out[n]);
        if (k == 0) {
            out[n] = (unsigned char)s[i];
            k = 1;
        }
        /* case-insensitive for ASCII and Cyrillic */
        if (out[n] >= 'A' && out[n] <= 'Z')
            out[n] += 32;
        else if (out[n] >= 0x410 && out[n] <= 0x42F)
            out[n] += 32;
        n++;
        i += k;
    }
    return n;
}

size_t edit_distance(const char *a, const char *b)
{
    uint32_t ca[MAX_CP], cb[MAX_CP];
    size_t na = decode_all(a, ca), nb = decode_all(b, cb);
    size_t row[MAX_CP + 1];
    for (size_t j = 0; j <= nb; j++)
        row[j] = j;
    for (size_t i = 1; i <= na; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            size_t up = row[j];
            size_t best = diag + (ca[i - 1] != cb[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[nb];
}

void suggest_init(Suggest *s, const char *want)
{
    s->want = want;
    s->best = NULL;
    s->dist = (size_t)-1;
}

void suggest_offer(Suggest *s, const char *candidate)
{
    if (!candidate || strcmp(candidate, s->want) == 0)
        return;
    size_t d = edit_distance(s->want, candidate);
    size_t len = utf8_width(s->want, strlen(s->want));
    size_t limit = len <= 3 ? 1 : len <= 6 ? 2 : 3;
    if (d <= limit && d < s->dist) {
        s->dist = d;
        s->best = candidate;
    }
}
