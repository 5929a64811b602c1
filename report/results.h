/* results.h - kpirun's outputs: a readable table, CSV and JSON of the
 * per-employee results. Formatting only; the values are the VM's. */
#ifndef KPI_RESULTS_H
#define KPI_RESULTS_H
#include "base/buf.h"
#include "vm/run.h"

typedef enum ReportFormat { REPORT_TABLE, REPORT_CSV, REPORT_JSON } ReportFormat;

void report_write(const RunResult *r, const Period *period, ReportFormat f, Buf *out);

/* The same written as employees end (RunOptions.sink = report_sink, ctx a
 * ReportStream), so their registers need not be kept. */
typedef struct ReportStream {
    ReportFormat  f;
    const Period *period;
    Buf          *out;
    bool          started, approx;
    uint32_t      n;
    Value         total;     /* table: the payouts so far */
} ReportStream;

void report_stream_init(ReportStream *s, ReportFormat f, const Period *period, Buf *out);
void report_stream_employee(ReportStream *s, const RunResult *r, uint32_t emp, const Value *regs);
void report_stream_end(ReportStream *s, const RunResult *r);
/* RunOptions.sink for a ReportStream, and its .render: CSV and JSON rows
 * can be made by the evaluating threads, the table's cannot (it sums as
 * it goes), so report_render_for gives NULL for it. */
typedef void (*ReportRender)(void *ctx, const RunResult *r, uint32_t emp, const Value *regs, Buf *out);
void         report_sink(void *ctx, const RunResult *r, uint32_t emp, const Value *regs, const char *text, size_t len);
ReportRender report_render_for(ReportFormat f);

#endif
