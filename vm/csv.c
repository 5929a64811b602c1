/* csv.c - see csv.h.
 *
 * The unconsumed data is buf[pos, end); buf[end] always holds a '\n'
 * sentinel and CSV_PAD bytes of allocation follow, so scans need no length
 * checks: every search stops at the sentinel at the latest.
 *
 * Fields are split with a bitmask of the delimiter, quote and newline bytes
 * of a 64-byte window (SSE2 or word-at-a-time): moving to the next field is
 * a count-trailing-zeros, and bytes between specials are never looked at.
 *
 * A record that runs past end is scanned again from its start after a
 * refill, so nothing is changed in the buffer until a record is complete:
 * "" pairs of selected fields are unescaped then. NUL bytes and stray
 * byte-order marks are found per refill over the new data (clean_end marks
 * the first), which makes the check one pointer comparison per field. */
#include "vm/csv.h"

#include "base/alloc.h"
#include "base/utf8.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* How special_mask looks at 64 bytes: SSE2 where there is SSE2, else eight
 * words on a little-endian machine, else a byte loop. Defining
 * CSV_SCAN_SWAR or CSV_SCAN_BYTES forces one of the portable ways, so that
 * tests can reach them on any machine. */
#if defined(CSV_SCAN_BYTES)
#define CSV_SCAN 0
#elif defined(CSV_SCAN_SWAR)
#define CSV_SCAN 1
#elif defined(__SSE2__)
#define CSV_SCAN 2
#include <emmintrin.h>
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
/* The short path's masks also in 32-byte compares, chosen at run time by
 * the CPU (bench: 6% off the deals scan); KPI_CSV_SIMD=sse2 turns
 * them off, for tests and for a CPU that misreports. */
#define CSV_AVX2 1
#include <immintrin.h>
#endif
#elif defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define CSV_SCAN 1
#else
#define CSV_SCAN 0
#endif

#define CSV_BUF_DEFAULT (1u << 17)
#define CSV_BATCH_FIELDS (1u << 18)
#define CSV_PAD 128 /* the sentinel and a 64-byte window's over-read */

enum { REC_ROW, REC_END, REC_MORE, REC_FAIL };

struct CsvReader {
    int         fd;         /* -1 when reading from memory */
    const char *src;        /* memory source */
    size_t      src_len, src_pos;
    char        delim;

    char  *buf;
    size_t cap;             /* usable bytes; the allocation has CSV_PAD more */
    size_t pos, end;
    bool   eof;
    size_t clean_end;       /* buf[pos, clean_end) has no NUL and no BOM */
    size_t ascii_end;       /* buf[pos, ascii_end) is ASCII: its fields are UTF-8 unchecked */
    bool   bad_found;       /* buf[clean_end] starts a NUL or a BOM */

    uint64_t records;       /* complete records, header included */
    uint64_t line;          /* line on which the record at pos starts */
    uint64_t base_off;      /* file offset of buf[0] */
    uint64_t stop;          /* no record starting at or after it is delivered */
    uint64_t max_rows;      /* CSV_MAX_ROWS: data rows past it are an error */
    uint64_t head_records;  /* records before the data: the header, none in a part */

    /* Where a pending (incomplete) record stopped, for the too-long error. */
    uint32_t pend_col;
    bool     pend_quoted;

    /* Which fields to record: slot[c] is the output index of field c, -1
     * when unselected; sel[j] is the field of slot j. */
    int32_t  *slot;
    uint32_t  nslot;
    uint32_t *sel;
    uint32_t  nsel;
    uint32_t *esc;          /* slots whose field needs "" unescaped */
    int32_t  *dup_of;       /* slot j repeats slot dup_of[j], or -1 */
    bool      has_dups;
    bool      all_sel;      /* every field selected once: no slot is -1 */
    bool      in_header, have_header, started;
    bool      wide;         /* the short path's masks by AVX2 */

    char     *hdr_text;     /* header names, copied out of buf */
    CsvField *hdr;
    uint32_t  ncols;

    CsvField *fields;       /* batch storage: batch_rows * nsel */
    uint64_t *rowno;
    uint32_t  batch_rows;

    bool     failed;
    CsvError err;
};

/* ---- errors -------------------------------------------------------------- */

