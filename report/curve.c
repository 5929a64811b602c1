/* curve.c - see curve.h. */
#include "report/curve.h"
#include "base/alloc.h"
#include "base/utf8.h"
#include "report/format.h"

#include <stdlib.h>
#include <string.h>

/* ---- exact little helpers ---- */
static Rat q(i128 n, i128 d)
{
    Rat r;
    rat_make(n, d, &r);
    return r;
}

static Rat mul(Rat a, Rat b)
{
    Rat r = a;
    rat_mul(a, b, &r);
    return r;
}

static Rat add(Rat a, Rat b)
{
    Rat r = a;
    rat_add(a, b, &r);
    return r;
}

static Rat sub(Rat a, Rat b)
{
    Rat r = a;
    rat_sub(a, b, &r);
    return r;
}

static Rat quot(Rat a, Rat b)
{
    Rat r = a;
    if (rat_sign(b) != 0)
        rat_div(a, b, &r);
    return r;
}

static Rat max_rat(Rat a, Rat b) { return rat_cmp(a, b) >= 0 ? a : b; }

static bool same_value(Value a, Value b)
{
    if (a.kind != b.kind)
        return false;
    if (a.kind == V_NUM)
        return rat_eq(a.q, b.q);
    return a.aux == b.aux && a.err == b.err;
}

static int rat_order(const void *a, const void *b) { return rat_cmp(*(const Rat *)a, *(const Rat *)b); }

static size_t sort_unique(Rat *xs, size_t n)
{
    qsort(xs, n, sizeof(Rat), rat_order);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!m || !rat_eq(xs[m - 1], xs[i]))
            xs[m++] = xs[i];
    return m;
}

/* ---- where to look ---- */
static size_t knots_in_range(Curve *c, Rat lo, Rat hi, Rat *out)
{
    size_t n = curve_knots(c, out, CURVE_MAX_KNOTS), m = 0;
    for (size_t i = 0; i < n; i++)
        if (rat_cmp(out[i], lo) >= 0 && rat_cmp(out[i], hi) <= 0)
            out[m++] = out[i];
    return m;
}

Rat curve_range(Curve *c, const Value *index)
{
    Rat hi = q(3, 2);
    Rat *k = kpi_malloc(sizeof(Rat) * CURVE_MAX_KNOTS);
    size_t n = knots_in_range(c, q(0, 1), q(10, 1), k);
    for (size_t i = 0; i < n; i++)
        hi = max_rat(hi, mul(k[i], q(5, 4)));
    kpi_free(k);
    if (index && index->kind == V_NUM && rat_sign(index->q) > 0 && rat_cmp(index->q, q(10, 1)) <= 0)
        hi = max_rat(hi, mul(index->q, q(11, 10)));
    Rat up = hi;
    rat_round_to(hi, q(1, 10), ROUND_CEILING, &up);
    return up;
}

/* The score jumps at k when its last step before k (0.01%) differs from
 * the one before that: exact for lines that bend or break at k. */
static bool jumps_at(Curve *c, Rat k)
{
    Rat eps = q(1, 10000);
    Rat b1 = sub(k, eps), b2 = sub(b1, eps);
    if (rat_sign(b2) < 0)
        return false;
    Value y0 = curve_at(c, k), y1 = curve_at(c, b1), y2 = curve_at(c, b2);
    if (y0.kind != V_NUM || y1.kind != V_NUM || y2.kind != V_NUM)
        return !same_value(y0, y1);
    return !rat_eq(sub(y0.q, y1.q), sub(y1.q, y2.q)) && !rat_eq(y0.q, y1.q) &&
           rat_cmp(rat_abs(sub(y0.q, y1.q)), rat_abs(mul(sub(y1.q, y2.q), q(2, 1)))) > 0;
}

/* xs: the given ones, the knots in [0, hi], and just below each knot where
 * the score jumps. Returns the count; *xs is kpi_malloc'd. */
