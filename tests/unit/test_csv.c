/* test_csv.c - the streaming CSV reader: splitting, quoting, selection,
 * batches across refills, and every structural error with its place. */
#include "tests/unit/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/alloc.h"
#include "vm/csv.h"

/* ---- a little text builder ---------------------------------------------- */

typedef struct Text {
    char  *s;
    size_t len, cap;
} Text;

static void text_add(Text *t, const void *p, size_t n)
{
    t->s = kpi_grow(t->s, &t->cap, t->len + n + 1, 1);
    memcpy(t->s + t->len, p, n);
    t->len += n;
    t->s[t->len] = '\0';
}

static void text_adds(Text *t, const char *s)
{
    text_add(t, s, strlen(s));
}

static void text_printf(Text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void text_printf(Text *t, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    assert_true(n >= 0 && (size_t)n < sizeof tmp);
    text_add(t, tmp, (size_t)n);
}

static void text_repeat(Text *t, char c, size_t n)
{
    t->s = kpi_grow(t->s, &t->cap, t->len + n + 1, 1);
    memset(t->s + t->len, c, n);
    t->len += n;
    t->s[t->len] = '\0';
}

/* ---- running the reader ------------------------------------------------- */

static void dump_error(Text *out, const CsvError *e)
{
    char msg[300];
    csv_error_text(e, 0, 0, msg, sizeof msg);
    text_printf(out, "E%llu:%u:%s", (unsigned long long)e->row, e->col, msg);
}

/* Reads a whole input and renders it: "[name|name]\n" for the header, then
 * "rowno:f1|f2\n" per record, or "E<row>:<col>:<msg>" where it fails. sel
 * NULL selects every column in header order. bufsize 0 keeps the default. */
static char *run_reader(CsvReader *r, size_t bufsize, const uint32_t *sel, uint32_t nsel)
{
    Text out = {0};
    CsvError err;
    const CsvField *names;
    uint32_t ncols;
    if (bufsize)
        csv_set_buffer_size(r, bufsize);
    if (!csv_header(r, &names, &ncols, &err)) {
        dump_error(&out, &err);
        csv_close(r);
        return out.s;
    }
    text_adds(&out, "[");
    for (uint32_t c = 0; c < ncols; c++) {
        text_add(&out, names[c].ptr, names[c].len);
        text_adds(&out, c + 1 < ncols ? "|" : "]\n");
    }
    uint32_t all[64];
    if (!sel) {
        assert_true(ncols <= 64);
        for (uint32_t c = 0; c < ncols; c++)
            all[c] = c;
        sel = all;
        nsel = ncols;
    }
    csv_select(r, sel, nsel);
    CsvBatch b;
    int n;
    while ((n = csv_next_batch(r, &b, &err)) > 0) {
        assert_int_equal(b.nrows, n);
        assert_int_equal(b.ncols, nsel);
        for (int i = 0; i < n; i++) {
            text_printf(&out, "%llu:", (unsigned long long)b.rowno[i]);
            for (uint32_t j = 0; j < nsel; j++) {
                const CsvField *f = &b.fields[(size_t)i * nsel + j];
                text_add(&out, f->ptr, f->len);
                if (j + 1 < nsel)
                    text_adds(&out, "|");
            }
            text_adds(&out, "\n");
        }
    }
    if (n < 0)
        dump_error(&out, &err);
    else
        assert_int_equal(csv_next_batch(r, &b, &err), 0);   /* the end stays the end */
    csv_close(r);
    if (!out.s)
        out.s = kpi_strdup("");
    return out.s;
}

static char *run_mem(const char *data, size_t len, char delim, size_t bufsize)
{
    return run_reader(csv_open_mem(data, len, delim), bufsize, NULL, 0);
}

/* Checks one input at the default buffer size and at tiny ones, so every
 * record boundary also falls at a refill. */
static void check_len(const char *data, size_t len, char delim, const char *want)
{
    static const size_t sizes[] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 31, 64};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        char *got = run_mem(data, len, delim, sizes[i]);
        if (strcmp(got, want) != 0)
            print_error("buffer size %zu\n", sizes[i]);
        assert_string_equal(got, want);
        kpi_free(got);
    }
}

static void check(const char *data, char delim, const char *want)
{
    check_len(data, strlen(data), delim, want);
}

/* ---- splitting and quoting ---------------------------------------------- */

static void test_semicolon(void **state)
{
    (void)state;
    check("id;name;amount\n1;Иванов;100\n2;Петров;200,50\n", ';',
          "[id|name|amount]\n2:1|Иванов|100\n3:2|Петров|200,50\n");
}

static void test_comma(void **state)
{
    (void)state;
    check("a,b,c\n1,,3\n,,\n", ',', "[a|b|c]\n2:1||3\n3:||\n");
    check("a\tb\n1\t2\n", '\t', "[a|b]\n2:1|2\n");
}