static void set_err(CsvError *e, uint64_t row, uint32_t col, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

static void set_err(CsvError *e, uint64_t row, uint32_t col, const char *fmt, va_list ap)
{
    e->row = row;
    e->col = col;
    e->line = row;
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
}

void csv_error_text(const CsvError *e, uint64_t row_base, uint64_t line_base, char *out, size_t size)
{
    if (e->line && e->line + line_base != e->row + row_base)
        snprintf(out, size, "%s (line %llu)", e->msg, (unsigned long long)(e->line + line_base));
    else
        snprintf(out, size, "%s", e->msg);
}

static size_t count_newlines(const char *p, const char *e)
{
    size_t n = 0;
    while ((p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
        n++;
        p++;
    }
    return n;
}

/* Fails the record at pos; at points into it (for the line number) and col
 * is 0-based. The line is added when it differs from the record number. */
static int fail(CsvReader *r, const char *at, uint32_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(CsvReader *r, const char *at, uint32_t col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_err(&r->err, r->records + 1, col + 1, fmt, ap);
    va_end(ap);
    r->err.line = r->line + count_newlines(r->buf + r->pos, at);
    r->failed = true;
    return REC_FAIL;
}

/* An error with an explicit place; row 0 when not about a record. */
static bool fail_plain(CsvReader *r, uint64_t row, uint32_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static bool fail_plain(CsvReader *r, uint64_t row, uint32_t col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_err(&r->err, row, col, fmt, ap);
    va_end(ap);
    r->failed = true;
    return false;
}

static int fail_bad_byte(CsvReader *r, uint32_t col)
{
    const char *at = r->buf + r->clean_end;
    if (*at == '\0')
        return fail(r, at, col, "NUL byte in the data (is this a UTF-16 or binary file?)");
    return fail(r, at, col, "byte-order mark in the middle of the file");
}

/* ---- buffer ---------------------------------------------------------------- */

static bool cpu_wide(void)
{
#ifdef CSV_AVX2
    const char *simd = getenv("KPI_CSV_SIMD");
    return !(simd && strcmp(simd, "sse2") == 0) && __builtin_cpu_supports("avx2");
#else
    return false;
#endif
}

static CsvReader *reader_new(int fd, const char *src, size_t len, char delim)
{
    assert(delim != '"' && delim != '\n' && delim != '\r' && delim != '\0');
    CsvReader *r = kpi_calloc(1, sizeof *r);
    r->fd = fd;
    r->src = src;
    r->src_len = len;
    r->delim = delim;
    r->cap = CSV_BUF_DEFAULT;
    r->line = 1;
    r->stop = UINT64_MAX;
    r->max_rows = CSV_MAX_ROWS;
    r->head_records = 1;
    r->wide = cpu_wide();
    return r;
}

/* Zeroed so that the scanner's over-read never sees undefined bytes. */
static void buf_resize(CsvReader *r, size_t cap)
{
    size_t old = r->buf ? r->cap + CSV_PAD : 0;
    r->buf = kpi_realloc(r->buf, cap + CSV_PAD);
    memset(r->buf + old, 0, cap + CSV_PAD - old);
    r->cap = cap;
}

/* Advances clean_end over new data, stopping at a NUL or a BOM. An EF byte
 * too close to the end to tell is left for the next refill. */
static void scan_clean(CsvReader *r)
{
    if (r->bad_found)
        return;
    const char *b = r->buf;
    const char *nul = memchr(b + r->clean_end, '\0', r->end - r->clean_end);
    size_t lim = nul ? (size_t)(nul - b) : r->end;
    bool bad = nul != NULL;
    size_t i = r->clean_end;
    const char *x;
    while (i < lim && (x = memchr(b + i, '\xEF', lim - i)) != NULL) {
        size_t at = (size_t)(x - b), have = r->end - at;
        bool differs = (have > 1 && x[1] != '\xBB') || (have > 2 && x[2] != '\xBF');
        if (!differs && (have > 2 || !r->eof)) {
            lim = at;
            bad = have > 2;
            break;
        }
        i = at + 1;
    }
    r->clean_end = lim;
    r->bad_found = bad;
}

/* Advances ascii_end over new data that has no byte >= 0x80 (most exports
 * of ISO data): fields there need no UTF-8 check. */
static void scan_ascii(CsvReader *r)
{
    size_t i = r->ascii_end < r->pos ? r->pos : r->ascii_end;
    const char *b = r->buf;
    while (i < r->end && !((unsigned char)b[i] & 0x80))
        i++;
    r->ascii_end = i;
}

/* The first byte of b[i, end) that is NUL or past ASCII, or end. */
static size_t plain_end(const char *b, size_t i, size_t end)
{
#if CSV_SCAN == 2
    /* signed x < 1: a NUL, or a byte past ASCII; 64 bytes a test */
    const __m128i one = _mm_set1_epi8(1), zero = _mm_setzero_si128();
    for (; i + 64 <= end; i += 64) {
        const __m128i *v = (const __m128i *)(const void *)(b + i);
        __m128i t = _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(_mm_loadu_si128(v), one),
                                              _mm_cmplt_epi8(_mm_loadu_si128(v + 1), one)),
                                 _mm_or_si128(_mm_cmplt_epi8(_mm_loadu_si128(v + 2), one),
                                              _mm_cmplt_epi8(_mm_loadu_si128(v + 3), one)));
        if (_mm_movemask_epi8(t))
            break;
    }
    for (; i + 16 <= end; i += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(b + i));
        int m = _mm_movemask_epi8(_mm_or_si128(x, _mm_cmpeq_epi8(x, zero)));
        if (m)
            return i + (size_t)__builtin_ctz((unsigned)m);
    }
#endif
    while (i < end && b[i] && !((unsigned char)b[i] & 0x80))
        i++;
    return i;
}

/* Checks the new data: NUL bytes and byte-order marks (clean_end) and bytes
 * past ASCII (ascii_end). One pass finds the first byte either check must
 * look at, which in an ASCII export is the end; the checks go on from there. */
static void scan_new(CsvReader *r)
{
    size_t a = r->ascii_end < r->pos ? r->pos : r->ascii_end;
    size_t from = r->bad_found || r->clean_end > a ? a : r->clean_end;
    size_t k = plain_end(r->buf, from, r->end);
    if (!r->bad_found && r->clean_end < k)
        r->clean_end = k;
    r->ascii_end = a < k ? k : a;
    scan_clean(r);
    scan_ascii(r);
}

static bool read_more(CsvReader *r)
{
    if (r->fd < 0) {
        size_t n = r->src_len - r->src_pos;
        if (n > r->cap - r->end)
            n = r->cap - r->end;
        memcpy(r->buf + r->end, r->src + r->src_pos, n);
        r->src_pos += n;
        r->end += n;
        r->eof = r->src_pos == r->src_len;
        return true;
    }
    while (r->end < r->cap) {
        ssize_t n = read(r->fd, r->buf + r->end, r->cap - r->end);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            return fail_plain(r, 0, 0, "cannot read the file: %s", strerror(errno));
        }
        if (n == 0) {
            r->eof = true;
            break;
        }
        r->end += (size_t)n;
    }
    return true;
}

/* Moves the unconsumed tail to the front and reads more after it, growing
 * the buffer when the tail fills it. Only called when no slices of the
 * current batch point into the buffer. */