static size_t sample_xs(Curve *c, Rat hi, const Rat *base, size_t nbase, Rat **xs_out)
{
    Rat *k = kpi_malloc(sizeof(Rat) * CURVE_MAX_KNOTS);
    size_t nk = knots_in_range(c, q(0, 1), hi, k);
    Rat *xs = kpi_malloc(sizeof(Rat) * (nbase + 2 * nk + 1));
    size_t n = 0;
    for (size_t i = 0; i < nbase; i++)
        xs[n++] = base[i];
    for (size_t i = 0; i < nk; i++) {
        xs[n++] = k[i];
        if (jumps_at(c, k[i]))
            xs[n++] = sub(k[i], q(1, 10000));
    }
    kpi_free(k);
    *xs_out = xs;
    return sort_unique(xs, n);
}

static size_t grid(Rat hi, Rat step, Rat **out)
{
    size_t n = 0, cap = 16;
    Rat *g = kpi_malloc(sizeof(Rat) * cap);
    for (Rat x = q(0, 1); rat_cmp(x, hi) <= 0 && n < 100000; x = add(x, step)) {
        if (n == cap)
            g = kpi_grow(g, &cap, n + 1, sizeof(Rat));
        g[n++] = x;
    }
    *out = g;
    return n;
}

/* ---- the table ---- */
static void score_text(Value v, Buf *out)
{
    bool approx = false;
    if (v.kind == V_NUM)
        fmt_pct_short(v, &approx, out);
    else if (v.kind == V_ERROR)
        buf_printf(out, "error (%s)", error_kind_text((ErrorKind)v.err));
    else
        buf_adds(out, "blank");
}

static size_t table_xs(Curve *c, const Value *index, Rat **xs)
{
    Rat *g, hi = curve_range(c, index);
    size_t ng = grid(hi, q(1, 10), &g);
    size_t n = sample_xs(c, hi, g, ng, xs);
    kpi_free(g);
    return n;
}

static void pad_left(Buf *out, const char *s, size_t width)
{
    size_t w = utf8_width(s, strlen(s));
    buf_pad(out, ' ', w < width ? width - w : 0);
    buf_adds(out, s);
}

void curve_table(Curve *c, const Value *index, Buf *out)
{
    Rat *xs;
    size_t n = table_xs(c, index, &xs);
    buf_adds(out, "   index     score\n");
    for (size_t i = 0; i < n; i++) {
        Buf a = BUF_INIT, b = BUF_INIT;
        bool approx = false;
        fmt_pct_short(val_num(xs[i]), &approx, &a);
        score_text(curve_at(c, xs[i]), &b);
        pad_left(out, buf_cstr(&a), 8);
        buf_adds(out, "  ");
        pad_left(out, buf_cstr(&b), 8);
        buf_addc(out, '\n');
        buf_free(&a);
        buf_free(&b);
    }
    kpi_free(xs);
}

void curve_csv(Curve *c, const Value *index, Buf *out)
{
    Rat *xs;
    size_t n = table_xs(c, index, &xs);
    buf_adds(out, "index,score\n");
    for (size_t i = 0; i < n; i++) {
        fmt_value(NULL, val_num(xs[i]), out);
        buf_addc(out, ',');
        fmt_value(NULL, curve_at(c, xs[i]), out);
        buf_addc(out, '\n');
    }
    kpi_free(xs);
}

/* ---- the plot ---- */
enum { SVG_W = 520, SVG_H = 300, PAD_L = 56, PAD_R = 20, PAD_T = 20, PAD_B = 44 };

typedef struct Frame {
    Rat hi, ylo, yhi;
} Frame;

static void coord(Rat v, Buf *out)
{
    char buf[96];
    rat_format_fixed(buf, sizeof buf, v, 1, ROUND_HALF_EVEN);
    buf_adds(out, buf);
}

static Rat px(const Frame *f, Rat x)
{
    return add(q(PAD_L, 1), mul(quot(x, f->hi), q(SVG_W - PAD_L - PAD_R, 1)));
}