static void test_quoted(void **state)
{
    (void)state;
    check("a,b\n\"x,y\",\"he said \"\"hi\"\"\"\n\"multi\nline\",z\n\"\",\"\"\"\"\n", ',',
          "[a|b]\n2:x,y|he said \"hi\"\n3:multi\nline|z\n4:|\"\n");
    /* A quote inside an unquoted field is an ordinary byte (1C writes
     * company names so). */
    check("a;b\nООО \"Ромашка\";1\n", ';', "[a|b]\n2:ООО \"Ромашка\"|1\n");
    /* Quoted header names, quoted CRLF kept inside the field. */
    check("\"a;1\";\"b\"\r\n\"x\r\ny\";\"\"\"\"\"\"\r\n", ';',
          "[a;1|b]\n2:x\r\ny|\"\"\n");
}

static void test_line_ends(void **state)
{
    (void)state;
    check("a;b\r\n1;2\r\n3;\r\n", ';', "[a|b]\n2:1|2\n3:3|\n");
    /* The last record needs no line end. */
    check("a;b\n1;2", ';', "[a|b]\n2:1|2\n");
    check("a;b\n1;\"2\"", ';', "[a|b]\n2:1|2\n");
    check("a;b\n1;\"2\"\r\n", ';', "[a|b]\n2:1|2\n");
    /* A CR not followed by LF is data. */
    check("a;b\n1\r2;3\n", ';', "[a|b]\n2:1\r2|3\n");
    /* ... except a CRLF cut short by the end of the file. */
    check("a;b\r\n1;2\r", ';', "[a|b]\n2:1|2\n");
    check("a;b\r\n1;\"2\"\r", ';', "[a|b]\n2:1|2\n");
}

/* Records of every length around the 64-byte window in which a plain
 * record is split at once, with LF and CRLF, quotes and empty fields: the
 * fields are the same whichever way the record was read. */
static void test_record_lengths(void **state)
{
    (void)state;
    for (size_t n = 0; n <= 140; n++)
        for (int crlf = 0; crlf < 2; crlf++)
            for (int quoted = 0; quoted < 2; quoted++) {
                Text in = {0}, want = {0};
                const char *nl = crlf ? "\r\n" : "\n";
                text_printf(&in, "a;b;c%s", nl);
                text_adds(&want, "[a|b|c]\n");
                for (unsigned row = 2; row <= 4; row++) {
                    text_adds(&in, quoted && row == 3 ? "\"" : "");
                    text_repeat(&in, (char)('a' + row), n);
                    text_printf(&in, "%s;%u;%s", quoted && row == 3 ? "\"" : "", row, row == 4 ? "" : "z");
                    text_adds(&in, nl);
                    text_printf(&want, "%u:", row);
                    text_repeat(&want, (char)('a' + row), n);
                    text_printf(&want, "|%u|%s\n", row, row == 4 ? "" : "z");
                }
                check_len(in.s, in.len, ';', want.s);
                kpi_free(in.s);
                kpi_free(want.s);
            }
}

static void test_empty_lines(void **state)
{
    (void)state;
    check("\n\r\na;b\n\n1;2\r\n\r\n\n3;4\n\n", ';', "[a|b]\n2:1|2\n3:3|4\n");
    /* A single column: an empty line is still no record. */
    check("a\n\nx\n\"\"\n", ';', "[a]\n2:x\n3:\n");
}

static void test_bom(void **state)
{
    (void)state;
    check("\xEF\xBB\xBF" "a;b\n1;2\n", ';', "[a|b]\n2:1|2\n");
    check("\xEF\xBB\xBF" "\"a\";b\n1;2\n", ';', "[a|b]\n2:1|2\n");
    /* Not a BOM: a real character starting with EF, or EF BB cut off by the
     * end of the file (which is then bad UTF-8). */
    check("a;b\n1;\xEF\xBC\x8C\n", ';', "[a|b]\n2:1|\xEF\xBC\x8C\n");
    check("a;b\n1;\xEF\xBB", ';',
          "[a|b]\nE2:2:invalid UTF-8 (is the file in cp1251? save it as UTF-8)");
}

static void test_header_only(void **state)
{
    (void)state;
    check("a;b\n", ';', "[a|b]\n");
    check("a;b", ';', "[a|b]\n");
    check("a;b\r\n\r\n", ';', "[a|b]\n");
    CsvReader *r = csv_open_mem("a;b\n", 4, ';');
    const CsvField *names;
    uint32_t ncols;
    CsvError err;
    assert_true(csv_header(r, &names, &ncols, &err));
    assert_int_equal(csv_records(r), 1);
    CsvBatch b;
    assert_int_equal(csv_next_batch(r, &b, &err), 0);   /* without csv_select: no columns */
    assert_int_equal(b.nrows, 0);
    assert_int_equal(b.ncols, 0);
    assert_int_equal(csv_records(r), 1);
    csv_close(r);
}