static bool refill(CsvReader *r)
{
    if (r->pos > 0) {
        size_t keep = r->end - r->pos;
        r->base_off += r->pos;
        memmove(r->buf, r->buf + r->pos, keep);
        r->clean_end = r->clean_end > r->pos ? r->clean_end - r->pos : 0;
        r->ascii_end = r->ascii_end > r->pos ? r->ascii_end - r->pos : 0;
        r->end = keep;
        r->pos = 0;
    }
    if (r->end == r->cap) {
        if (r->cap >= CSV_MAX_RECORD) {
            fail(r, r->buf, r->pend_col, "record is longer than %u bytes%s", CSV_MAX_RECORD,
                 r->pend_quoted ? " (is a quote left unclosed?)" : "");
            return false;
        }
        buf_resize(r, r->cap * 2 < CSV_MAX_RECORD ? r->cap * 2 : CSV_MAX_RECORD);
    }
    if (!read_more(r))
        return false;
    r->buf[r->end] = '\n';
    scan_new(r);
    return true;
}

/* ---- scanning -------------------------------------------------------------- */

#define HIGHS 0x8080808080808080ull

#if CSV_SCAN == 1
#define ONES 0x0101010101010101ull

/* High bit set in exactly the bytes of w that are zero. */
static inline uint64_t zero_bytes(uint64_t w)
{
    const uint64_t low7 = ~HIGHS;
    return ~(((w & low7) + low7) | w | low7);
}
#endif

/* One bit per byte of p[0, 64) that is the delimiter, a quote or '\n'. */
static inline uint64_t special_mask(const char *p, char d)
{
    uint64_t m = 0;
#if CSV_SCAN == 2
    const __m128i vd = _mm_set1_epi8(d), vq = _mm_set1_epi8('"'), vn = _mm_set1_epi8('\n');
    for (int i = 0; i < 4; i++) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i));
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, vd), _mm_cmpeq_epi8(x, vq)),
                                   _mm_cmpeq_epi8(x, vn));
        m |= (uint64_t)(uint32_t)_mm_movemask_epi8(hit) << (16 * i);
    }
#elif CSV_SCAN == 1
    const uint64_t md = ONES * (uint8_t)d, mq = ONES * (uint8_t)'"', mn = ONES * (uint8_t)'\n';
    for (int i = 0; i < 8; i++) {
        uint64_t w;
        memcpy(&w, p + 8 * i, 8);
        uint64_t z = zero_bytes(w ^ md) | zero_bytes(w ^ mq) | zero_bytes(w ^ mn);
        /* gathers the eight high bits into one byte (no carries: the
         * partial products land on distinct bits) */
        m |= (((z >> 7) * 0x0102040810204080ull) >> 56) << (8 * i);
    }
#else
    for (int i = 0; i < 64; i++)
        m |= (uint64_t)(p[i] == d || p[i] == '"' || p[i] == '\n') << i;
#endif
    return m;
}

/* The delimiters, quotes and line feeds of p[0, 64), one mask each. */
static inline void window_masks(const char *p, char d, uint64_t *dm, uint64_t *qm, uint64_t *nm)
{
    uint64_t a = 0, q = 0, n = 0;
#if CSV_SCAN == 2
    const __m128i vd = _mm_set1_epi8(d), vq = _mm_set1_epi8('"'), vn = _mm_set1_epi8('\n');
    for (int i = 0; i < 4; i++) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i));
        a |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vd)) << (16 * i);
        q |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vq)) << (16 * i);
        n |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vn)) << (16 * i);
    }
#else
    for (int i = 0; i < 64; i++) {
        a |= (uint64_t)(p[i] == d) << i;
        q |= (uint64_t)(p[i] == '"') << i;
        n |= (uint64_t)(p[i] == '\n') << i;
    }
#endif
    *dm = a;
    *qm = q;
    *nm = n;
}

#ifdef CSV_AVX2
__attribute__((target("avx2"))) static inline void window_masks_avx2(const char *p, char d, uint64_t *dm,
                                                                      uint64_t *qm, uint64_t *nm)
{
    const __m256i vd = _mm256_set1_epi8(d), vq = _mm256_set1_epi8('"'), vn = _mm256_set1_epi8('\n');
    uint64_t a = 0, q = 0, n = 0;
    for (int i = 0; i < 2; i++) {
        __m256i x = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32 * i));
        a |= (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x, vd)) << (32 * i);
        q |= (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x, vq)) << (32 * i);
        n |= (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(x, vn)) << (32 * i);
    }
    *dm = a;
    *qm = q;
    *nm = n;
}
#endif

/* Special bytes are found through a 64-byte window of bits, so a field
 * costs a few instructions and a byte a fraction of one. The '\n' sentinel
 * at the end of the data bounds every search. */
typedef struct Bits {
    char    *blk;       /* window start; NULL before the first search */
    uint64_t bits;      /* specials in the window at or after the cursor */
} Bits;

/* Moves the cursor forward to p: drops the bits before it. */
static inline void bits_seek(Bits *b, char *p, char d)
{
    if (b->blk && p >= b->blk && p < b->blk + 64) {
        b->bits &= ~0ull << (p - b->blk);
    } else {
        b->blk = p;
        b->bits = special_mask(p, d);
    }
}

/* The first special byte at or after the cursor, which stays put. */
static inline char *bits_peek(Bits *b, char d)
{
    while (b->bits == 0) {
        b->blk += 64;
        b->bits = special_mask(b->blk, d);
    }
    return b->blk + __builtin_ctzll(b->bits);
}

/* The same, moving the cursor past it: the step from field to field. */
static inline char *bits_take(Bits *b, char d)
{
    char *q = bits_peek(b, d);
    b->bits &= b->bits - 1;
    return q;
}

static inline char *find_special(Bits *b, char *p, char d)
{
    bits_seek(b, p, d);
    return bits_peek(b, d);
}

