/* bench/gen.c - deterministic data generator for the kpi bench.
 *
 * Writes one month of a wholesale distributor's exports (roster, plans,
 * department plans, deals, calls, idle hours) into a directory, the same
 * bytes for the same flags on any machine: a fixed-seed splitmix64 stream
 * per employee, integer arithmetic only.  Some employees are placed exactly
 * on band edges and some get payouts that end in half a kopeck; they are
 * listed in cases.csv (see bench/README.md).  Also emits a scheme with N
 * indicators (--scheme-indicators N) and the data of the evaluation bench
 * (--eval).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define OUT_CAP (1u << 20)
#define KOP_PER_K 100000 /* a thousand roubles, in kopecks */

typedef struct {
    uint64_t s;
} Rng;

static uint64_t rng_next(Rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform enough below n (n is small next to 2^64). */
static int64_t rng_below(Rng *r, int64_t n)
{
    return (int64_t)(rng_next(r) % (uint64_t)n);
}

static Rng rng_for(uint64_t seed, uint64_t stream)
{
    Rng r = {seed ^ (stream * 0xd1b54a32d192ed03ULL)};
    rng_next(&r);
    return r;
}

/* ---- buffered output --------------------------------------------------- */

typedef struct {
    FILE *f;
    char *buf;
    size_t len;
    char path[4096];
} Out;

static void die(const char *what, const char *path)
{
    fprintf(stderr, "bench-gen: %s %s: %s\n", what, path, strerror(errno));
    exit(1);
}

static void out_open(Out *o, const char *dir, const char *name)
{
    snprintf(o->path, sizeof o->path, "%s/%s", dir, name);
    o->f = fopen(o->path, "wb");
    if (!o->f)
        die("cannot create", o->path);
    o->buf = malloc(OUT_CAP);
    if (!o->buf) {
        fprintf(stderr, "bench-gen: out of memory\n");
        exit(1);
    }
    o->len = 0;
}

static void out_flush(Out *o)
{
    if (o->len && fwrite(o->buf, 1, o->len, o->f) != o->len)
        die("cannot write", o->path);
    o->len = 0;
}

static void out_close(Out *o)
{
    out_flush(o);
    if (fclose(o->f) != 0)
        die("cannot write", o->path);
    free(o->buf);
}

static void out_mem(Out *o, const char *s, size_t n)
{
    if (o->len + n > OUT_CAP)
        out_flush(o);
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

static void out_str(Out *o, const char *s)
{
    out_mem(o, s, strlen(s));
}

static void out_ch(Out *o, char c)
{
    if (o->len + 1 > OUT_CAP)
        out_flush(o);
    o->buf[o->len++] = c;
}

static void out_uint(Out *o, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        out_ch(o, tmp[--n]);
}

/* v / 10^places with exactly `places` decimals (places > 0). */
static void out_fixed(Out *o, int64_t v, int places, char dec)
{
    int64_t div = 1;
    for (int i = 0; i < places; i++)
        div *= 10;
    if (v < 0) {
        out_ch(o, '-');
        v = -v;
    }
    out_uint(o, (uint64_t)(v / div));
    out_ch(o, dec);
    char tmp[20];
    int64_t frac = v % div;
    for (int i = places - 1; i >= 0; i--) {
        tmp[i] = (char)('0' + frac % 10);
        frac /= 10;
    }
    out_mem(o, tmp, (size_t)places);
}

/* ---- the month ---------------------------------------------------------- */

typedef struct {
    char delim, dec;
    int ru;
    int year, month;          /* the evaluated period */
    int ndays[3];             /* days of the previous, this and the next month */
    char dates[3][31][36];    /* their date cells */
    char label[2][24];        /* period labels of the previous and this month */
} Dialect;

static int days_in(int y, int m)
{
    static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d[m - 1] + (m == 2 && leap);
}

static void dialect_init(Dialect *d, int ru, int year, int month)
{
    d->ru = ru;
    d->delim = ru ? ';' : ',';
    d->dec = ru ? ',' : '.';
    d->year = year;
    d->month = month;
    for (int k = 0; k < 3; k++) {
        int y = year, m = month + k - 1;
        if (m == 0) {
            m = 12;
            y--;
        } else if (m == 13) {
            m = 1;
            y++;
        }
        d->ndays[k] = days_in(y, m);
        for (int day = 1; day <= d->ndays[k]; day++) {
            if (ru)
                snprintf(d->dates[k][day - 1], sizeof d->dates[k][day - 1], "%02d.%02d.%04d", day, m, y);
            else
                snprintf(d->dates[k][day - 1], sizeof d->dates[k][day - 1], "%04d-%02d-%02d", y, m, day);
        }
        if (k < 2)
            snprintf(d->label[k], sizeof d->label[k], "%04d-%02d", y, m);
    }
}

/* A date cell: in the period, or (out != 0) in the last days of the
 * previous month or the first days of the next one. */
static const char *pick_date(const Dialect *d, Rng *r, int out)
{
    if (!out)
        return d->dates[1][rng_below(r, d->ndays[1])];
    if (rng_below(r, 2))
        return d->dates[2][rng_below(r, 10)];
    return d->dates[0][d->ndays[0] - 1 - (int)rng_below(r, 10)];
}

/* ---- employees ---------------------------------------------------------- */

enum {
    KIND_NORMAL,
    KIND_GATE,     /* margin index exactly 95%: the revenue gate */
    KIND_MBAND,    /* margin index exactly 90%, 100% or 110% */
    KIND_CUTOFF,   /* revenue index exactly 80%: the linear cutoff */
    KIND_QEDGE,    /* call quality exactly 0.6 or 0.8: index 75% or 100% */
    KIND_TIE,      /* payout ends in exactly half a kopeck */
    KIND_QUIET,    /* no paid deal and no call in the period */
    KIND_ABSORBER  /* takes the department revenue to a band edge */
};

static const char *const kind_names[] = {"normal", "gate_95", "margin_band_edge", "revenue_cutoff_80",
                                         "quality_edge", "half_kopeck_tie", "no_activity",
                                         "dept_band_edge"};

typedef struct {
    Rng rng;
    int dept;
    char grade;
    uint8_t kind;
    uint8_t pool;       /* new clients this employee can win (1..6) */
    uint8_t newmask;    /* new-pool clients with a paid deal in the period */
    uint8_t skill;      /* 0..100: share of full marks in calls */
    uint8_t qtarget;    /* call quality in tenths, 0 = random */
    uint8_t edge_idx;   /* which edge a GATE/MBAND/CUTOFF employee sits on */
    int16_t idx_r, idx_m; /* tie: revenue and margin index in percent */
    int64_t scale;      /* typical deal, kopecks */
    int64_t rev, mar;   /* paid, in the period, kopecks */
    int64_t paid;       /* paid deals in the period */
    int64_t q_halves, q_cells; /* call cells in the period: sum in halves, count */
    int64_t idle;       /* idle hours in the period, hundredths */
    int64_t plan_r, plan_m; /* set in the last round for placed employees */
    int64_t plan_new, plan_deals;
    int64_t salary, target; /* kopecks */
    int64_t expected;   /* tie: the exact payout, kopecks */
} Emp;

typedef struct {
    long employees, deals, calls, scheme_indicators;
    int year, month, ru, eval;
    const char *out;
    uint64_t seed;
} Opts;

typedef struct {
    Opts o;
    Dialect d;
    Emp *e;
    long ndept;
    int idw;                /* digits of an employee id */
    int64_t *dept_rev;      /* department revenue, kopecks */
    long *absorber;         /* per department: the employee who closes it, or -1 */
    int64_t (*dplan)[3];    /* department min / opt / max */
} Gen;

static int64_t round_k(int64_t kop)
{
    int64_t k = (kop + KOP_PER_K / 2) / KOP_PER_K * KOP_PER_K;
    return k < KOP_PER_K ? KOP_PER_K : k;
}

static int64_t ceil_div(int64_t a, int64_t b)
{
    return (a + b - 1) / b;
}

/* The smallest multiple of 1000 roubles P with P * pct / 100 >= need. */
static int64_t plan_for(int64_t need, int64_t pct)
{
    int64_t p = ceil_div(need * 100, pct);
    return ceil_div(p, KOP_PER_K) * KOP_PER_K;
}

static void out_id(Out *o, const Gen *g, long i)
{
    char tmp[32];
    snprintf(tmp, sizeof tmp, "E%0*ld", g->idw, i + 1);
    out_str(o, tmp);
}

static void emp_init(Gen *g, long i)
{
    Emp *e = &g->e[i];
    memset(e, 0, sizeof *e);
    e->rng = rng_for(g->o.seed, (uint64_t)i + 1);
    Rng *r = &e->rng;
    e->dept = (int)rng_below(r, g->ndept);
    int64_t gr = rng_below(r, 10);
    e->grade = gr < 2 ? 'A' : gr < 7 ? 'B' : 'C';
    e->pool = (uint8_t)(1 + rng_below(r, 6));
    e->skill = (uint8_t)rng_below(r, 101);
    e->scale = 500000 + rng_below(r, 4500000); /* 5 000 .. 50 000 roubles */
    int64_t k = rng_below(r, 1000);
    e->kind = k < 4 ? KIND_GATE : k < 8 ? KIND_MBAND : k < 11 ? KIND_CUTOFF
            : k < 15 ? KIND_QEDGE : k < 25 ? KIND_TIE : k < 28 ? KIND_QUIET : KIND_NORMAL;
    if (g->o.deals < 2 && e->kind != KIND_QEDGE && e->kind != KIND_QUIET)
        e->kind = KIND_NORMAL;
    e->edge_idx = (uint8_t)rng_below(r, 3);
    if (e->kind == KIND_QEDGE)
        e->qtarget = e->edge_idx ? 6 : 8;
    if (e->kind == KIND_TIE) {
        static const int16_t ir[] = {85, 90, 95, 100, 105, 110, 115};
        static const int16_t im[] = {92, 100, 105, 112};
        e->idx_r = ir[rng_below(r, 7)];
        e->idx_m = im[rng_below(r, 4)];
        e->qtarget = rng_below(r, 2) ? 7 : 9;
    }
}

/* ---- deals -------------------------------------------------------------- */

static const char *const statuses[] = {"paid", "pending", "cancelled", "refunded"};

static int pick_status(Rng *r)
{
    int64_t s = rng_below(r, 100);
    return s < 75 ? 0 : s < 85 ? 1 : s < 95 ? 2 : 3;
}

static void deal_out(Out *o, const Gen *g, long who, const char *date, uint64_t client,
                     int64_t amount, int64_t cost, int status, int is_new)
{
    const Dialect *d = &g->d;
    char tmp[16];
    out_id(o, g, who);
    out_ch(o, d->delim);
    out_str(o, date);
    out_ch(o, d->delim);
    snprintf(tmp, sizeof tmp, "C%08" PRIu64, client);
    out_str(o, tmp);
    out_ch(o, d->delim);
    out_fixed(o, amount, 2, d->dec);
    out_ch(o, d->delim);
    out_fixed(o, cost, 2, d->dec);
    out_ch(o, d->delim);
    out_str(o, statuses[status]);
    out_ch(o, d->delim);
    out_str(o, is_new ? (d->ru ? "да" : "1") : (d->ru ? "нет" : "0"));
    out_ch(o, '\n');
}

static int64_t cost_of(Rng *r, int64_t amount)
{
    return amount * (650 + rng_below(r, 230)) / 1000;
}

/* An ordinary deal of employee i. */
static void deal_random(Out *o, Gen *g, long i)
{
    Emp *e = &g->e[i];
    Rng *r = &e->rng;
    int out = rng_below(r, 100) < 5;
    const char *date = pick_date(&g->d, r, out);
    int status = pick_status(r);
    if (e->kind == KIND_QUIET)
        status = 1;
    int64_t amount = e->scale * (200 + rng_below(r, 1600)) / 1000 + rng_below(r, 100);
    int64_t cost = cost_of(r, amount);
    int is_new = rng_below(r, 100) < 3;
    int slot = (int)rng_below(r, e->pool);
    uint64_t client = is_new ? 90000000u + (uint64_t)i * 8 + (uint64_t)slot
                             : (uint64_t)rng_below(r, g->o.employees * 40 + 1000);
    if (!out && status == 0) {
        e->rev += amount;
        e->mar += amount - cost;
        e->paid++;
        if (is_new)
            e->newmask |= (uint8_t)(1u << slot);
    }
    deal_out(o, g, i, date, client, amount, cost, status, is_new);
}

/* A paid deal in the period of the given amount and cost. */
static void deal_fixed(Out *o, Gen *g, long i, int64_t amount, int64_t cost)
{
    Emp *e = &g->e[i];
    Rng *r = &e->rng;
    const char *date = pick_date(&g->d, r, 0);
    uint64_t client = (uint64_t)rng_below(r, g->o.employees * 40 + 1000);
    e->rev += amount;
    e->mar += amount - cost;
    e->paid++;
    deal_out(o, g, i, date, client, amount, cost, 0, 0);
}

/* The last deal of a placed employee lands revenue and margin exactly. */
static void deal_last(Out *o, Gen *g, long i)
{
    Emp *e = &g->e[i];
    static const int64_t mband[] = {90, 100, 110};
    int64_t amin = e->scale > 3000000 ? e->scale : 3000000;
    int64_t pct_r = 0, pct_m = 0;
    switch (e->kind) {
    case KIND_GATE: pct_m = 95; break;
    case KIND_MBAND: pct_m = mband[e->edge_idx]; break;
    case KIND_CUTOFF: pct_r = 80; break;
    case KIND_TIE: pct_r = e->idx_r; pct_m = e->idx_m; break;
    default: deal_random(o, g, i); return;
    }
    int64_t amount, margin;
    if (pct_r) {
        e->plan_r = plan_for(e->rev + amin, pct_r);
        amount = e->plan_r * pct_r / 100 - e->rev;
    } else {
        amount = amin + rng_below(&e->rng, amin);
    }
    if (pct_m) {
        e->plan_m = plan_for(e->mar + amin / 20, pct_m);
        margin = e->plan_m * pct_m / 100 - e->mar;
    } else {
        margin = amount - cost_of(&e->rng, amount);
    }
    deal_fixed(o, g, i, amount, amount - margin);
}

/* The absorber's last deal takes its department to a whole 1000 roubles. */
static void deal_absorb(Out *o, Gen *g, long i)
{
    Emp *e = &g->e[i];
    int64_t total = 0;
    for (long j = 0; j < g->o.employees; j++)
        if (g->e[j].dept == e->dept)
            total += g->e[j].rev;
    int64_t amin = e->scale > 3000000 ? e->scale : 3000000;
    int64_t amount = ceil_div(total + amin, KOP_PER_K) * KOP_PER_K - total;
    deal_fixed(o, g, i, amount, cost_of(&e->rng, amount));
}

static void gen_deals(Gen *g)
{
    Out o;
    out_open(&o, g->o.out, "deals.csv");
    const char *hdr = g->d.ru ? "employee;paid_on;client;amount;cost;status;is_new\n"
                              : "employee,paid_on,client,amount,cost,status,is_new\n";
    out_str(&o, hdr);
    long n = g->o.employees;
    Rng gone = rng_for(g->o.seed, 0);
    for (long j = 0; j < g->o.deals; j++) {
        int last = j == g->o.deals - 1;
        for (long i = 0; i < n; i++) {
            if (!last)
                deal_random(&o, g, i);
            else if (g->e[i].kind != KIND_ABSORBER)
                deal_last(&o, g, i);
            /* now and then a deal of someone who left (not in the roster) */
            if (j % 100 == 1 && i % 97 == 0) {
                int64_t amount = 1000000 + rng_below(&gone, 5000000);
                deal_out(&o, g, n + (long)rng_below(&gone, 10), pick_date(&g->d, &gone, 0),
                         (uint64_t)rng_below(&gone, n * 40 + 1000), amount, amount * 3 / 4, 0, 0);
            }
        }
    }
    for (long i = 0; i < n; i++)
        if (g->e[i].kind == KIND_ABSORBER)
            deal_absorb(&o, g, i);
    out_close(&o);
}

/* ---- calls -------------------------------------------------------------- */

/* A call row whose filled cells average exactly q tenths. */
static void call_cells_exact(Rng *r, int q, int8_t cells[10])
{
    int count = rng_below(r, 2) ? 10 : 5;
    int halves = q * count / 5; /* 2 * q/10 * count */
    int b = halves % 2 ? 1 : (rng_below(r, 2) && halves >= 2 ? 2 : 0);
    int a = (halves - b) / 2;
    int8_t v[10];
    for (int k = 0; k < 10; k++)
        v[k] = k < a ? 2 : k < a + b ? 1 : k < count ? 0 : -1;
    for (int k = 9; k > 0; k--) {
        int s = (int)rng_below(r, k + 1);
        int8_t t = v[k];
        v[k] = v[s];
        v[s] = t;
    }
    memcpy(cells, v, 10);
}

static void call_cells_random(Rng *r, int skill, int8_t cells[10])
{
    for (int k = 0; k < 10; k++) {
        int64_t u = rng_below(r, 100);
        if (u < 15)
            cells[k] = -1;
        else if ((u = rng_below(r, 100)) < 40 + skill / 2)
            cells[k] = 2;
        else
            cells[k] = u < 60 + skill / 2 ? 1 : 0;
    }
}

static void call_row(Out *o, Gen *g, long i)
{
    Emp *e = &g->e[i];
    Rng *r = &e->rng;
    int out = e->kind == KIND_QUIET || rng_below(r, 100) < 5;
    const char *date = pick_date(&g->d, r, out);
    int8_t cells[10];
    if (e->qtarget && !out)
        call_cells_exact(r, e->qtarget, cells);
    else
        call_cells_random(r, e->skill, cells);
    out_id(o, g, i);
    out_ch(o, g->d.delim);
    out_str(o, date);
    for (int k = 0; k < 10; k++) {
        out_ch(o, g->d.delim);
        if (cells[k] < 0)
            continue;
        if (cells[k] == 1) {
            out_ch(o, '0');
            out_ch(o, g->d.dec);
            out_ch(o, '5');
        } else {
            out_ch(o, cells[k] ? '1' : '0');
        }
        if (!out) {
            e->q_halves += cells[k];
            e->q_cells++;
        }
    }
    out_ch(o, '\n');
}

static void gen_calls(Gen *g)
{
    Out o;
    out_open(&o, g->o.out, "calls.csv");
    out_str(&o, "employee");
    for (int k = 0; k <= 10; k++) {
        out_ch(&o, g->d.delim);
        if (k == 0) {
            out_str(&o, "day");
        } else {
            out_ch(&o, 'k');
            out_uint(&o, (uint64_t)k);
        }
    }
    out_ch(&o, '\n');
    for (long j = 0; j < g->o.calls; j++)
        for (long i = 0; i < g->o.employees; i++)
            call_row(&o, g, i);
    out_close(&o);
}

/* ---- idle hours ---------------------------------------------------------- */

static void gen_idle(Gen *g)
{
    Out o;
    out_open(&o, g->o.out, "idle.csv");
    out_str(&o, g->d.ru ? "employee;day;hours\n" : "employee,day,hours\n");
    for (long i = 0; i < g->o.employees; i++) {
        Emp *e = &g->e[i];
        Rng *r = &e->rng;
        int64_t rows = rng_below(r, 6) + (rng_below(r, 5) == 0);
        for (int64_t k = 0; k < rows; k++) {
            int out = k >= 5 || rng_below(r, 20) == 0;
            int64_t h = 25 + 5 * rng_below(r, 120); /* 0.25 .. 6.20 hours */
            out_id(&o, g, i);
            out_ch(&o, g->d.delim);
            out_str(&o, pick_date(&g->d, r, out));
            out_ch(&o, g->d.delim);
            out_fixed(&o, h, 2, g->d.dec);
            out_ch(&o, '\n');
            if (!out)
                e->idle += h;
        }
    }
    out_close(&o);
}

/* ---- plans -------------------------------------------------------------- */

/* A plan for a fact, so that the index lands between 75% and 135%. */
static int64_t plan_near(Rng *r, int64_t fact, int64_t fallback)
{
    int64_t f = 750 + rng_below(r, 600);
    return round_k((fact > 0 ? fact : fallback) * 1000 / f);
}

static void plans_fill(Gen *g)
{
    for (long i = 0; i < g->o.employees; i++) {
        Emp *e = &g->e[i];
        Rng *r = &e->rng;
        int64_t expect = e->scale * g->o.deals * 7 / 10;
        if (!e->plan_r)
            e->plan_r = plan_near(r, e->rev, expect);
        if (!e->plan_m)
            e->plan_m = plan_near(r, e->mar, expect / 5);
        e->plan_new = 1 + rng_below(r, 4);
        int64_t f = 800 + rng_below(r, 500);
        e->plan_deals = e->kind == KIND_TIE ? e->paid : e->paid * 1000 / f;
        if (e->plan_deals < 1)
            e->plan_deals = 1 + rng_below(r, 5);
    }
}

static void plan_row(Out *o, Gen *g, long i, int k, int64_t scale_pm)
{
    const Emp *e = &g->e[i];
    char d = g->d.delim;
    out_id(o, g, i);
    out_ch(o, d);
    out_str(o, g->d.label[k]);
    out_ch(o, d);
    out_fixed(o, k ? e->plan_r : round_k(e->plan_r * scale_pm / 1000), 2, g->d.dec);
    out_ch(o, d);
    out_fixed(o, k ? e->plan_m : round_k(e->plan_m * scale_pm / 1000), 2, g->d.dec);
    out_ch(o, d);
    out_uint(o, (uint64_t)e->plan_new);
    out_ch(o, d);
    out_uint(o, (uint64_t)(k ? e->plan_deals : e->plan_deals + 7));
    out_ch(o, '\n');
}

static void gen_plans(Gen *g)
{
    Out o;
    out_open(&o, g->o.out, "plans.csv");
    out_str(&o, g->d.ru ? "employee;month;revenue;margin;new_clients;deals\n"
                        : "employee,month,revenue,margin,new_clients,deals\n");
    for (long i = 0; i < g->o.employees; i++) {
        plan_row(&o, g, i, 0, 900); /* last month's plan: must be skipped */
        plan_row(&o, g, i, 1, 1000);
    }
    out_close(&o);
}

/* ---- departments -------------------------------------------------------- */

static int dept_is_edge(long d)
{
    return d % 100 == 42;
}

/* The absorbers: in every edge department its last ordinary member. */
static void absorbers_pick(Gen *g)
{
    for (long d = 0; d < g->ndept; d++)
        g->absorber[d] = -1;
    for (long i = 0; i < g->o.employees; i++)
        if (g->e[i].kind == KIND_NORMAL && dept_is_edge(g->e[i].dept))
            g->absorber[g->e[i].dept] = i;
    for (long d = 0; d < g->ndept; d++)
        if (g->absorber[d] >= 0)
            g->e[g->absorber[d]].kind = KIND_ABSORBER;
}

static void dept_plans_fill(Gen *g)
{
    for (long d = 0; d < g->ndept; d++)
        g->dept_rev[d] = 0;
    for (long i = 0; i < g->o.employees; i++)
        g->dept_rev[g->e[i].dept] += g->e[i].rev;
    Rng r = rng_for(g->o.seed, 0x5eed);
    for (long d = 0; d < g->ndept; d++) {
        int64_t t = g->dept_rev[d], *p = g->dplan[d];
        int64_t opt = round_k(t * 1000 / (850 + rng_below(&r, 350)));
        if (g->absorber[d] >= 0) {
            int which = (int)(d / 100 % 3); /* min, opt or max equals the revenue */
            opt = which == 0 ? round_k(t * 115 / 100) : which == 1 ? t : round_k(t * 87 / 100);
            p[0] = which == 0 ? t : round_k(opt * 85 / 100);
            p[2] = which == 2 ? t : round_k(opt * 115 / 100);
        } else {
            p[0] = round_k(opt * 85 / 100);
            p[2] = round_k(opt * 115 / 100);
        }
        p[1] = opt;
    }
}

static void out_dept(Out *o, long d)
{
    char tmp[32];
    snprintf(tmp, sizeof tmp, "Отдел %03ld", d + 1);
    out_str(o, tmp);
}

static void gen_dept_plans(Gen *g)
{
    Out o;
    out_open(&o, g->o.out, "dept_plans.csv");
    char c = g->d.delim;
    out_str(&o, g->d.ru ? "department;month;minimum;optimum;maximum\n"
                        : "department,month,minimum,optimum,maximum\n");
    for (long d = 0; d < g->ndept; d++)
        for (int k = 0; k < 2; k++) {
            out_dept(&o, d);
            out_ch(&o, c);
            out_str(&o, g->d.label[k]);
            for (int m = 0; m < 3; m++) {
                out_ch(&o, c);
                out_fixed(&o, k ? g->dplan[d][m] : round_k(g->dplan[d][m] * 9 / 10), 2, g->d.dec);
            }
            out_ch(&o, '\n');
        }
    out_close(&o);
}

/* The department multiplier in tenths, as the scheme computes it. */
static int64_t dept_mult(const Gen *g, int d)
{
    int64_t t = g->dept_rev[d];
    const int64_t *p = g->dplan[d];
    return t < p[0] ? 10 : t < p[1] ? 11 : t < p[2] ? 12 : 13;
}

/* ---- roster ------------------------------------------------------------- */

static const char *const surnames[] = {"Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев",
                                       "Петров", "Соколов", "Михайлов", "Новиков", "Фёдоров",
                                       "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов",
                                       "Егоров"};
static const char *const firsts[] = {"Иван", "Олег", "Павел", "Игорь", "Анна", "Мария",
                                     "Елена", "Ольга", "Дмитрий", "Сергей", "Наталья", "Ирина"};

static int64_t gcd64(int64_t a, int64_t b)
{
    while (b) {
        int64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* KPI of a tie employee in units of 1e-4 (all indices are exact decimals). */
static int64_t tie_kpi(const Emp *e)
{
    int64_t n = __builtin_popcount(e->newmask);
    int64_t sr = e->idx_m >= 95 ? e->idx_r : 0; /* linear 80..120 holds idx_r */
    int64_t sm = e->idx_m < 90 ? 0 : e->idx_m < 100 ? 80 : e->idx_m < 110 ? 100 : 120;
    int64_t sn = n >= e->plan_new ? 100 : 0;
    int64_t sq = e->qtarget * 10 * 100 / 80 >= 100 ? 110 : 80; /* quality / 0.8 */
    int64_t sd = 100;
    return 35 * sr + 25 * sm + 15 * sn + 15 * sq + 10 * sd;
}

/* Choose a target bonus so that target * kpi * multiplier ends in exactly half
 * a kopeck, and record the exact payout.  Returns 0 when it cannot. */
static int tie_place(Gen *g, Emp *e)
{
    int64_t k5 = tie_kpi(e) * dept_mult(g, e->dept); /* units of 1e-5 */
    int64_t cap5 = e->grade == 'A' ? 200000 : 150000;
    if (k5 == 0 || k5 >= cap5 || 50000 % gcd64(k5, 100000) != 0)
        return 0;
    for (int64_t t = e->target; t < e->target + 100000; t++) {
        if (t * k5 % 100000 != 50000)
            continue;
        int64_t bonus7 = t * k5;              /* units of 1e-7 roubles */
        int64_t pen7 = 90 * e->idle * 100000; /* 90 roubles/hour * hours */
        if (bonus7 <= pen7)
            return 0;
        e->target = t;
        int64_t rest7 = bonus7 - pen7;        /* ends in half a kopeck */
        e->expected = e->salary + (rest7 + 50000) / 100000;
        return 1;
    }
    return 0;
}

static void roster_fill(Gen *g)
{
    for (long i = 0; i < g->o.employees; i++) {
        Emp *e = &g->e[i];
        Rng *r = &e->rng;
        int64_t base = e->grade == 'A' ? 90000 : e->grade == 'B' ? 70000 : 55000;
        e->salary = (base + 500 * rng_below(r, 21)) * 100;
        e->target = e->salary * (30 + rng_below(r, 21)) / 100 + rng_below(r, 100);
        if (e->kind == KIND_TIE && !tie_place(g, e))
            e->kind = KIND_NORMAL;
    }
}

static void gen_roster(Gen *g)
{
    Out o;
    out_open(&o, g->o.out, "roster.csv");
    char c = g->d.delim;
    out_str(&o, g->d.ru ? "employee;name;department;grade;salary;target_bonus\n"
                        : "employee,name,department,grade,salary,target_bonus\n");
    for (long i = 0; i < g->o.employees; i++) {
        const Emp *e = &g->e[i];
        uint64_t h = rng_for(g->o.seed ^ 0x4e414d45, (uint64_t)i).s;
        out_id(&o, g, i);
        out_ch(&o, c);
        out_str(&o, surnames[h % 16]);
        out_ch(&o, ' ');
        out_str(&o, firsts[(h >> 8) % 12]);
        out_ch(&o, c);
        out_dept(&o, e->dept);
        out_ch(&o, c);
        out_ch(&o, e->grade);
        out_ch(&o, c);
        out_fixed(&o, e->salary, 2, g->d.dec);
        out_ch(&o, c);
        out_fixed(&o, e->target, 2, g->d.dec);
        out_ch(&o, '\n');
    }
    out_close(&o);
}

/* cases.csv: the employees placed on edges, and the exact payout of ties. */
static void gen_cases(Gen *g)
{
    Out o;
    out_open(&o, g->o.out, "cases.csv");
    out_str(&o, "employee,case,expected_payout\n");
    for (long i = 0; i < g->o.employees; i++) {
        const Emp *e = &g->e[i];
        int kind = e->kind;
        if (kind == KIND_NORMAL && dept_is_edge(e->dept) && g->absorber[e->dept] >= 0)
            kind = KIND_ABSORBER; /* every member of an edge department */
        if (kind == KIND_NORMAL)
            continue;
        out_id(&o, g, i);
        out_ch(&o, ',');
        out_str(&o, kind_names[kind]);
        out_ch(&o, ',');
        if (kind == KIND_TIE)
            out_fixed(&o, e->expected, 2, '.');
        out_ch(&o, '\n');
    }
    out_close(&o);
}

/* ---- the evaluation bench: pre-aggregated facts, 1 000 000 employees ----- */

static void gen_eval(Gen *g)
{
    Out ro, to;
    out_open(&ro, g->o.out, "roster.csv");
    out_open(&to, g->o.out, "totals.csv");
    out_str(&ro, "employee,department,salary,target_bonus\n");
    out_str(&to, "employee");
    for (int k = 1; k <= 10; k++) {
        char tmp[32];
        snprintf(tmp, sizeof tmp, ",f%d,p%d", k, k);
        out_str(&to, tmp);
    }
    out_ch(&to, '\n');
    for (long i = 0; i < g->o.employees; i++) {
        Rng r = rng_for(g->o.seed, (uint64_t)i + 1);
        int64_t salary = (50000 + 500 * rng_below(&r, 81)) * 100;
        out_id(&ro, g, i);
        out_ch(&ro, ',');
        out_dept(&ro, rng_below(&r, g->ndept));
        out_ch(&ro, ',');
        out_fixed(&ro, salary, 2, '.');
        out_ch(&ro, ',');
        out_fixed(&ro, salary * (30 + rng_below(&r, 21)) / 100, 2, '.');
        out_ch(&ro, '\n');
        out_id(&to, g, i);
        for (int k = 0; k < 10; k++) {
            int64_t plan = (100 + rng_below(&r, 900)) * KOP_PER_K;
            int64_t fact = plan * (600 + rng_below(&r, 700)) / 1000 + rng_below(&r, 100);
            out_ch(&to, ',');
            out_fixed(&to, fact, 2, '.');
            out_ch(&to, ',');
            out_fixed(&to, plan, 2, '.');
        }
        out_ch(&to, '\n');
    }
    out_close(&ro);
    out_close(&to);
}

/* ---- a scheme with N indicators (compile-time bench) --------------------- */

static void scheme_tables(void)
{
    puts("import scales\nallow K0805\n");
    puts("roster staff from \"roster.csv\" {\n    employee   employee: text\n"
         "    department department: text\n    salary: money\n    target_bonus: money\n}\n");
    puts("plans plan from \"plans.csv\" {\n    employee employee: text\n    period   month: period\n"
         "    revenue: money nonzero\n    margin: money nonzero\n    new_clients: integer nonzero\n"
         "    deals: integer nonzero\n}\n");
    puts("facts deals from \"deals.csv\" {\n    employee employee: text\n    date     paid_on: date\n"
         "    client: text\n    amount: money\n    cost: money\n    status: text\n    is_new: bool\n}\n");
}

/* Indicator k of n.  Row conditions repeat every 20 indicators (a fact
 * table's row program holds at most 250 vectors); plans and scales differ. */
static void scheme_indicator(long k, long n)
{
    static const char *const st[] = {"paid", "pending", "cancelled", "refunded"};
    long t = k / 4 % 5;
    printf("indicator i%ld \"Indicator %ld\" {\n", k, k);
    switch (k % 4) {
    case 0:
        printf("    fact   = sum(amount from deals where status = \"%s\" and amount > %ld)\n",
               st[k / 40 % 4], t * 1000);
        printf("    plan   = plan.revenue * %ld%%\n", 1 + k % 90);
        break;
    case 1:
        printf("    fact   = sum(amount - cost from deals where amount >= %ld)\n", t * 500);
        printf("    plan   = plan.margin * %ld%%\n", 50 + k % 90);
        break;
    case 2:
        printf("    fact   = count(distinct client from deals where is_new and amount > %ld)\n", t * 100);
        printf("    plan   = plan.new_clients\n");
        break;
    default:
        printf("    fact   = count(deals where status = \"%s\")\n", st[t % 4]);
        printf("    plan   = plan.deals * %ld%%\n", 80 + k % 40);
        break;
    }
    /* weights in thousandths of a percent, adding up to 100% */
    long w = 100000 / n + (k < 100000 % n ? 1 : 0);
    printf("    weight = %ld.%03ld%%\n", w / 1000, w % 1000);
    if (k % 3 == 0)
        printf("    score  = linear(index, cutoff: %ld%%, cap: %ld%%)\n", 50 + k % 40, 110 + k % 50);
    else if (k % 3 == 1)
        printf("    score  = bands {\n        index < 90%%          -> 0%%\n"
               "        90%% <= index < 100%%  -> %ld%%\n        100%% <= index < 110%% -> 100%%\n"
               "        index >= 110%%        -> 120%%\n    }\n", 50 + k % 40);
    else
        printf("    score  = pass_fail(index, threshold: %ld%%)\n", 80 + k % 30);
    if (k > 0 && k % 5 == 0)
        printf("    only if i%ld.index >= 95%%\n", k - 1);
    puts("}\n");
}

static void gen_scheme(long n)
{
    printf("# Generated by bench-gen --scheme-indicators %ld: a scheme with %ld indicators.\n", n, n);
    puts("scheme \"bench: many indicators\"\nperiod month\n");
    scheme_tables();
    for (long k = 0; k < n; k++)
        scheme_indicator(k, n);
    puts("payout = staff.salary + staff.target_bonus * kpi");
}

/* ---- options ------------------------------------------------------------ */

static void usage(void)
{
    fputs("usage: bench-gen [--employees N] [--deals-per-employee N] [--calls-per-employee N]\n"
          "                 [--period YYYY-MM] [--format iso|ru] [--seed N] --out DIR\n"
          "       bench-gen --eval [--employees N] --out DIR\n"
          "       bench-gen --scheme-indicators N > scheme.kpi\n",
          stderr);
    exit(2);
}

static long num_arg(const char *s, long lo, long hi)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < lo || v > hi) {
        fprintf(stderr, "bench-gen: '%s' is not a number from %ld to %ld\n", s, lo, hi);
        exit(2);
    }
    return v;
}

static void parse(Opts *o, int argc, char **argv)
{
    memset(o, 0, sizeof *o);
    o->employees = 10000;
    o->deals = 1000;
    o->calls = 200;
    o->year = 2026;
    o->month = 10;
    o->seed = 20261001;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--eval")) {
            o->eval = 1;
            continue;
        }
        if (!v)
            usage();
        i++;
        if (!strcmp(a, "--employees"))
            o->employees = num_arg(v, 1, 10000000);
        else if (!strcmp(a, "--deals-per-employee"))
            o->deals = num_arg(v, 1, 100000);
        else if (!strcmp(a, "--calls-per-employee"))
            o->calls = num_arg(v, 0, 100000);
        else if (!strcmp(a, "--scheme-indicators"))
            o->scheme_indicators = num_arg(v, 1, 10000);
        else if (!strcmp(a, "--seed"))
            o->seed = (uint64_t)num_arg(v, 0, 0x7fffffffL);
        else if (!strcmp(a, "--out"))
            o->out = v;
        else if (!strcmp(a, "--format") && (!strcmp(v, "iso") || !strcmp(v, "ru")))
            o->ru = !strcmp(v, "ru");
        else if (!strcmp(a, "--period") && strlen(v) == 7 && v[4] == '-') {
            o->year = (int)num_arg((char[5]){v[0], v[1], v[2], v[3], 0}, 1901, 9998);
            o->month = (int)num_arg(v + 5, 1, 12);
        } else
            usage();
    }
    if (!o->scheme_indicators && !o->out)
        usage();
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (!p) {
        fprintf(stderr, "bench-gen: out of memory\n");
        exit(1);
    }
    return p;
}