static void test_selection(void **state)
{
    (void)state;
    const char *data = "id;region;amount;note\n1;Москва;100;x\n2;Казань;250;y\n";
    const uint32_t sel[] = {2, 0};
    char *got = run_reader(csv_open_mem(data, strlen(data), ';'), 0, sel, 2);
    assert_string_equal(got, "[id|region|amount|note]\n2:100|1\n3:250|2\n");
    kpi_free(got);

    /* The same column twice, and nothing selected at all. */
    const uint32_t twice[] = {1, 3, 1};
    got = run_reader(csv_open_mem(data, strlen(data), ';'), 3, twice, 3);
    assert_string_equal(got, "[id|region|amount|note]\n2:Москва|x|Москва\n3:Казань|y|Казань\n");
    kpi_free(got);
    got = run_reader(csv_open_mem(data, strlen(data), ';'), 0, twice, 0);
    assert_string_equal(got, "[id|region|amount|note]\n2:\n3:\n");
    kpi_free(got);

    /* Escapes are undone only in selected fields; others are only skipped. */
    const char *q = "a;b;c\n\"x\"\"1\";\"y\"\"2\";\"z\"\"3\"\n";
    const uint32_t last[] = {2};
    got = run_reader(csv_open_mem(q, strlen(q), ';'), 0, last, 1);
    assert_string_equal(got, "[a|b|c]\n2:z\"3\n");
    kpi_free(got);
}

/* Invalid UTF-8 in a column nobody reads is not an error. */
static void test_unselected_not_validated(void **state)
{
    (void)state;
    const char *data = "a;b\n1;\xC0\xC1\n";
    const uint32_t sel[] = {0};
    char *got = run_reader(csv_open_mem(data, strlen(data), ';'), 0, sel, 1);
    assert_string_equal(got, "[a|b]\n2:1\n");
    kpi_free(got);
}

/* A column selected twice gets the same field in both places, and with
 * another left out each selected field still lands in its slot (CRLF, and
 * a text past ASCII, which is checked). */
static void test_repeated_selection(void **state)
{
    (void)state;
    const char *data = "a;b;c\r\n1;Жук;z\r\n2;x;\r\n";
    const uint32_t sel[] = {1, 0, 1};
    char *got = run_reader(csv_open_mem(data, strlen(data), ';'), 0, sel, 3);
    assert_string_equal(got, "[a|b|c]\n2:Жук|1|Жук\n3:x|2|x\n");
    kpi_free(got);
    const char *bad = "a;b;c\n1;x;z\n2;\xC0;\n";
    got = run_reader(csv_open_mem(bad, strlen(bad), ';'), 0, sel, 3);
    assert_string_equal(got, "[a|b|c]\n2:x|1|x\nE3:2:invalid UTF-8 (is the file in cp1251? save it as UTF-8)");
    kpi_free(got);
}

/* ---- errors -------------------------------------------------------------- */

static void test_error_empty(void **state)
{
    (void)state;
    check("", ';', "E0:0:the file is empty");
    check("\xEF\xBB\xBF", ';', "E0:0:the file is empty");
    check("\n\r\n\n", ';', "E0:0:the file has only empty lines");
}

static void test_error_ragged(void **state)
{
    (void)state;
    check("a;b;c\n1;2;3\n1;2\n", ';', "[a|b|c]\n2:1|2|3\nE3:3:row has 2 fields, the header has 3");
    check("a;b\n1;2;3;4\n", ';', "[a|b]\nE2:3:row has 4 fields, the header has 2");
    check("a,b\n1;2\n", ',', "[a|b]\nE2:2:row has 1 field, the header has 2");
    /* Records are counted, not lines; the line is named when it differs. */
    check("a;b\n\"x\ny\";1\n\n1;2;3\n", ';',
          "[a|b]\n2:x\ny|1\nE3:3:row has 3 fields, the header has 2 (line 5)");
}

static void test_error_quotes(void **state)
{
    (void)state;
    check("a;b\n1;\"abc\n2;3\n", ';',
          "[a|b]\nE2:2:unterminated quoted field (the quote opens in field 2)");
    check("a;b\n1;2\n\n\"abc;3", ';',
          "[a|b]\n2:1|2\nE3:1:unterminated quoted field (the quote opens in field 1) (line 4)");
    check("a;b\n1;\"x\"y\n", ';', "[a|b]\nE2:2:unexpected text after a closing quote");
    check("a;b\n\"x\" ;1\n", ';', "[a|b]\nE2:1:unexpected text after a closing quote");
    check("a;b\n\"x\"\r2;1\n", ';', "[a|b]\nE2:1:unexpected text after a closing quote");
    /* The error's line is the one it sits on inside a multi-line record. */
    check("a;b\n\"1\n2\n3\"x;1\n", ';', "[a|b]\nE2:1:unexpected text after a closing quote (line 4)");
    check("\"a\"b;c\n", ';', "E1:1:unexpected text after a closing quote");
}