/* Skips empty lines at pos. */
static int skip_empty_lines(CsvReader *r)
{
    const char *b = r->buf;
    for (;;) {
        size_t p = r->pos;
        if (p == r->end)
            return r->eof ? REC_END : REC_MORE;
        if (b[p] == '\n') {
            r->pos = p + 1;
            r->line++;
        } else if (b[p] == '\r' && p + 1 == r->end) {
            if (!r->eof)
                return REC_MORE;
            r->pos = p + 1;   /* a CRLF cut short at the end of the file */
        } else if (b[p] == '\r' && b[p + 1] == '\n') {
            r->pos = p + 2;
            r->line++;
        } else {
            return REC_ROW;
        }
    }
}

/* A line break early in an overlong quoted field suggests the quote was
 * never closed; looking only at the first CSV_MAX_FIELD bytes keeps the
 * message the same however much was read. */
static int field_too_long(CsvReader *r, const char *field, uint32_t col, bool quoted)
{
    bool open = quoted && memchr(field, '\n', CSV_MAX_FIELD) != NULL;
    return fail(r, field, col, "field is longer than %u bytes%s", CSV_MAX_FIELD,
                open ? " (is a quote left unclosed?)" : "");
}

/* Where one field lies: content [ptr, ptr + len), then term (a delimiter,
 * a '\n', or the end of the data). esc: the content holds "" pairs. */
typedef struct FieldScan {
    char  *ptr;
    size_t len;
    char  *term;
    bool   esc;
} FieldScan;

/* The checks an unfinished field already allows: a bad byte first, then the
 * length, the same order as for a finished field, so that the answer does
 * not depend on how much was read. */
static int check_partial(CsvReader *r, uint32_t col, const char *field, bool quoted)
{
    if (r->bad_found)   /* earlier fields were clean, so it is in this one */
        return fail_bad_byte(r, col);
    if ((size_t)(r->buf + r->end - field) > CSV_MAX_FIELD)
        return field_too_long(r, field, col, quoted);
    return REC_ROW;
}

/* The record runs past the data read so far. col is 0-based and field is
 * where the field's content starts. */
static int pending(CsvReader *r, uint32_t col, const char *field, bool quoted)
{
    int st = check_partial(r, col, field, quoted);
    if (st != REC_ROW)
        return st;
    r->pend_col = col;
    r->pend_quoted = quoted;
    return REC_MORE;
}

/* An unquoted field at p, the cursor of bits being at p too. The hot path:
 * inlined into scan_record with bits held in registers. */
static inline int scan_plain(CsvReader *r, Bits *bits, char *p, uint32_t col, FieldScan *fs,
                             const char *clean)
{
    char *q;
    do   /* a quote inside an unquoted field is data */
        q = bits_take(bits, r->delim);
    while (*q == '"');
    if (q > clean) {
        if (q == r->buf + r->end && !r->eof)
            return pending(r, col, p, false);
        if (q > r->buf + r->clean_end)
            return fail_bad_byte(r, col);
    }
    size_t len = (size_t)(q - p);
    if (*q == '\n') {
        if (q == r->buf + r->end && !r->eof)
            return pending(r, col, p, false);
        if (len > 0 && q[-1] == '\r')
            len--;
    }
    if (len > CSV_MAX_FIELD)
        return field_too_long(r, p, col, false);
    *fs = (FieldScan){p, len, q, false};
    return REC_ROW;
}

/* After a closing quote: the delimiter, a line end, or the end of the data. */
static int after_quote(CsvReader *r, char *q, uint32_t col, const char *field, char **term)
{
    char *e = r->buf + r->end;
    if (*q == '\r' && q + 1 < e && q[1] == '\n') {
        q++;
    } else if (*q == '\r' && q + 1 == e) {
        if (!r->eof)
            return pending(r, col, field, true);
        q = e;   /* a CRLF cut short at the end of the file */
    }
    if (q == e) {
        if (!r->eof)
            return pending(r, col, field, true);
    } else if (*q != r->delim && *q != '\n') {
        /* The stray text may be a NUL or a BOM, or the start of one. */
        if (q >= r->buf + r->clean_end)
            return r->bad_found ? fail_bad_byte(r, col) : pending(r, col, field, true);
        return fail(r, q, col, "unexpected text after a closing quote");
    }
    *term = q;
    return REC_ROW;
}

/* Scans a quoted field whose opening quote is at p; *nl counts the line
 * breaks inside it. */
static int scan_quoted(CsvReader *r, Bits *bits, char *p, uint32_t col, FieldScan *fs,
                       uint64_t *nl)
{
    char *e = r->buf + r->end, *q = p + 1;
    bool esc = false;
    for (;;) {
        q = find_special(bits, q, r->delim);
        if (*q == r->delim) {
            q++;
            continue;
        }
        if (*q == '\n') {
            if (q < e) {
                (*nl)++;
                q++;
                continue;
            }
            if (!r->eof)
                return pending(r, col, p + 1, true);
            int st = check_partial(r, col, p + 1, true);
            return st != REC_ROW ? st
                                 : fail(r, p, col, "unterminated quoted field (the quote opens in field %u)",
                                        col + 1);
        }
        if (q + 1 == e && !r->eof)
            return pending(r, col, p + 1, true);   /* a closing quote or half of "" */
        if (q + 1 < e && q[1] == '"') {
            esc = true;
            q += 2;
            continue;
        }
        break;
    }
    if (q + 1 > r->buf + r->clean_end)
        return fail_bad_byte(r, col);
    size_t len = (size_t)(q - (p + 1));
    if (len > CSV_MAX_FIELD)
        return field_too_long(r, p + 1, col, true);
    *fs = (FieldScan){p + 1, len, NULL, esc};
    return after_quote(r, q + 1, col, p + 1, &fs->term);
}

/* Turns "" into " in place; returns the new length. Inside a quoted field
 * every quote is the first of a pair. */
