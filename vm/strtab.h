/* strtab.h - interned texts. Equal texts get equal ids, so the VM compares
 * texts by id. The program's text constants are interned first, in order,
 * so constant i of the program is text id i at run time. */
#ifndef KPI_STRTAB_H
#define KPI_STRTAB_H
#include <stddef.h>
#include <stdint.h>

typedef struct StrTab {
    char     *bytes;       /* all texts, each NUL-terminated */
    size_t    nbytes, capbytes;
    uint32_t *off, *len;   /* per id */
    size_t    n, capoff, caplen;
    uint32_t *slots;       /* open addressing: id + 1, 0 empty */
    size_t    nslots;
} StrTab;

#define STR_NONE UINT32_MAX

void        strtab_init(StrTab *t);
void        strtab_free(StrTab *t);
uint32_t    strtab_intern(StrTab *t, const char *s, size_t len);
/* The same, trying id `hint` first: a table's column often repeats the
 * text of the row before, or its keys come in a known order, and a hit
 * costs one comparison instead of a probe of the (large) hash table. */
uint32_t    strtab_intern_hint(StrTab *t, const char *s, size_t len, uint32_t hint);
uint32_t    strtab_find(const StrTab *t, const char *s, size_t len);   /* STR_NONE if absent */
const char *strtab_get(const StrTab *t, uint32_t id, uint32_t *len);

#endif