static void test_error_nul(void **state)
{
    (void)state;
    static const char data[] = "a;b\n1;2\0003\n";
    check_len(data, sizeof data - 1, ';',
              "[a|b]\nE2:2:NUL byte in the data (is this a UTF-16 or binary file?)");
    /* Also in a column not selected, and inside quotes. */
    static const char quoted[] = "a;b\n1;2\n\"x\0\";1\n";
    const uint32_t sel[] = {1};
    char *got = run_reader(csv_open_mem(quoted, sizeof quoted - 1, ';'), 0, sel, 1);
    assert_string_equal(got, "[a|b]\n2:2\nE3:1:NUL byte in the data (is this a UTF-16 or binary file?)");
    kpi_free(got);
    /* UTF-16 with and without its byte-order mark. */
    static const char u16[] = "a\0;\0b\0\n\0";
    check_len(u16, sizeof u16 - 1, ';', "E1:1:NUL byte in the data (is this a UTF-16 or binary file?)");
    static const char u16bom[] = "\xFF\xFE" "a\0;\0b\0\n\0";
    check_len(u16bom, sizeof u16bom - 1, ';', "E1:1:the file is in UTF-16; save it as UTF-8");
    /* A NUL in the last field of a file without a final newline. */
    static const char last[] = "a;b\n1;2\0";
    check_len(last, sizeof last - 1, ';',
              "[a|b]\nE2:2:NUL byte in the data (is this a UTF-16 or binary file?)");
}

static void test_error_bom_inside(void **state)
{
    (void)state;
    check("a;b\n1;\xEF\xBB\xBF" "2\n", ';', "[a|b]\nE2:2:byte-order mark in the middle of the file");
    /* Two files joined with cat. */
    check("a;b\n1;2\n\xEF\xBB\xBF" "a;b\n", ';',
          "[a|b]\n2:1|2\nE3:1:byte-order mark in the middle of the file");
    check("\xEF\xBB\xBF\xEF\xBB\xBF" "a;b\n", ';', "E1:1:byte-order mark in the middle of the file");
    /* Past the first 16-byte steps of the check of new data, after ASCII and
     * after a letter past ASCII. */
    check("a;b\n1234567890123456789012345678901234567890;x\n2;\xEF\xBB\xBF" "y\n", ';',
          "[a|b]\n2:1234567890123456789012345678901234567890|x\nE3:2:byte-order mark in the middle of the file");
    check("a;b\n12345678901234567890123456789012345678;Ж\n2;1234567890123456789012345678901234567\xEF\xBB\xBF\n", ';',
          "[a|b]\n2:12345678901234567890123456789012345678|Ж\nE3:2:byte-order mark in the middle of the file");
    static const char nul[] = "a;b\n1234567890123456789012345678901234567890;Ж\n2;12345678901234567890123\0\n";
    check_len(nul, sizeof nul - 1, ';',
              "[a|b]\n2:1234567890123456789012345678901234567890|Ж\nE3:2:NUL byte in the data (is this a UTF-16 or binary file?)");
}

static void test_error_utf8(void **state)
{
    (void)state;
    /* "Сумма" in cp1251 */
    check("a;b\n1;\xD1\xF3\xEC\xEC\xE0\n", ';',
          "[a|b]\nE2:2:invalid UTF-8 (is the file in cp1251? save it as UTF-8)");
    check("id;\xD1\xF3\xEC\xEC\xE0\n", ';',
          "E1:2:invalid UTF-8 (is the file in cp1251? save it as UTF-8)");
    /* Short records read in a run (every field selected), CRLF: the rows
     * before the bad one delivered, the error at its own row. */
    check("a;b\r\n1;x\r\n2;Жук\r\n3;\xD1\xF3\r\n4;y\r\n", ';',
          "[a|b]\n2:1|x\n3:2|Жук\nE4:2:invalid UTF-8 (is the file in cp1251? save it as UTF-8)");
    /* A character cut in half, and an overlong encoding. */
    check("a;b\n\xD0;1\n", ';', "[a|b]\nE2:1:invalid UTF-8 (is the file in cp1251? save it as UTF-8)");
    check("a;b\n1;\"\xC0\xAF\"\n", ';',
          "[a|b]\nE2:2:invalid UTF-8 (is the file in cp1251? save it as UTF-8)");
}

static void test_error_header(void **state)
{
    (void)state;
    check("a;b;a\n1;2;3\n", ';', "E1:3:header has duplicate column 'a' (also column 1)");
    check("сумма;б;сумма\n", ';', "E1:3:header has duplicate column 'сумма' (also column 1)");
    /* Trailing delimiters make empty names; they are not duplicates. */
    check("a;;b;\n1;;2;\n", ';', "[a||b|]\n2:1||2|\n");
    /* Lines ended by CR alone (old Mac Excel). */
    check("a;b\r1;2\r3;4\r", ';',
          "E1:2:column name contains a carriage return (are lines ended by CR alone, as old "
          "Mac Excel writes them? save the file with LF or CRLF line ends)");
}

static void test_error_too_many_columns(void **state)
{
    (void)state;
    Text t = {0};
    for (unsigned c = 0; c <= CSV_MAX_COLUMNS; c++)
        text_printf(&t, "%sc%u", c ? ";" : "", c);
    text_adds(&t, "\n");
    char *got = run_mem(t.s, t.len, ';', 0);
    assert_string_equal(got, "E1:4097:header has more than 4096 columns");
    kpi_free(got);

    /* Exactly the limit is fine. */
    t.len = 0;
    for (unsigned c = 0; c < CSV_MAX_COLUMNS; c++)
        text_printf(&t, "%sc%u", c ? ";" : "", c);
    text_adds(&t, "\n");
    CsvReader *r = csv_open_mem(t.s, t.len, ';');
    const CsvField *names;
    uint32_t ncols;
    CsvError err;
    assert_true(csv_header(r, &names, &ncols, &err));
    assert_int_equal(ncols, CSV_MAX_COLUMNS);
    assert_int_equal(names[4095].len, 5);
    assert_memory_equal(names[4095].ptr, "c4095", 5);
    csv_close(r);
    kpi_free(t.s);
}