static uint32_t unescape(char *s, uint32_t n)
{
    char *w = s, *rd = s, *e = s + n, *q;
    while ((q = memchr(rd, '"', (size_t)(e - rd))) != NULL) {
        size_t k = (size_t)(q - rd) + 1;
        memmove(w, rd, k);
        w += k;
        rd = q + 2;
    }
    memmove(w, rd, (size_t)(e - rd));
    w += e - rd;
    return (uint32_t)(w - s);
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* Checks eight bytes of ASCII and two-byte sequences (Cyrillic among them)
 * without a branch per byte. carry: a lead byte ended the previous word.
 * false for anything else: longer sequences, or an error to confirm. */
static inline bool utf8_word2(uint64_t w, uint64_t *carry)
{
    uint64_t hi = w & HIGHS, b6 = (w << 1) & HIGHS, b5 = (w << 2) & HIGHS;
    uint64_t cont = hi & ~b6, lead = hi & b6 & ~b5;
    /* C0 and C1 would be overlong: their bits 1..4 are zero (no carries
     * between bytes: 0x1E + 0x7E < 0x100) */
    uint64_t nonzero = ((w & 0x1E1E1E1E1E1E1E1Eull) + 0x7E7E7E7E7E7E7E7Eull) & HIGHS;
    uint64_t want_cont = (lead << 8) | *carry;   /* the byte after each lead */
    *carry = lead >> 56;
    return (hi & b6 & b5) == 0 && (lead & ~nonzero) == 0 && cont == want_cont;
}
#endif

/* Whether a field is UTF-8. Words may reach past the field: fields lie in
 * the buffer, which has CSV_PAD bytes to spare, and the bytes past the field
 * are masked off. utf8_validate decides whatever the fast check cannot. */
static bool utf8_ok(const char *s, uint32_t n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t high = 0, w;
    for (uint32_t i = 0; i < n; i += 8) { /* ASCII, the common field, is UTF-8 */
        memcpy(&w, s + i, 8);
        if (n - i < 8)
            w &= ~(~0ull << (8 * (n - i)));
        high |= w;
    }
    if (!(high & HIGHS))
        return true;
    uint64_t carry = 0;
    for (uint32_t i = 0; i < n; i += 8) {
        memcpy(&w, s + i, 8);
        if (n - i < 8)
            w &= ~(~0ull << (8 * (n - i)));
        if (!utf8_word2(w, &carry))
            return utf8_validate(s, n) == n;
    }
    return carry == 0;
#else
    return utf8_validate(s, n) == n;
#endif
}

/* Validates and unescapes the recorded fields of a complete record.
 * Validating first leaves the record intact for an error's line number;
 * dropping half of each "" cannot change whether the text is UTF-8. */
static int finish_fields(CsvReader *r, CsvField *out, uint32_t nout, uint32_t nesc, const char *rec_end)
{
    const bool dups = r->has_dups;
    const char *ascii = r->buf + r->ascii_end;
    for (uint32_t j = 0; rec_end > ascii && j < nout; j++) { /* an ASCII record needs no look */
        const CsvField *f = &out[j];
        if (dups && r->dup_of[j] >= 0)
            continue;
        if (f->ptr + f->len > ascii && !utf8_ok(f->ptr, f->len))
            return fail(r, f->ptr, r->sel[j], "invalid UTF-8 (is the file in cp1251? save it as UTF-8)");
    }
    for (uint32_t k = 0; k < nesc; k++) {
        CsvField *f = &out[r->esc[k]];
        f->len = unescape((char *)f->ptr, f->len);
    }
    if (r->has_dups)
        for (uint32_t j = 0; j < nout; j++)
            if (r->dup_of[j] >= 0)
                out[j] = out[r->dup_of[j]];
    return REC_ROW;
}

/* The header has too many fields; a lone CR inside explains why, often. */
static int too_many_columns(CsvReader *r, const char *at)
{
    const char *b = r->buf + r->pos, *cr = memchr(b, '\r', (size_t)(at - b));
    if (cr && cr[1] != '\n')
        return fail(r, at, CSV_MAX_COLUMNS,
                    "header has more than %u columns (are lines ended by CR alone, as old Mac "
                    "Excel writes them? save the file with LF or CRLF line ends)",
                    CSV_MAX_COLUMNS);
    return fail(r, at, CSV_MAX_COLUMNS, "header has more than %u columns", CSV_MAX_COLUMNS);
}

/* Scans the record at pos, recording selected fields into out. bits may
 * carry over from the previous record; it is reset when the buffer moves.
 * The common record has gone through short_run already. */
static int scan_general(CsvReader *r, Bits *bits, CsvField *out);

__attribute__((always_inline)) static inline int scan_record(CsvReader *r, Bits *bits, CsvField *out)
{
    if (r->base_off + r->pos >= r->stop)
        return REC_END;   /* the next part's */
    return scan_general(r, bits, out);
}

/* A short record past ASCII or with repeated fields: its fields checked
 * and copied by finish_fields, the reader's counters first set to it, so
 * that an error names it. */
__attribute__((noinline, cold)) static bool short_finish(CsvReader *r, CsvField *out, size_t pos, uint64_t line,
                                                         uint64_t records, const char *end)
{
    r->pos = pos;
    r->line = line;
    r->records = records;
    return finish_fields(r, out, r->nsel, 0, end) == REC_ROW;
}

/* The common record: no quote, no empty line before it, the right number
 * of fields, and its line feed within 64 bytes of its start, in clean data
 * already read. Its fields are read off one window's masks. Such records
 * are read one after another from row *n of the batch, with the reader's
 * counters and limits in locals: a store to the batch may alias them, so
 * through r each would be loaded and stored again a record. Stops at the
 * batch's end (REC_MORE), the part's stop (REC_END), an error (REC_FAIL)
 * or any other record, left to scan_record, which also says what is wrong
 * with it; *n is then the rows so far. Inlined twice over: with AVX2 masks
 * and without. */
__attribute__((always_inline)) static inline int short_run(CsvReader *r, uint32_t *n, bool wide)
{
    if (r->in_header || r->nslot < r->ncols)
        return REC_MORE;
    char *const buf = r->buf;
    const size_t lim = r->end < r->clean_end + 1 ? r->end : r->clean_end + 1; /* a line feed before it */
    const size_t stop = r->stop > r->base_off ? r->stop - r->base_off : 0, ascii = r->ascii_end;
    const int32_t *const slot = r->slot;
    const uint32_t ncols = r->ncols, nsel = r->nsel, max = r->batch_rows;
    const bool all = r->all_sel, dups = r->has_dups;
    const char d = r->delim;
    CsvField *const fields = r->fields;
    uint64_t *const rowno = r->rowno;
    size_t pos = r->pos;
    uint64_t records = r->records, line = r->line;
    uint32_t k = *n;
    int st = REC_MORE;
    for (; k < max; k++) {
        if (pos >= stop) {
            st = REC_END;
            break;
        }
        char *const p = buf + pos;
        uint64_t dm, qm, nm;
#ifdef CSV_AVX2
        if (wide)
            window_masks_avx2(p, d, &dm, &qm, &nm);
        else
#endif
            window_masks(p, d, &dm, &qm, &nm);
        uint32_t len = (uint32_t)__builtin_ctzll(nm | 1ull << 63); /* none: 63, too long */
        uint64_t below = (1ull << len) - 1, ends = (dm & below) | (1ull << len);
        if (*p == '\n' || *p == '\r' || !nm || (qm & below) || pos + len >= lim ||
            (uint32_t)__builtin_popcountll(ends) != ncols)
            break; /* scan_record's */
        CsvField *const out = fields + (size_t)k * nsel;
        const char *f = p;
        uint32_t c = 0;
        if (all) { /* every field selected once (the usual case): no test a field */
            for (uint64_t m = ends; m; m &= m - 1, c++) {
                const char *q = p + __builtin_ctzll(m);
                out[slot[c]] = (CsvField){f, (uint32_t)(q - f)};
                f = q + 1;
            }
        } else {
            for (uint64_t m = ends; m; m &= m - 1, c++) {
                const char *q = p + __builtin_ctzll(m);
                if (slot[c] >= 0)
                    out[slot[c]] = (CsvField){f, (uint32_t)(q - f)};
                f = q + 1;
            }
        }
        if (p[len - 1] == '\r' && slot[c - 1] >= 0 && out[slot[c - 1]].len > 0)
            out[slot[c - 1]].len--; /* CRLF: the last field ends before the CR */
        if (__builtin_expect(pos + len > ascii || dups, 0) && !short_finish(r, out, pos, line, records, p + len)) {
            st = REC_FAIL;
            break;
        }
        pos += len + 1;
        line++;
        rowno[k] = ++records;
    }
    r->pos = pos;
    r->line = line;
    r->records = records;
    *n = k;
    return st;
}

/* Any record: quotes, long lines, empty lines, errors. */
static int scan_general(CsvReader *r, Bits *bits, CsvField *out)
{
    int st = skip_empty_lines(r);
    if (st != REC_ROW)
        return st;
    char *const e = r->buf + r->end;
    const char *const clean = r->buf + r->clean_end;
    const int32_t *const slot = r->slot;
    const uint32_t nslot = r->nslot;
    const char d = r->delim;
    char *p = r->buf + r->pos;
    uint32_t c = 0, nesc = 0;
    uint64_t nl = 0;
    Bits b = *bits;   /* a local copy stays in registers */
    bits_seek(&b, p, d);
    for (;; c++) {
        FieldScan fs = {NULL, 0, NULL, false};
        if (*p != '"') {
            st = scan_plain(r, &b, p, c, &fs, clean);
        } else {
            Bits qb = b;
            st = scan_quoted(r, &qb, p, c, &fs, &nl);
            if (st == REC_ROW && fs.term != e)
                bits_seek(&qb, fs.term + 1, d);
            b = qb;
        }
        if (st != REC_ROW)
            return st;
        if (c < nslot) {
            int32_t s = slot[c];
            if (s >= 0) {
                out[s].ptr = fs.ptr;
                out[s].len = (uint32_t)fs.len;
                if (fs.esc)
                    r->esc[nesc++] = (uint32_t)s;
            }
        } else if (r->in_header) {
            return too_many_columns(r, fs.ptr);
        }
        if (fs.term == e || *fs.term != d) {
            p = fs.term == e ? e : fs.term + 1;
            break;
        }
        p = fs.term + 1;
    }
    uint32_t nf = c + 1;
    if (!r->in_header && nf != r->ncols)
        return fail(r, r->buf + r->pos, (nf < r->ncols ? nf : r->ncols),
                    "row has %u field%s, the header has %u", nf, nf == 1 ? "" : "s", r->ncols);
    if ((st = finish_fields(r, out, r->in_header ? nf : r->nsel, nesc, p)) != REC_ROW)
        return st;
    *bits = b;
    r->pos = (size_t)(p - r->buf);
    r->line += 1 + nl;
    r->records++;
    if (r->in_header)
        r->ncols = nf;
    return REC_ROW;
}

/* ---- public ---------------------------------------------------------------- */

CsvReader *csv_open(const char *path, char delimiter, CsvError *err)
{
    memset(err, 0, sizeof *err);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err->msg, sizeof err->msg, "cannot open: %s", strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(err->msg, sizeof err->msg, "cannot open: it is a directory");
        close(fd);
        return NULL;
    }
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    return reader_new(fd, NULL, 0, delimiter);
}

