/* buf.c - see buf.h. */
#include "base/buf.h"
#include "base/alloc.h"

#include <stdio.h>
#include <string.h>

void buf_reserve(Buf *b, size_t extra)
{
    b->data = kpi_grow(b->data, &b->cap, b->len + extra + 1, 1);
}

void buf_add(Buf *b, const void *p, size_t n)
{
    buf_reserve(b, n);
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void buf_adds(Buf *b, const char *s) { buf_add(b, s, strlen(s)); }

void buf_vprintf(Buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n <= 0)
        return;
    buf_reserve(b, (size_t)n);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void buf_printf(Buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void buf_pad(Buf *b, char c, size_t n)
{
    buf_reserve(b, n);
    memset(b->data + b->len, c, n);
    b->len += n;
    b->data[b->len] = '\0';
}

const char *buf_cstr(Buf *b)
{
    if (!b->data)
        buf_reserve(b, 0), b->data[0] = '\0';
    return b->data;
}

void buf_clear(Buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void buf_free(Buf *b)
{
    kpi_free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