static void test_error_long_field(void **state)
{
    (void)state;
    const size_t big = 2u << 20;
    static const size_t sizes[] = {0, 1000, 1u << 20};
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        Text t = {0};
        text_adds(&t, "a;b;c\n1;2;3\n4;");
        text_repeat(&t, 'x', big);
        text_adds(&t, ";6\n");
        char *got = run_mem(t.s, t.len, ';', sizes[i]);
        assert_string_equal(got, "[a|b|c]\n2:1|2|3\nE3:2:field is longer than 1048576 bytes");
        kpi_free(got);

        /* Quoted, at the end of the file. */
        t.len = 0;
        text_adds(&t, "a;b\n1;\"");
        text_repeat(&t, 'y', big);
        text_adds(&t, "\"");
        got = run_mem(t.s, t.len, ';', sizes[i]);
        assert_string_equal(got, "[a|b]\nE2:2:field is longer than 1048576 bytes");
        kpi_free(got);

        /* Quoted with a line break inside: perhaps an unclosed quote. */
        t.len = 0;
        text_adds(&t, "a;b\n1;\"x\n");
        text_repeat(&t, 'y', big);
        text_adds(&t, "\"\n");
        got = run_mem(t.s, t.len, ';', sizes[i]);
        assert_string_equal(got, "[a|b]\nE2:2:field is longer than 1048576 bytes (is a quote left unclosed?)");
        kpi_free(got);

        /* Exactly the limit is fine. */
        t.len = 0;
        text_adds(&t, "a\n");
        text_repeat(&t, 'z', CSV_MAX_FIELD);
        text_adds(&t, "\n1\n");
        CsvReader *r = csv_open_mem(t.s, t.len, ';');
        if (sizes[i])
            csv_set_buffer_size(r, sizes[i]);
        const CsvField *names;
        uint32_t ncols;
        CsvError err;
        assert_true(csv_header(r, &names, &ncols, &err));
        const uint32_t sel[] = {0};
        csv_select(r, sel, 1);
        CsvBatch b;
        int n;
        uint64_t seen = 0;
        while ((n = csv_next_batch(r, &b, &err)) > 0) {
            for (int k = 0; k < n; k++, seen++) {
                assert_int_equal(b.rowno[k], seen + 2);
                assert_int_equal(b.fields[k].len, seen == 0 ? CSV_MAX_FIELD : 1);
                assert_int_equal(b.fields[k].ptr[0], seen == 0 ? 'z' : '1');
            }
        }
        assert_int_equal(n, 0);
        assert_int_equal(seen, 2);
        csv_close(r);
        kpi_free(t.s);
    }
}

static void test_error_long_record(void **state)
{
    (void)state;
    Text t = {0};
    const unsigned nf = 20;
    for (unsigned c = 0; c < nf; c++)
        text_printf(&t, "%sc%u", c ? ";" : "", c);
    text_adds(&t, "\n");
    for (unsigned c = 0; c < nf; c++) {
        if (c)
            text_adds(&t, ";");
        text_repeat(&t, 'v', 900u << 10);
    }
    text_adds(&t, "\n");
    char *got = run_mem(t.s, t.len, ';', 0);
    /* 900 KiB + 1 per field: the 19th field crosses 16 MiB. */
    assert_string_equal(got, "[c0|c1|c2|c3|c4|c5|c6|c7|c8|c9|c10|c11|c12|c13|c14|c15|c16|c17|c18|c19]\n"
                             "E2:19:record is longer than 16777216 bytes");
    kpi_free(got);
    kpi_free(t.s);

    /* A quote left open swallows the file; the message says what to check. */
    Text u = {0};
    text_adds(&u, "a;b\n1;\"oops\n");
    for (unsigned i = 0; i < 40000; i++) {
        text_repeat(&u, 'w', 500);
        text_adds(&u, ";1\n");
    }
    got = run_mem(u.s, u.len, ';', 0);
    assert_string_equal(got, "[a|b]\nE2:2:field is longer than 1048576 bytes (is a quote left unclosed?)");
    kpi_free(got);
    kpi_free(u.s);
}

static void test_error_sticky(void **state)
{
    (void)state;
    const char *data = "a;b\n1\n2;3\n";
    CsvReader *r = csv_open_mem(data, strlen(data), ';');
    const CsvField *names;
    uint32_t ncols;
    CsvError err;
    assert_true(csv_header(r, &names, &ncols, &err));
    assert_true(csv_header(r, &names, &ncols, &err));   /* asking again is harmless */
    assert_int_equal(ncols, 2);
    CsvBatch b;
    assert_int_equal(csv_next_batch(r, &b, &err), -1);
    assert_int_equal(err.row, 2);
    memset(&err, 0, sizeof err);
    assert_int_equal(csv_next_batch(r, &b, &err), -1);
    assert_int_equal(err.row, 2);
    assert_int_equal(err.col, 2);
    assert_string_equal(err.msg, "row has 1 field, the header has 2");
    assert_int_equal(csv_records(r), 1);
    csv_close(r);
}