CsvReader *csv_open_mem(const char *data, size_t len, char delimiter)
{
    CsvReader *r = reader_new(-1, data, len, delimiter);
    if (len < r->cap) /* a small text (scheme tests, fuzzing) needs no full-size buffer */
        r->cap = len + 1;
    return r;
}

void csv_set_max_rows(CsvReader *r, uint64_t rows)
{
    r->max_rows = rows;
}

void csv_set_buffer_size(CsvReader *r, size_t bytes)
{
    assert(!r->buf);
    r->cap = bytes < 1 ? 1 : bytes > CSV_MAX_RECORD ? CSV_MAX_RECORD : bytes;
}

void csv_close(CsvReader *r)
{
    if (!r)
        return;
    if (r->fd >= 0)
        close(r->fd);
    kpi_free(r->buf);
    kpi_free(r->slot);
    kpi_free(r->sel);
    kpi_free(r->esc);
    kpi_free(r->dup_of);
    kpi_free(r->hdr_text);
    kpi_free(r->hdr);
    kpi_free(r->fields);
    kpi_free(r->rowno);
    kpi_free(r);
}

static int give_err(const CsvReader *r, CsvError *err)
{
    *err = r->err;
    return -1;
}

/* Allocates the per-selection arrays for n slots and m fields. */
static void alloc_selection(CsvReader *r, uint32_t n, uint32_t m)
{
    kpi_free(r->slot);
    kpi_free(r->sel);
    kpi_free(r->esc);
    kpi_free(r->dup_of);
    r->slot = kpi_malloc((size_t)(m ? m : 1) * sizeof *r->slot);
    r->sel = kpi_malloc((size_t)(n ? n : 1) * sizeof *r->sel);
    r->esc = kpi_malloc((size_t)(n ? n : 1) * sizeof *r->esc);
    r->dup_of = kpi_malloc((size_t)(n ? n : 1) * sizeof *r->dup_of);
    for (uint32_t c = 0; c < m; c++)
        r->slot[c] = -1;
    r->nslot = m;
    r->nsel = n;
    r->has_dups = false;
    r->all_sel = false;
}

