/* bench/ceiling.c - bench/eval.kpi written by hand in C, exact: how fast
 * can any VM evaluate it with kpirun's arithmetic?
 *
 *   bench-ceiling DIR
 *       DIR holds roster.csv and totals.csv (bench-gen --eval). Reads them
 *       (not timed), then evaluates every employee as bench/eval.kpi does:
 *       indices, scales, gates and contributions in 64- and 128-bit integers
 *       with the types known in advance (what a compiler with perfect type
 *       knowledge would emit), and the kpi sum, the bonus and the payout with
 *       libkpi's own rationals (vm/num.h), in the order kpirun adds them, so
 *       that a sum past 128 bits falls back to the same decimal. Prints the
 *       payouts as CSV (employee,payout) on standard output and on standard
 *       error "EVALUATED SECONDS": the employees and the evaluation's time.
 *       The payouts must equal kpirun's (bench/run.sh compares them).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vm/num.h"

#define NIND 10

typedef struct {
    char    *id;
    uint32_t dept;
    int64_t  salary, target; /* kopecks */
    int64_t  f[NIND], p[NIND];
} Emp;

static void die(const char *msg)
{
    fprintf(stderr, "bench-ceiling: %s\n", msg);
    exit(1);
}

/* "123.45" or "123" into kopecks. */
static int64_t kopecks(const char *s)
{
    int64_t v = 0, sign = 1;
    if (*s == '-') {
        sign = -1;
        s++;
    }
    for (; *s >= '0' && *s <= '9'; s++)
        v = v * 10 + (*s - '0');
    int frac = 0;
    if (*s == '.')
        for (s++; *s >= '0' && *s <= '9' && frac < 2; s++, frac++)
            v = v * 10 + (*s - '0');
    for (; frac < 2; frac++)
        v *= 10;
    return sign * v;
}

/* Splits a line at commas in place; returns the field count. */
static int split(char *line, char **f, int max)
{
    int n = 0;
    line[strcspn(line, "\r\n")] = '\0';
    for (char *s = line; n < max;) {
        f[n++] = s;
        char *c = strchr(s, ',');
        if (!c)
            break;
        *c = '\0';
        s = c + 1;
    }
    return n;
}

static FILE *open_in(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "r");
    if (!fp)
        die("cannot open an input file");
    return fp;
}

/* Departments numbered by name, by a linear-probing table of their texts. */
typedef struct {
    char   **name;
    uint32_t *id;
    size_t   cap;
    uint32_t n;
} Depts;