static Rat py(const Frame *f, Rat y)
{
    return add(q(PAD_T, 1), mul(quot(sub(f->yhi, y), sub(f->yhi, f->ylo)), q(SVG_H - PAD_T - PAD_B, 1)));
}

static void pct_label(Rat x, Buf *out)
{
    bool approx = false;
    fmt_pct_short(val_num(x), &approx, out);
}

/* Gridlines every step along one axis, with their labels. */
static void grid_lines(const Frame *f, bool vertical, Rat lo, Rat hi, Rat step, Buf *out)
{
    Rat next;
    for (Rat v = lo; rat_cmp(v, hi) <= 0; v = next) {
        next = add(v, step);
        Buf t = BUF_INIT;
        pct_label(v, &t);
        if (vertical) {
            Rat x = px(f, v);
            buf_adds(out, "<line x1=\"");
            coord(x, out);
            buf_printf(out, "\" y1=\"%d\" x2=\"", PAD_T);
            coord(x, out);
            buf_printf(out, "\" y2=\"%d\" stroke=\"#e3e3e3\"/>\n<text x=\"", SVG_H - PAD_B);
            coord(x, out);
            buf_printf(out, "\" y=\"%d\" text-anchor=\"middle\" font-size=\"11\" fill=\"#555\">%s</text>\n",
                       SVG_H - PAD_B + 16, buf_cstr(&t));
        } else {
            Rat y = py(f, v);
            buf_printf(out, "<line x1=\"%d\" y1=\"", PAD_L);
            coord(y, out);
            buf_printf(out, "\" x2=\"%d\" y2=\"", SVG_W - PAD_R);
            coord(y, out);
            buf_printf(out, "\" stroke=\"#e3e3e3\"/>\n<text x=\"%d\" y=\"", PAD_L - 6);
            coord(add(y, q(4, 1)), out);
            buf_printf(out, "\" text-anchor=\"end\" font-size=\"11\" fill=\"#555\">%s</text>\n", buf_cstr(&t));
        }
        buf_free(&t);
        if (rat_cmp(next, v) <= 0) /* out of range: no further line */
            break;
    }
}

/* A step that gives at most 8 gridlines: 0.1, 0.25, 0.5, then 1, 2, 5
 * times a power of ten, however large the span (a score may reach 10^30). */
static Rat nice_step(Rat span)
{
    static const int steps[][2] = {{1, 10}, {1, 4}, {1, 2}, {1, 1}, {2, 1}, {5, 1}};
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
        Rat s = q(steps[i][0], steps[i][1]);
        if (rat_cmp(quot(span, s), q(8, 1)) <= 0)
            return s;
    }
    for (int k = 1; k < RAT_MAX_SCALE; k++) /* 5 * 10^37 still fits in i128 */
        for (int m = 1; m <= 5; m += m == 1 ? 1 : 3) {
            Rat s = q(m * i128_pow10(k), 1);
            if (rat_cmp(quot(span, s), q(8, 1)) <= 0)
                return s;
        }
    return span;
}

static void polyline(const Frame *f, const Rat *xs, const Value *ys, size_t n, Buf *out)
{
    bool open = false;
    for (size_t i = 0; i < n; i++) {
        if (ys[i].kind != V_NUM) { /* a blank or an error breaks the line */
            if (open)
                buf_adds(out, "\"/>\n");
            open = false;
            continue;
        }
        buf_adds(out, open ? " " : "<polyline fill=\"none\" stroke=\"#1f5fa8\" stroke-width=\"2\" points=\"");
        open = true;
        coord(px(f, xs[i]), out);
        buf_addc(out, ',');
        coord(py(f, ys[i].q), out);
    }
    if (open)
        buf_adds(out, "\"/>\n");
}

