/* suggest.h - "did you mean" for misspelt names. */
#ifndef KPI_SUGGEST_H
#define KPI_SUGGEST_H
#include <stddef.h>

/* Edit distance between two UTF-8 strings, counted in code points. */
size_t edit_distance(const char *a, const char *b);

/* Keeps the candidate closest to `want` (close enough to be a likely typo). */
typedef struct Suggest {
    const char *want;
    const char *best;
    size_t      dist;
} Suggest;

void suggest_init(Suggest *s, const char *want);
void suggest_offer(Suggest *s, const char *candidate);

#endif