/* Fills the buffer for the first time and strips a leading BOM. */
static bool start_file(CsvReader *r)
{
    buf_resize(r, r->cap);
    while (!r->eof && r->end < 3)
        if (!refill(r))
            return false;
    if (r->end >= 3 && memcmp(r->buf, "\xEF\xBB\xBF", 3) == 0) {
        r->pos = r->clean_end = 3;
        r->bad_found = false;
        scan_new(r);
    }
    if (r->end >= 2 && (memcmp(r->buf, "\xFF\xFE", 2) == 0 || memcmp(r->buf, "\xFE\xFF", 2) == 0))
        return fail_plain(r, 1, 1, "the file is in UTF-16; save it as UTF-8");
    while (r->pos == r->end && !r->eof)
        if (!refill(r))
            return false;
    if (r->pos == r->end)
        return fail_plain(r, 0, 0, "the file is empty");
    return true;
}

/* Reads the header record with every field selected. */
static bool read_header_record(CsvReader *r, CsvField *out)
{
    alloc_selection(r, CSV_MAX_COLUMNS, CSV_MAX_COLUMNS);
    for (uint32_t c = 0; c < CSV_MAX_COLUMNS; c++) {
        r->slot[c] = (int32_t)c;
        r->sel[c] = c;
    }
    r->in_header = true;
    Bits bits = {NULL, 0};
    for (;;) {
        int st = scan_record(r, &bits, out);
        if (st == REC_ROW)
            break;
        if (st == REC_FAIL)
            return false;
        if (st == REC_END)
            return fail_plain(r, 0, 0, "the file has only empty lines");
        if (!refill(r))
            return false;
        bits.blk = NULL;
    }
    r->in_header = false;
    return true;
}

/* Copies the header names out of the buffer, which later refills reuse. */
static void keep_header(CsvReader *r, const CsvField *out)
{
    size_t total = 0;
    for (uint32_t c = 0; c < r->ncols; c++)
        total += out[c].len;
    r->hdr_text = kpi_malloc(total ? total : 1);
    r->hdr = kpi_malloc((size_t)r->ncols * sizeof *r->hdr);
    char *w = r->hdr_text;
    for (uint32_t c = 0; c < r->ncols; c++) {
        memcpy(w, out[c].ptr, out[c].len);
        r->hdr[c] = (CsvField){w, out[c].len};
        w += out[c].len;
    }
}

/* 'name', cut at a character boundary to fit size bytes. */
static void quote_name(char *out, size_t size, const CsvField *f)
{
    size_t n = f->len, room = size - 6;
    if (n > room) {
        n = room;
        while (n > 0 && ((unsigned char)f->ptr[n] & 0xC0) == 0x80)
            n--;
    }
    snprintf(out, size, "'%.*s%s'", (int)n, f->ptr, n < f->len ? "..." : "");
}

/* Column names: no lone CR (a CR-only file), no duplicates. Empty names
 * are left alone: trailing delimiters make them and nothing can name them. */
static bool check_names(CsvReader *r)
{
    for (uint32_t c = 0; c < r->ncols; c++) {
        const CsvField *f = &r->hdr[c];
        const char *cr = memchr(f->ptr, '\r', f->len);
        if (cr && (cr + 1 == f->ptr + f->len || cr[1] != '\n'))
            return fail_plain(r, 1, c + 1,
                              "column name contains a carriage return (are lines ended by CR "
                              "alone, as old Mac Excel writes them? save the file with LF or "
                              "CRLF line ends)");
        for (uint32_t k = 0; k < c && f->len > 0; k++) {
            const CsvField *g = &r->hdr[k];
            if (g->len == f->len && memcmp(g->ptr, f->ptr, f->len) == 0) {
                char name[80];
                quote_name(name, sizeof name, f);
                return fail_plain(r, 1, c + 1, "header has duplicate column %s (also column %u)",
                                  name, k + 1);
            }
        }
    }
    return true;
}

bool csv_header(CsvReader *r, const CsvField **names, uint32_t *ncols, CsvError *err)
{
    if (!r->have_header && !r->failed) {
        CsvField *out = kpi_malloc(CSV_MAX_COLUMNS * sizeof *out);
        bool ok = start_file(r) && read_header_record(r, out);
        if (ok) {
            keep_header(r, out);
            ok = check_names(r);
        }
        kpi_free(out);
        if (ok) {
            r->have_header = true;
            alloc_selection(r, 0, r->ncols);
        }
    }
    if (r->failed) {
        give_err(r, err);
        return false;
    }
    *names = r->hdr;
    *ncols = r->ncols;
    return true;
}