static uint32_t dept_id(Depts *d, const char *name)
{
    uint64_t h = 1469598103934665603ull;
    for (const char *s = name; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    size_t i = h & (d->cap - 1);
    while (d->name[i] && strcmp(d->name[i], name) != 0)
        i = (i + 1) & (d->cap - 1);
    if (!d->name[i]) {
        d->name[i] = strdup(name);
        d->id[i] = d->n++;
    }
    return d->id[i];
}

/* Both files list the employees in the same (key) order: bench-gen's. */
static Emp *load(const char *dir, uint32_t *nemp, uint32_t *ndept)
{
    FILE *ros = open_in(dir, "roster.csv"), *tot = open_in(dir, "totals.csv");
    char a[4096], b[4096], *fa[8], *fb[2 * NIND + 2];
    if (!fgets(a, sizeof a, ros) || !fgets(b, sizeof b, tot))
        die("an input file has no header");
    size_t cap = 1024, n = 0;
    Emp *e = malloc(sizeof(Emp) * cap);
    Depts d = {calloc(1u << 22, sizeof(char *)), calloc(1u << 22, sizeof(uint32_t)), 1u << 22, 0};
    while (fgets(a, sizeof a, ros) && fgets(b, sizeof b, tot)) {
        if (split(a, fa, 8) != 4 || split(b, fb, 2 * NIND + 2) != 2 * NIND + 1 || strcmp(fa[0], fb[0]) != 0)
            die("roster.csv and totals.csv do not line up");
        if (n == cap)
            e = realloc(e, sizeof(Emp) * (cap *= 2));
        Emp *x = &e[n++];
        x->id = strdup(fa[0]);
        x->dept = dept_id(&d, fa[1]);
        x->salary = kopecks(fa[2]);
        x->target = kopecks(fa[3]);
        for (int i = 0; i < NIND; i++) {
            x->f[i] = kopecks(fb[1 + 2 * i]); /* f1,p1,f2,p2,... */
            x->p[i] = kopecks(fb[2 + 2 * i]);
        }
    }
    fclose(ros);
    fclose(tot);
    *nemp = (uint32_t)n;
    *ndept = d.n;
    return e;
}

/* index = f / p against the constant a / b: sign of f*b - a*p (p > 0). */
static inline int cmp_index(int64_t f, int64_t p, int64_t a, int64_t b)
{
    i128 l = (i128)f * b, r = (i128)a * p;
    return (l > r) - (l < r);
}

static inline Rat q(int64_t n, int64_t d) { return (Rat){n, d}; }

/* linear(index, cutoff, cap): 0 below the cutoff, else min(index, cap). */
static Rat linear(int64_t f, int64_t p, int64_t ca, int64_t cb, int64_t ka, int64_t kb)
{
    if (cmp_index(f, p, ca, cb) < 0)
        return q(0, 1);
    return cmp_index(f, p, ka, kb) <= 0 ? q(f, p) : q(ka, kb);
}

/* The score of each indicator, as bench/eval.kpi gives it. */
static void scores(const Emp *x, Rat *s)
{
    const int64_t *f = x->f, *p = x->p;
    s[0] = cmp_index(f[1], p[1], 95, 100) >= 0 ? linear(f[0], p[0], 4, 5, 6, 5) : q(0, 1);
    s[1] = cmp_index(f[1], p[1], 9, 10) < 0 ? q(0, 1)
         : cmp_index(f[1], p[1], 1, 1) < 0  ? q(4, 5)
         : cmp_index(f[1], p[1], 11, 10) < 0 ? q(1, 1)
                                             : q(6, 5);
    s[2] = cmp_index(f[2], p[2], 1, 1) >= 0 ? q(1, 1) : q(0, 1);
    s[3] = linear(f[3], p[3], 7, 10, 13, 10);
    s[4] = cmp_index(f[4], p[4], 3, 4) < 0 ? q(0, 1) : cmp_index(f[4], p[4], 1, 1) < 0 ? q(4, 5) : q(11, 10);
    Rat tp = cmp_index(f[5], p[5], 4, 5) < 0   ? q(0, 1)
           : cmp_index(f[5], p[5], 6, 5) < 0   ? q(5 * f[5] - 3 * p[5], 2 * p[5]) /* 2.5 index - 1.5 */
                                               : q(3, 2);
    s[5] = cmp_index(f[1], p[1], 9, 10) >= 0 ? tp : q(0, 1);
    s[6] = cmp_index(f[6], p[6], 9, 10) >= 0 ? q(1, 1) : q(0, 1);
    s[7] = linear(f[7], p[7], 1, 2, 3, 2);
    s[8] = cmp_index(f[8], p[8], 4, 5) < 0 ? q(0, 1)
         : cmp_index(f[8], p[8], 1, 1) < 0 ? q(1, 2)
         : cmp_index(f[8], p[8], 6, 5) < 0 ? q(1, 1)
                                           : q(13, 10);
    s[9] = cmp_index(f[0], p[0], 4, 5) >= 0 ? linear(f[9], p[9], 9, 10, 11, 10) : q(0, 1);
}

static Rat add(Rat a, Rat b)
{
    Rat r;
    if (rat_add(a, b, &r) > NUM_INEXACT)
        die("a sum out of range");
    return r;
}

static Rat mul(Rat a, Rat b)
{
    Rat r;
    if (rat_mul(a, b, &r) > NUM_INEXACT)
        die("a product out of range");
    return r;
}

/* kpi = sum of weight * score, added in kpirun's order (its codegen's
 * balanced tree), so that a sum past 128 bits rounds the same way. */
static Rat kpi_of(const Rat *s)
{
    static const int64_t w[NIND][2] = {{1, 5}, {3, 20}, {1, 10}, {1, 10}, {1, 20},
                                       {1, 10}, {1, 20}, {1, 10}, {1, 20}, {1, 10}};
    Rat c[NIND];
    for (int i = 0; i < NIND; i++)
        c[i] = mul(q(w[i][0], w[i][1]), s[i]);
    Rat left = add(add(c[0], c[1]), add(c[2], add(c[3], c[4])));
    Rat right = add(add(c[5], c[6]), add(c[7], add(c[8], c[9])));
    return add(left, right);
}

static Rat payout_of(const Emp *x, Rat kpi, Rat mult)
{
    Rat tb = q(x->target, 100), bonus = mul(mul(tb, kpi), mult), cap = q(2 * x->target, 100), out;
    if (rat_cmp(bonus, cap) > 0)
        bonus = cap;
    if (rat_round_to(add(q(x->salary, 100), bonus), q(1, 100), ROUND_HALF_AWAY, &out) > NUM_INEXACT)
        die("a payout out of range");
    return out;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: bench-ceiling DIR\n", stderr);
        return 2;
    }
    uint32_t n, nd;
    Emp *e = load(argv[1], &n, &nd);
    Rat *pay = malloc(sizeof(Rat) * (n ? n : 1));
    int64_t *df = calloc(nd ? nd : 1, sizeof(int64_t)), *dp = calloc(nd ? nd : 1, sizeof(int64_t));
    double t0 = now();
    for (uint32_t i = 0; i < n; i++) { /* the team: department sums of i1's fact and plan */
        df[e[i].dept] += e[i].f[0];
        dp[e[i].dept] += e[i].p[0];
    }
    for (uint32_t i = 0; i < n; i++) {
        Rat s[NIND], mult;
        scores(&e[i], s);
        int64_t F = df[e[i].dept], P = dp[e[i].dept];
        if (P == 0 || cmp_index(F, P, 95, 100) < 0) /* dept_index = F / P default 0 */
            mult = q(1, 1);
        else
            mult = cmp_index(F, P, 105, 100) < 0 ? q(11, 10) : q(6, 5);
        pay[i] = payout_of(&e[i], kpi_of(s), mult);
    }
    double t = now() - t0;
    fputs("employee,payout\n", stdout);
    for (uint32_t i = 0; i < n; i++) {
        char buf[96];
        rat_format_fixed(buf, sizeof buf, pay[i], 2, ROUND_HALF_AWAY);
        printf("%s,%s\n", e[i].id, buf);
    }
    fprintf(stderr, "%u %.6f\n", n, t);
    return 0;
}
