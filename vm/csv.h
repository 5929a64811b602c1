/* csv.h - a streaming CSV reader that hands out batches of selected fields.
 *
 * The reader owns one large buffer filled by big read()s; it splits records
 * (RFC 4180 quoting, "" escapes, CRLF or LF, quoted newlines), and for each
 * record records only the fields the caller selected, as slices into its
 * buffer. Slices stay valid until the next csv_next_batch call. No per-field
 * allocation; rows are never held beyond one batch.
 *
 * Structural checks, each reported with the record number (1-based, the
 * header is record 1) and field number (1-based):
 *   a record with more or fewer fields than the header ("ragged row"),
 *   an unterminated quoted field, text after a closing quote, a NUL byte,
 *   a byte-order mark anywhere but at the very start of the file,
 *   a field longer than CSV_MAX_FIELD or a record longer than CSV_MAX_RECORD,
 *   more than CSV_MAX_COLUMNS columns, more than CSV_MAX_ROWS data rows,
 *   invalid UTF-8 in a selected field.
 * Empty lines are skipped (they are not records). A UTF-8 BOM at the start of
 * the file is skipped. */
#ifndef KPI_CSV_H
#define KPI_CSV_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/limits.h"

#define CSV_BATCH_ROWS  4096u

typedef struct CsvField {
    const char *ptr;     /* not NUL-terminated; quotes removed, "" unescaped */
    uint32_t    len;
} CsvField;

typedef struct CsvError {
    uint64_t row;        /* 1-based record number, 0 when not about a record */
    uint32_t col;        /* 1-based field number, 0 when not about a field */
    uint64_t line;       /* 1-based line of the error, 0 when not about a record */
    char     msg[200];   /* without the line: see csv_error_text */
} CsvError;

/* The message, with " (line N)" when the line is not the record's number.
 * row_base and line_base: records and lines before the reader's part of
 * the file (0 for a whole file). */
void csv_error_text(const CsvError *e, uint64_t row_base, uint64_t line_base, char *out, size_t size);

typedef struct CsvBatch {
    uint32_t  nrows;           /* rows in this batch */
    uint32_t  ncols;           /* selected columns */
    CsvField *fields;          /* nrows * ncols, row-major: fields[r*ncols + j] */
    uint64_t *rowno;           /* nrows record numbers, for messages */
} CsvBatch;

typedef struct CsvReader CsvReader;

/* Opens a file; NULL and err filled when it cannot be opened. */
CsvReader *csv_open(const char *path, char delimiter, CsvError *err);
/* Reads from memory (not copied; must outlive the reader). */
CsvReader *csv_open_mem(const char *data, size_t len, char delimiter);
void       csv_close(CsvReader *r);
/* Sets the initial buffer size (default 128 KiB; it still grows as a record
 * needs, up to CSV_MAX_RECORD). For tests that make records straddle
 * refills; call before csv_header. */
void       csv_set_buffer_size(CsvReader *r, size_t bytes);
/* Sets the data rows allowed (default CSV_MAX_ROWS; past them, an error at
 * the first row too many). For tests of that limit at a small size. */
void       csv_set_max_rows(CsvReader *r, uint64_t rows);

/* Reads the header record. *names gets ncols slices valid until csv_close.
 * Returns false with err set on a structural error or an empty file. */
bool csv_header(CsvReader *r, const CsvField **names, uint32_t *ncols, CsvError *err);

/* Chooses which columns (0-based header positions, any order) each batch
 * delivers, in that order. Must be called after csv_header and before the
 * first batch. */
void csv_select(CsvReader *r, const uint32_t *cols, uint32_t n);

/* Fills b with up to CSV_BATCH_ROWS records. Returns the row count, 0 at the
 * end of the file, -1 on an error (err set). Rows read before an error are
 * returned first; the error then comes from every later call. The batch's
 * arrays belong to the reader. */
int csv_next_batch(CsvReader *r, CsvBatch *b, CsvError *err);

/* Records read so far, header included. */
uint64_t csv_records(const CsvReader *r);
/* Lines those records took (more than records when fields hold line breaks
 * or there are empty lines). */
uint64_t csv_lines(const CsvReader *r);

/* ---- a file split among threads ----
 * A reader delivers only the records that start before its stop offset.
 * csv_open_part reads, from a file, the records that start in [start,
 * stop): start must be the start of a line; the header and the selection
 * are those of hdr. Its records and lines are counted from 0 within the
 * part. csv_line_start finds where a part may start: the byte after the
 * first line break at or after off - 1 (not knowing about quotes: the
 * caller checks with csv_stop_offset that the previous part ended there). */
void       csv_set_stop(CsvReader *r, uint64_t stop);
CsvReader *csv_open_part(const CsvReader *hdr, const char *path, uint64_t start, uint64_t stop, CsvError *err);
/* The file offset of the first record not delivered: where the next part
 * must start. Only meaningful once the reader returned 0. */
uint64_t   csv_stop_offset(const CsvReader *r);
bool       csv_line_start(const char *path, uint64_t off, uint64_t *start);

#endif
