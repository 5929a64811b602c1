/* strtab.c - see strtab.h. */
#include "vm/strtab.h"
#include "base/alloc.h"
#include "base/compiler.h"

#include <string.h>

KPI_WRAPS static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

void strtab_init(StrTab *t) { memset(t, 0, sizeof *t); }

void strtab_free(StrTab *t)
{
    kpi_free(t->bytes);
    kpi_free(t->off);
    kpi_free(t->len);
    kpi_free(t->slots);
    memset(t, 0, sizeof *t);
}

static size_t slot_of(const StrTab *t, const char *s, size_t n)
{
    size_t mask = t->nslots - 1, h = (size_t)hash_bytes(s, n) & mask;
    while (t->slots[h]) {
        uint32_t id = t->slots[h] - 1;
        if (t->len[id] == n && memcmp(t->bytes + t->off[id], s, n) == 0)
            return h;
        h = (h + 1) & mask;
    }
    return h;
}

static void grow_slots(StrTab *t)
{
    size_t n = t->nslots ? t->nslots * 2 : 1024;
    kpi_free(t->slots);
    t->slots = kpi_calloc(n, sizeof(uint32_t));
    t->nslots = n;
    for (size_t id = 0; id < t->n; id++) {
        size_t h = slot_of(t, t->bytes + t->off[id], t->len[id]);
        t->slots[h] = (uint32_t)id + 1;
    }
}

uint32_t strtab_find(const StrTab *t, const char *s, size_t len)
{
    if (!t->nslots)
        return STR_NONE;
    size_t h = slot_of(t, s, len);
    return t->slots[h] ? t->slots[h] - 1 : STR_NONE;
}

uint32_t strtab_intern(StrTab *t, const char *s, size_t len)
{
    if ((t->n + 1) * 2 > t->nslots)
        grow_slots(t);
    size_t h = slot_of(t, s, len);
    if (t->slots[h])
        return t->slots[h] - 1;
    t->bytes = kpi_grow(t->bytes, &t->capbytes, t->nbytes + len + 1, 1);
    memcpy(t->bytes + t->nbytes, s, len);
    t->bytes[t->nbytes + len] = '\0';
    size_t n = t->n;
    VEC_PUSH(t->off, n, t->capoff, (uint32_t)t->nbytes);
    VEC_PUSH(t->len, t->n, t->caplen, (uint32_t)len);
    t->nbytes += len + 1;
    t->slots[h] = (uint32_t)t->n;
    return (uint32_t)(t->n - 1);
}

uint32_t strtab_intern_hint(StrTab *t, const char *s, size_t len, uint32_t hint)
{
    if (hint < t->n && t->len[hint] == len && memcmp(t->bytes + t->off[hint], s, len) == 0)
        return hint;
    return strtab_intern(t, s, len);
}

const char *strtab_get(const StrTab *t, uint32_t id, uint32_t *len)
{
    if (id >= t->n) {
        if (len)
            *len = 0;
        return "";
    }
    if (len)
        *len = t->len[id];
    return t->bytes + t->off[id];
}
