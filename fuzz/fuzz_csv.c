/* fuzz_csv.c - the CSV reader and the cell parsers, in every dialect a
 * table can declare. The first byte chooses the dialect, the reader's
 * buffer size (small ones make records straddle refills) and which table
 * of a fixed scheme the rest of the bytes are. Those bytes are read twice:
 * by the reader alone, every field through every cell parser (numbers at
 * several scales, dates, periods, bools); and as that table's file in a
 * whole run (the roster and plans readers, the fact scan with its fast
 * paths), the other tables from fuzz/common.c. */
#include "base/alloc.h"
#include "compiler/compile.h"
#include "fuzz/fuzz.h"
#include "vm/cell.h"
#include "vm/csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT (64u << 10)

/* Settings of each table, in place of @D. */
static const char *const dialects[8] = {
    "format iso",
    "format ru",
    "format ru\n    delimiter \"\\t\"",
    "delimiter \"|\"\n    decimal \",\"\n    thousands \".\"\n    dates \"DD.MM.YYYY\"",
    "delimiter \";\"\n    thousands \"'\"",
    "delimiter \";\"\n    thousands \",\"",
    "delimiter \"\\t\"\n    thousands \" \"\n    empty zero",
    "format ru\n    thousands \"\"\n    empty error",
};

static const size_t buffer_sizes[8] = {0, 1, 2, 3, 8, 64, 256, 4096};

static const char scheme[] =
    "scheme \"fuzz csv\"\n"
    "period month\n"
    "currency \"₽\"\n"
    "allow K0803\n"
    "import scales\n"
    "\n"
    "roster staff from \"roster.csv\" {\n"
    "    @D\n"
    "    employee id: text\n"
    "    name fio: text \"ФИО\"\n"
    "    department dept: text\n"
    "    base: money\n"
    "    level: integer\n"
    "    joined: date\n"
    "    active: bool\n"
    "    share: score\n"
    "}\n"
    "\n"
    "plans plan from \"plans.csv\" {\n"
    "    @D\n"
    "    employee id: text\n"
    "    period month: period\n"
    "    target: money nonzero empty error\n"
    "    calls: integer nonzero empty error\n"
    "    hrs: hours nonzero empty blank\n"
    "    days: days nonzero empty blank\n"
    "}\n"
    "\n"
    "facts sales from \"sales.csv\" {\n"
    "    @D\n"
    "    employee who: text\n"
    "    date day: date\n"
    "    amount: money \"Сумма, ₽\"\n"
    "    qty: integer\n"
    "    paid: bool\n"
    "    kind: text\n"
    "    q: score\n"
    "    h: hours\n"
    "    d: days\n"
    "    since: date\n"
    "}\n"
    "\n"
    "indicator revenue \"Выручка\" {\n"
    "    fact = sum(amount from sales where paid and kind = \"новый\")\n"
    "    plan = plan.target\n"
    "    weight = 25%\n"
    "}\n"
    "\n"
    "indicator mix {\n"
    "    fact = count(distinct kind from sales where qty > 2 and since > day) + avg(q from sales)\n"
    "    plan = plan.calls\n"
    "    weight = 25%\n"
    "    score = linear(index, cutoff: 50%, cap: 150%)\n"
    "}\n"
    "\n"
    "indicator time {\n"
    "    fact = sum(h from sales where not paid)\n"
    "    plan = plan.hrs\n"
    "    weight = 25%\n"
    "}\n"
    "\n"
    "indicator span {\n"
    "    fact = max(d from sales)\n"
    "    plan = plan.days\n"
    "    weight = 25%\n"
    "    score = bands {\n"
    "        index < 80%          -> 0\n"
    "        80% <= index < 100%  -> 50%\n"
    "        index >= 100%        -> 100%\n"
    "    }\n"
    "}\n"
    "\n"
    "kpi = weighted_sum()\n"
    "bonus = if staff.active then staff.base * kpi * staff.share * staff.level else 0\n"
    "payout = round(bonus, 0.01)\n"
    ;

static Program *compile_dialect(unsigned d)
{
    Buf text = BUF_INIT;
    for (const char *s = scheme, *at; *s; s = at + 2) {
        at = strstr(s, "@D");
        if (!at) {
            buf_adds(&text, s);
            break;
        }
        buf_add(&text, s, (size_t)(at - s));
        buf_adds(&text, dialects[d]);
    }
    Compilation c;
    compilation_init(&c);
    if (!compile_text(&c, "csv.kpi", buf_cstr(&text), text.len, NULL)) {
        Buf msgs = BUF_INIT;
        diag_render(&c.diags, &c.sources, &msgs);
        fprintf(stderr, "fuzz_csv: the scheme of dialect %u does not compile:\n%s", d, buf_cstr(&msgs));
        abort();
    }
    Program *p = compile_take(&c);
    compilation_free(&c);
    buf_free(&text);
    return p;
}

static void parse_cell(const Dialect *d, const CsvField *f)
{
    static const int scales[] = {0, 2, 4, 18};
    int64_t v;
    bool b;
    Day day;
    Period per;
    (void)cell_empty(f->ptr, f->len);
    (void)cell_bool(f->ptr, f->len, &b);
    for (size_t i = 0; i < sizeof scales / sizeof *scales; i++)
        (void)cell_num_problem(dec_parse(f->ptr, f->len, &d->num, scales[i], &v), scales[i]);
    (void)date_parse(f->ptr, f->len, DATE_ISO, &day);
    (void)date_parse(f->ptr, f->len, DATE_DMY, &day);
    for (int k = PERIOD_WEEK; k <= PERIOD_YEAR; k++)
        (void)period_parse_cell(f->ptr, f->len, (PeriodKind)k, d->date, &per);
}

/* The reader alone: the header, every column selected, every field parsed. */
static void read_all(const Dialect *d, const char *data, size_t size, size_t bufsize)
{
    CsvReader *r = csv_open_mem(data, size, d->delimiter);
    if (bufsize)
        csv_set_buffer_size(r, bufsize);
    const CsvField *names;
    uint32_t ncols;
    CsvError err;
    char msg[400];
    if (csv_header(r, &names, &ncols, &err)) {
        uint32_t *cols = kpi_malloc(sizeof(uint32_t) * (ncols ? ncols : 1));
        for (uint32_t i = 0; i < ncols; i++)
            cols[ncols - 1 - i] = i; /* any order */
        csv_select(r, cols, ncols);
        kpi_free(cols);
        CsvBatch b;
        int n;
        while ((n = csv_next_batch(r, &b, &err)) > 0)
            for (size_t i = 0; i < (size_t)b.nrows * b.ncols; i++)
                parse_cell(d, &b.fields[i]);
        if (n < 0)
            csv_error_text(&err, 0, 0, msg, sizeof msg);
    } else {
        csv_error_text(&err, 0, 0, msg, sizeof msg);
    }
    (void)csv_records(r);
    (void)csv_lines(r);
    csv_close(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > MAX_INPUT)
        return -1;
    /* Compiled once per dialect and kept: the harness's one piece of state
     * (compiling for every input would take most of the time). */
    static Program *programs[8];
    unsigned d = data[0] & 7u, table = (data[0] >> 3) & 3u;
    if (!programs[d])
        programs[d] = compile_dialect(d);
    size_t held = fuzz_begin();
    size_t bufsize = buffer_sizes[data[0] >> 5];
    const char *text = (const char *)data + 1;
    read_all(&programs[d]->tables[0].dialect, text, size - 1, bufsize);
    fuzz_run_with(programs[d], (int32_t)(table > 2 ? 2 : table), text, size - 1);
    fuzz_end(held);
    return 0;
}