/* ---- volume ------------------------------------------------------------- */

/* Rows with plain, quoted, escaped and multi-line notes and CRLF ends. */
static Text make_sales(unsigned rows, uint64_t *sum)
{
    Text t = {0};
    text_adds(&t, "\xEF\xBB\xBF" "id;manager;amount;note\r\n");
    *sum = 0;
    for (unsigned i = 1; i <= rows; i++) {
        unsigned amount = (i * 7919u) % 100000u;
        *sum += amount;
        text_printf(&t, "%u;Менеджер %u;%u;", i, i % 17, amount);
        switch (i % 5) {
        case 0:
            text_adds(&t, "plain");
            break;
        case 1:
            text_printf(&t, "\"ООО \"\"Ромашка %u\"\"; филиал\"", i);
            break;
        case 2:
            text_adds(&t, "\"line one\nline two\"");
            break;
        case 3:
            break;
        default:
            text_printf(&t, "\"%u\"", i);
        }
        text_adds(&t, i % 3 ? "\r\n" : "\n");
        if (i % 1000 == 0)
            text_adds(&t, "\r\n");   /* an empty line now and then */
    }
    return t;
}

static void check_sales(const Text *t, unsigned rows, uint64_t want_sum, size_t bufsize)
{
    CsvReader *r = csv_open_mem(t->s, t->len, ';');
    if (bufsize)
        csv_set_buffer_size(r, bufsize);
    const CsvField *names;
    uint32_t ncols;
    CsvError err;
    assert_true(csv_header(r, &names, &ncols, &err));
    assert_int_equal(ncols, 4);
    assert_memory_equal(names[0].ptr, "id", 2);
    const uint32_t sel[] = {2, 3, 0};
    csv_select(r, sel, 3);
    CsvBatch b;
    int n;
    uint64_t sum = 0, count = 0, last_rowno = 1, batches = 0;
    char want_note[64];
    while ((n = csv_next_batch(r, &b, &err)) > 0) {
        batches++;
        assert_true(n <= (int)CSV_BATCH_ROWS);
        for (int i = 0; i < n; i++) {
            const CsvField *f = &b.fields[(size_t)i * 3];
            uint64_t amount = 0, id = 0;
            for (uint32_t k = 0; k < f[0].len; k++)
                amount = amount * 10 + (uint64_t)(f[0].ptr[k] - '0');
            for (uint32_t k = 0; k < f[2].len; k++)
                id = id * 10 + (uint64_t)(f[2].ptr[k] - '0');
            sum += amount;
            count++;
            assert_int_equal(id, count);
            assert_int_equal(b.rowno[i], last_rowno + 1);
            last_rowno = b.rowno[i];
            if (id % 5 == 1) {
                snprintf(want_note, sizeof want_note, "ООО \"Ромашка %u\"; филиал", (unsigned)id);
                assert_int_equal(f[1].len, strlen(want_note));
                assert_memory_equal(f[1].ptr, want_note, f[1].len);
            } else if (id % 5 == 2) {
                assert_int_equal(f[1].len, 17);
                assert_memory_equal(f[1].ptr, "line one\nline two", 17);
            }
        }
    }
    assert_int_equal(n, 0);
    assert_int_equal(count, rows);
    assert_int_equal(sum, want_sum);
    assert_int_equal(last_rowno, rows + 1);
    assert_int_equal(csv_records(r), rows + 1);
    assert_true(batches >= rows / CSV_BATCH_ROWS);
    csv_close(r);
}

static void test_many_rows(void **state)
{
    (void)state;
    const unsigned rows = 100000;
    uint64_t sum;
    Text t = make_sales(rows, &sum);
    assert_true(t.len > (4u << 20));   /* several refills of the default buffer */
    check_sales(&t, rows, sum, 0);
    check_sales(&t, rows, sum, 4096);
    check_sales(&t, rows, sum, 100);
    kpi_free(t.s);
}

/* Every prefix of a tricky input ends at a refill for some buffer size; all
 * of them must read the same. */
static void test_refill_everywhere(void **state)
{
    (void)state;
    const char *data = "\xEF\xBB\xBF" "k;\"v\"\r\n\r\n\"a\"\"b\";\"x\ny\"\r\n;\n\"\";\"\"\"\"\n"
                       "ж;\"long \"\"quoted\"\" text; with delimiter\"\n\"last\";\"\"";
    const char *want = "[k|v]\n2:a\"b|x\ny\n3:|\n4:|\"\n5:ж|long \"quoted\" text; with delimiter\n"
                       "6:last|\n";
    for (size_t size = 1; size <= strlen(data) + 1; size++) {
        char *got = run_mem(data, strlen(data), ';', size);
        assert_string_equal(got, want);
        kpi_free(got);
    }
    const char *bad = "a;b\n1;2\n\"x\ny\"\"z\"q;1\n";
    for (size_t size = 1; size <= strlen(bad) + 1; size++) {
        char *got = run_mem(bad, strlen(bad), ';', size);
        assert_string_equal(got, "[a|b]\n2:1|2\nE3:1:unexpected text after a closing quote (line 4)");
        kpi_free(got);
    }
}