void csv_select(CsvReader *r, const uint32_t *cols, uint32_t n)
{
    assert(r->have_header && !r->started);
    alloc_selection(r, n, r->ncols);
    for (uint32_t j = 0; j < n; j++) {
        assert(cols[j] < r->ncols);
        r->sel[j] = cols[j];
        r->dup_of[j] = r->slot[cols[j]];
        if (r->dup_of[j] >= 0)
            r->has_dups = true;
        else
            r->slot[cols[j]] = (int32_t)j;
    }
    r->all_sel = n == r->ncols && !r->has_dups;
}

/* Fills the batch's fields from row 0: its row count, or -1 for an error
 * before any row. Inlined twice over (with and without AVX2), so the
 * short path's choice is made once a batch, not once a record. */
__attribute__((always_inline)) static inline int fill_batch(CsvReader *r, bool wide)
{
    uint32_t n = 0;
    Bits bits = {NULL, 0};
    while (n < r->batch_rows) {
        int st = short_run(r, &n, wide);
        if (st == REC_FAIL)
            return n > 0 ? (int)n : -1;
        if (st == REC_END || n == r->batch_rows)
            break;
        st = scan_record(r, &bits, r->fields + (size_t)n * r->nsel);
        if (st == REC_ROW) {
            r->rowno[n++] = r->records;
            continue;
        }
        if (st == REC_END)
            break;
        /* The rows before an error are delivered; the error comes next. */
        if (st == REC_FAIL)
            return n > 0 ? (int)n : -1;
        /* Refilling moves the buffer; end the batch first if it has rows. */
        if (n > 0)
            break;
        if (!refill(r))
            return -1;
        bits.blk = NULL;   /* the data moved */
    }
    return (int)n;
}

static int fill_batch_narrow(CsvReader *r)
{
    return fill_batch(r, false);
}

#ifdef CSV_AVX2
__attribute__((target("avx2"))) static int fill_batch_wide(CsvReader *r)
{
    return fill_batch(r, true);
}
#endif

int csv_next_batch(CsvReader *r, CsvBatch *b, CsvError *err)
{
    if (r->failed)
        return give_err(r, err);
    assert(r->have_header);
    if (!r->started) {
        r->started = true;
        /* Fewer rows when many columns are selected keep a batch's
         * fields within CSV_BATCH_FIELDS (4 MiB). */
        uint32_t w = r->nsel ? r->nsel : 1;
        r->batch_rows = CSV_BATCH_FIELDS / w < CSV_BATCH_ROWS ? CSV_BATCH_FIELDS / w : CSV_BATCH_ROWS;
        r->batch_rows = r->batch_rows ? r->batch_rows : 1;
        r->fields = kpi_malloc((size_t)r->batch_rows * w * sizeof *r->fields);
        r->rowno = kpi_malloc(r->batch_rows * sizeof *r->rowno);
    }
#ifdef CSV_AVX2
    int filled = r->wide ? fill_batch_wide(r) : fill_batch_narrow(r);
#else
    int filled = fill_batch_narrow(r);
#endif
    if (filled < 0)
        return give_err(r, err);
    uint32_t n = (uint32_t)filled;
    uint64_t last = r->max_rows + r->head_records; /* checked once a batch; the rows past it are dropped */
    if (r->records > last) {
        uint64_t over = r->records - last;
        n = over < n ? n - (uint32_t)over : 0;
        fail_plain(r, last + 1, 0, "the file has more than %llu rows", (unsigned long long)r->max_rows);
        if (n == 0)
            return give_err(r, err);
    }
    b->nrows = n;
    b->ncols = r->nsel;
    b->fields = r->fields;
    b->rowno = r->rowno;
    return (int)n;
}

uint64_t csv_records(const CsvReader *r)
{
    return r->records;
}

uint64_t csv_lines(const CsvReader *r)
{
    return r->line - 1;
}

void csv_set_stop(CsvReader *r, uint64_t stop)
{
    r->stop = stop;
}

uint64_t csv_stop_offset(const CsvReader *r)
{
    return r->base_off + r->pos;
}

CsvReader *csv_open_part(const CsvReader *hdr, const char *path, uint64_t start, uint64_t stop, CsvError *err)
{
    CsvReader *r = csv_open(path, hdr->delim, err);
    if (!r)
        return NULL;
    if (lseek(r->fd, (off_t)start, SEEK_SET) < 0) {
        snprintf(err->msg, sizeof err->msg, "cannot read: %s", strerror(errno));
        csv_close(r);
        return NULL;
    }
    r->base_off = start;
    r->stop = stop;
    r->head_records = 0;
    r->cap = hdr->cap;
    buf_resize(r, r->cap);
    r->buf[0] = '\n';
    r->ncols = hdr->ncols;
    r->have_header = true;
    alloc_selection(r, hdr->nsel, hdr->ncols);
    memcpy(r->slot, hdr->slot, sizeof *r->slot * hdr->ncols);
    memcpy(r->sel, hdr->sel, sizeof *r->sel * hdr->nsel);
    memcpy(r->dup_of, hdr->dup_of, sizeof *r->dup_of * hdr->nsel);
    r->has_dups = hdr->has_dups;
    r->all_sel = hdr->all_sel;
    return r;
}

bool csv_line_start(const char *path, uint64_t off, uint64_t *start)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    char buf[65536];
    uint64_t at = off ? off - 1 : 0;
    bool found = false;
    for (;;) {
        ssize_t n = pread(fd, buf, sizeof buf, (off_t)at);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        const char *nl = memchr(buf, '\n', (size_t)n);
        if (nl) {
            *start = at + (uint64_t)(nl - buf) + 1;
            found = true;
            break;
        }
        at += (uint64_t)n;
    }
    close(fd);
    return found;
}
