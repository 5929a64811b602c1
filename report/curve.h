/* curve.h - an indicator's scale shown: a table of index -> score and an
 * SVG plot (kpirun curve; the plots of payout statements). Coordinates are
 * computed with exact fractions too: nothing here touches a payout, but one
 * kind of number is simpler than two. */
#ifndef KPI_REPORT_CURVE_H
#define KPI_REPORT_CURVE_H
#include <stdbool.h>

#include "base/buf.h"
#include "base/limits.h"
#include "vm/curve.h"

#define CURVE_PLOT_POINTS 240   /* samples across the plot, besides the knots */

/* The index range shown: 0 to at least 150%, past the largest knot (up to
 * 1000%) and past the employee's index when there is one. */
Rat curve_range(Curve *c, const Value *index);

/* The table: every 10% of the range, each knot, and just below a knot
 * where the score jumps (89.99% -> 0%, 90% -> 80%). */
void curve_table(Curve *c, const Value *index, Buf *out);
void curve_csv(Curve *c, const Value *index, Buf *out);

/* An SVG plot; the employee's point (index, score) when given. */
typedef struct PlotPoint {
    Value index, score;
} PlotPoint;
void curve_svg(Curve *c, const char *title, const PlotPoint *point, Buf *out);

#endif