/* Every buffer size gives the same error for stray text after a quote,
 * also when the text is (or merely starts like) a byte-order mark. */
static void test_refill_error_consistency(void **state)
{
    (void)state;
    static const struct {
        const char *data, *want;
    } cases[] = {
        {"a;b\n\"x\"\xEF\xBB\xBF;1\n", "[a|b]\nE2:1:byte-order mark in the middle of the file"},
        {"a;b\n\"x\"\xEF\xBC\x8C;1\n", "[a|b]\nE2:1:unexpected text after a closing quote"},
        {"a;b\n\"x\n\xEF\xBB\xBF", "[a|b]\nE2:1:byte-order mark in the middle of the file (line 3)"},
        {"a;b\n1;\"x\n\ny", "[a|b]\nE2:2:unterminated quoted field (the quote opens in field 2)"},
        {"a;b\n1;2\n3", "[a|b]\n2:1|2\nE3:2:row has 1 field, the header has 2"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        for (size_t size = 1; size <= strlen(cases[i].data) + 1; size++) {
            char *got = run_mem(cases[i].data, strlen(cases[i].data), ';', size);
            assert_string_equal(got, cases[i].want);
            kpi_free(got);
        }
    }
}

/* Fields longer than the 64-byte scanning window, quoted and not. */
static void test_long_fields(void **state)
{
    (void)state;
    Text in = {0}, want = {0};
    text_adds(&in, "a;b;c\n");
    text_adds(&want, "[a|b|c]\n");
    for (unsigned row = 0; row < 50; row++) {
        Text plain = {0}, quoted = {0}, raw = {0};
        for (unsigned k = 0; k < row * 7 + 60; k++)
            text_adds(&plain, k % 9 ? "д" : "x");
        for (unsigned k = 0; k < row * 5 + 70; k++) {
            const char *piece = (k % 13 == 0) ? "\"\"" : (k % 17 == 0) ? ";" : (k % 23 == 0) ? "\n" : "q";
            text_adds(&raw, piece);
            text_adds(&quoted, strcmp(piece, "\"\"") == 0 ? "\"" : piece);
        }
        text_printf(&in, "%u;", row);
        text_add(&in, plain.s, plain.len);
        text_adds(&in, ";\"");
        text_add(&in, raw.s, raw.len);
        text_adds(&in, row % 2 ? "\"\r\n" : "\"\n");
        text_printf(&want, "%u:%u|", row + 2, row);
        text_add(&want, plain.s, plain.len);
        text_adds(&want, "|");
        text_add(&want, quoted.s, quoted.len);
        text_adds(&want, "\n");
        kpi_free(plain.s);
        kpi_free(quoted.s);
        kpi_free(raw.s);
    }
    check_len(in.s, in.len, ';', want.s);
    kpi_free(in.s);
    kpi_free(want.s);
}

/* The fast UTF-8 check agrees with utf8_validate at every alignment. */
static void test_utf8_alignment(void **state)
{
    (void)state;
    static const struct {
        const char *bytes;
        bool valid;
    } pieces[] = {
        {"\xD0\xB6", true},          {"\xC2\x80", true},          {"\xDF\xBF", true},
        {"\xE2\x82\xAC", true},      {"\xF0\x9F\x98\x80", true}, {"\xEF\xBF\xBF", true},
        {"\xC0\x80", false},         {"\xC1\xBF", false},         {"\xED\xA0\x80", false},
        {"\xF4\x90\x80\x80", false}, {"\x80", false},              {"\xD0", false},
        {"\xD0\xD0", false},         {"\xE2\x82", false},         {"\xFF", false},
    };
    for (size_t i = 0; i < sizeof pieces / sizeof *pieces; i++) {
        for (unsigned before = 0; before < 10; before++) {
            for (unsigned after = 0; after < 3; after++) {
                Text t = {0};
                text_adds(&t, "v\n");
                text_repeat(&t, 'a', before);
                text_adds(&t, pieces[i].bytes);
                text_repeat(&t, 'b', after);
                text_adds(&t, "\n");
                CsvReader *r = csv_open_mem(t.s, t.len, ';');
                const CsvField *names;
                uint32_t ncols;
                CsvError err;
                assert_true(csv_header(r, &names, &ncols, &err));
                const uint32_t sel[] = {0};
                csv_select(r, sel, 1);
                CsvBatch b;
                int n = csv_next_batch(r, &b, &err);
                if (n != (pieces[i].valid ? 1 : -1))
                    print_error("piece %zu, %u before, %u after\n", i, before, after);
                assert_int_equal(n, pieces[i].valid ? 1 : -1);
                if (!pieces[i].valid) {
                    assert_int_equal(err.row, 2);
                    assert_int_equal(err.col, 1);
                }
                csv_close(r);
                kpi_free(t.s);
            }
        }
    }
}

/* Many selected columns: batches get fewer rows, all rows still come. */
static void test_wide_selection(void **state)
{
    (void)state;
    const unsigned ncols = 300, nrows = 3000;
    Text t = {0};
    for (unsigned c = 0; c < ncols; c++)
        text_printf(&t, "%sc%u", c ? "," : "", c);
    text_adds(&t, "\n");
    for (unsigned row = 0; row < nrows; row++) {
        for (unsigned c = 0; c < ncols; c++)
            text_printf(&t, "%s%u", c ? "," : "", row * c);
        text_adds(&t, "\n");
    }
    CsvReader *r = csv_open_mem(t.s, t.len, ',');
    const CsvField *names;
    uint32_t n;
    CsvError err;
    assert_true(csv_header(r, &names, &n, &err));
    assert_int_equal(n, ncols);
    uint32_t *sel = kpi_malloc(ncols * sizeof *sel);
    for (unsigned c = 0; c < ncols; c++)
        sel[c] = ncols - 1 - c;
    csv_select(r, sel, ncols);
    CsvBatch b;
    int k;
    unsigned seen = 0;
    while ((k = csv_next_batch(r, &b, &err)) > 0) {
        assert_true((size_t)k * ncols <= (1u << 18));
        for (int i = 0; i < k; i++, seen++) {
            const CsvField *f = &b.fields[(size_t)i * ncols];
            char want[32];
            snprintf(want, sizeof want, "%u", seen * (ncols - 1));
            assert_int_equal(f[0].len, strlen(want));
            assert_memory_equal(f[0].ptr, want, f[0].len);
            assert_int_equal(b.rowno[i], seen + 2);
        }
    }
    assert_int_equal(k, 0);
    assert_int_equal(seen, nrows);
    csv_close(r);
    kpi_free(sel);
    kpi_free(t.s);
}

/* ---- files ------------------------------------------------------------- */

static void test_file(void **state)
{
    (void)state;
    char path[] = "/tmp/kpi_test_csv_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    uint64_t sum;
    Text t = make_sales(30000, &sum);
    assert_int_equal(write(fd, t.s, t.len), (ssize_t)t.len);
    close(fd);

    CsvError err;
    CsvReader *r = csv_open(path, ';', &err);
    assert_non_null(r);
    const CsvField *names;
    uint32_t ncols;
    assert_true(csv_header(r, &names, &ncols, &err));
    const uint32_t sel[] = {2};
    csv_select(r, sel, 1);
    CsvBatch b;
    int n;
    uint64_t got = 0, rows = 0;
    while ((n = csv_next_batch(r, &b, &err)) > 0) {
        for (int i = 0; i < n; i++) {
            uint64_t v = 0;
            for (uint32_t k = 0; k < b.fields[i].len; k++)
                v = v * 10 + (uint64_t)(b.fields[i].ptr[k] - '0');
            got += v;
        }
        rows += (uint64_t)n;
    }
    assert_int_equal(n, 0);
    assert_int_equal(rows, 30000);
    assert_int_equal(got, sum);
    csv_close(r);
    unlink(path);
    kpi_free(t.s);

    assert_null(csv_open("/nonexistent/kpi.csv", ';', &err));
    assert_int_equal(err.row, 0);
    assert_non_null(strstr(err.msg, "cannot open"));
    assert_null(csv_open("/tmp", ';', &err));
    assert_string_equal(err.msg, "cannot open: it is a directory");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_semicolon),
        cmocka_unit_test(test_comma),
        cmocka_unit_test(test_quoted),
        cmocka_unit_test(test_line_ends),
        cmocka_unit_test(test_record_lengths),
        cmocka_unit_test(test_empty_lines),
        cmocka_unit_test(test_bom),
        cmocka_unit_test(test_header_only),
        cmocka_unit_test(test_selection),
        cmocka_unit_test(test_unselected_not_validated),
        cmocka_unit_test(test_repeated_selection),
        cmocka_unit_test(test_error_empty),
        cmocka_unit_test(test_error_ragged),
        cmocka_unit_test(test_error_quotes),
        cmocka_unit_test(test_error_nul),
        cmocka_unit_test(test_error_bom_inside),
        cmocka_unit_test(test_error_utf8),
        cmocka_unit_test(test_error_header),
        cmocka_unit_test(test_error_too_many_columns),
        cmocka_unit_test(test_error_long_field),
        cmocka_unit_test(test_error_long_record),
        cmocka_unit_test(test_error_sticky),
        cmocka_unit_test(test_many_rows),
        cmocka_unit_test(test_refill_everywhere),
        cmocka_unit_test(test_refill_error_consistency),
        cmocka_unit_test(test_long_fields),
        cmocka_unit_test(test_utf8_alignment),
        cmocka_unit_test(test_wide_selection),
        cmocka_unit_test(test_file),
    };
    /* again with the short path's masks in 16-byte compares, where the
     * CPU would have them in 32 */
    int failed = cmocka_run_group_tests_name("csv", tests, NULL, NULL);
    setenv("KPI_CSV_SIMD", "sse2", 1);
    return failed + cmocka_run_group_tests_name("csv, KPI_CSV_SIMD=sse2", tests, NULL, NULL);
}
