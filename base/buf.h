/* buf.h - a growable byte buffer, used to build text (reports, messages). */
#ifndef KPI_BUF_H
#define KPI_BUF_H
#include <stdarg.h>
#include <stddef.h>

typedef struct Buf {
    char  *data; /* always NUL-terminated when len > 0 or after buf_cstr */
    size_t len, cap;
} Buf;

#define BUF_INIT {NULL, 0, 0}

void buf_reserve(Buf *b, size_t extra);
void buf_add(Buf *b, const void *p, size_t n);
void buf_adds(Buf *b, const char *s);
/* One byte: inline while it fits, as text is built a byte at a time. */
static inline void buf_addc(Buf *b, char c)
{
    if (b->len + 2 > b->cap)
        buf_reserve(b, 1);
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}
void buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(Buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void buf_pad(Buf *b, char c, size_t n);
const char *buf_cstr(Buf *b);
void buf_clear(Buf *b);
void buf_free(Buf *b);

#endif