int main(int argc, char **argv)
{
    Gen g;
    memset(&g, 0, sizeof g);
    parse(&g.o, argc, argv);
    if (g.o.scheme_indicators) {
        gen_scheme(g.o.scheme_indicators);
        return fflush(stdout) != 0;
    }
    if (mkdir(g.o.out, 0777) != 0 && errno != EEXIST)
        die("cannot create", g.o.out);
    g.ndept = g.o.employees / 50 > 0 ? g.o.employees / 50 : 1;
    g.idw = 5;
    for (long lim = 100000; g.o.employees + 100 >= lim; lim *= 10)
        g.idw++;
    if (g.o.eval) {
        gen_eval(&g);
        return 0;
    }
    dialect_init(&g.d, g.o.ru, g.o.year, g.o.month);
    g.e = xcalloc((size_t)g.o.employees, sizeof *g.e);
    g.dept_rev = xcalloc((size_t)g.ndept, sizeof *g.dept_rev);
    g.absorber = xcalloc((size_t)g.ndept, sizeof *g.absorber);
    g.dplan = xcalloc((size_t)g.ndept, sizeof *g.dplan);
    for (long i = 0; i < g.o.employees; i++)
        emp_init(&g, i);
    absorbers_pick(&g);
    gen_deals(&g);
    gen_calls(&g);
    gen_idle(&g);
    plans_fill(&g);
    gen_plans(&g);
    dept_plans_fill(&g);
    gen_dept_plans(&g);
    roster_fill(&g);
    gen_roster(&g);
    gen_cases(&g);
    free(g.e);
    free(g.dept_rev);
    free(g.absorber);
    free(g.dplan);
    return 0;
}