static void y_range(Frame *f, const Value *ys, size_t n)
{
    f->ylo = q(0, 1);
    f->yhi = q(1, 1);
    for (size_t i = 0; i < n; i++)
        if (ys[i].kind == V_NUM) {
            if (rat_cmp(ys[i].q, f->ylo) < 0)
                f->ylo = ys[i].q;
            f->yhi = max_rat(f->yhi, ys[i].q);
        }
    Rat up = f->yhi, down = f->ylo;
    rat_round_to(mul(f->yhi, q(11, 10)), q(1, 10), ROUND_CEILING, &up);
    rat_round_to(f->ylo, q(1, 10), ROUND_FLOOR, &down);
    f->yhi = up;
    f->ylo = down;
}

static void employee_point(const Frame *f, const PlotPoint *pt, Buf *out)
{
    if (!pt || pt->index.kind != V_NUM || pt->score.kind != V_NUM || rat_cmp(pt->index.q, f->hi) > 0 ||
        rat_sign(pt->index.q) < 0)
        return;
    Rat x = px(f, pt->index.q), y = py(f, pt->score.q);
    buf_adds(out, "<circle cx=\"");
    coord(x, out);
    buf_adds(out, "\" cy=\"");
    coord(y, out);
    buf_adds(out, "\" r=\"6\" fill=\"#d62728\" stroke=\"#fff\" stroke-width=\"1.5\"/>\n<text x=\"");
    bool right = rat_cmp(x, q(SVG_W / 2, 1)) > 0;
    coord(add(x, q(right ? -10 : 10, 1)), out);
    buf_adds(out, "\" y=\"");
    coord(sub(y, q(10, 1)), out);
    buf_printf(out, "\" text-anchor=\"%s\" font-size=\"12\" fill=\"#d62728\">", right ? "end" : "start");
    Buf t = BUF_INIT;
    pct_label(pt->index.q, &t);
    buf_adds(&t, " \u2192 ");
    pct_label(pt->score.q, &t);
    fmt_html(out, t.data, t.len);
    buf_free(&t);
    buf_adds(out, "</text>\n");
}

void curve_svg(Curve *c, const char *title, const PlotPoint *point, Buf *out)
{
    Frame f;
    f.hi = curve_range(c, point ? &point->index : NULL);
    Rat *g;
    size_t ng = grid(f.hi, quot(f.hi, q(CURVE_PLOT_POINTS, 1)), &g);
    Rat *xs;
    size_t n = sample_xs(c, f.hi, g, ng, &xs);
    kpi_free(g);
    Value *ys = kpi_malloc(sizeof(Value) * (n ? n : 1));
    for (size_t i = 0; i < n; i++)
        ys[i] = curve_at(c, xs[i]);
    y_range(&f, ys, n);
    buf_printf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
                    "role=\"img\" font-family=\"sans-serif\">\n<title>",
               SVG_W, SVG_H, SVG_W, SVG_H);
    fmt_html_cstr(out, title);
    buf_printf(out, "</title>\n<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n", SVG_W, SVG_H);
    grid_lines(&f, true, q(0, 1), f.hi, nice_step(f.hi), out);
    grid_lines(&f, false, f.ylo, f.yhi, nice_step(sub(f.yhi, f.ylo)), out);
    buf_printf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#888\"/>\n", PAD_L,
               PAD_T, SVG_W - PAD_L - PAD_R, SVG_H - PAD_T - PAD_B);
    polyline(&f, xs, ys, n, out);
    employee_point(&f, point, out);
    buf_printf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"12\" fill=\"#333\">index</text>\n",
               PAD_L + (SVG_W - PAD_L - PAD_R) / 2, SVG_H - 8);
    buf_printf(out, "<text x=\"14\" y=\"%d\" text-anchor=\"middle\" font-size=\"12\" fill=\"#333\" "
                    "transform=\"rotate(-90 14 %d)\">score</text>\n</svg>\n",
               PAD_T + (SVG_H - PAD_T - PAD_B) / 2, PAD_T + (SVG_H - PAD_T - PAD_B) / 2);
    kpi_free(xs);
    kpi_free(ys);
}
