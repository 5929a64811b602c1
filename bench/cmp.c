/* bench/cmp.c - compare payouts to the kopeck, exactly.
 *
 *   bench-cmp REF.csv OTHER.csv [CASES.csv]
 *       REF is kpirun's CSV result, OTHER a peer's (both with a header naming
 *       the columns "employee" and "payout").  Payouts are read as decimal
 *       text, never as binary floats, and OTHER's are rounded to the kopeck
 *       (half away from zero) first.  Prints one line:
 *         "DIFFER TOTAL OUTSIDE"
 *       DIFFER: employees whose payouts differ by a kopeck or more, or who are
 *       in one file only; TOTAL: employees of REF; OUTSIDE: how many of DIFFER
 *       are not listed in CASES.csv (bench-gen's engineered edges and ties).
 *       The first few differences go to standard error.
 *   bench-cmp --expected CASES.csv REF.csv
 *       checks REF's payouts against the exact payouts bench-gen computed for
 *       the half-kopeck ties; prints "CHECKED WRONG".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *id;
    int64_t micro; /* payout in millionths of a rouble */
    int ok;        /* the payout cell parsed */
} Row;

typedef struct {
    Row *rows;
    size_t n, cap;
} Table;

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n);
    if (!p) {
        fputs("bench-cmp: out of memory\n", stderr);
        exit(1);
    }
    return p;
}

/* Splits a CSV line in place (quotes as in RFC 4180, no line breaks inside).
 * Returns the number of fields, at most max. */
static int split(char *line, char **f, int max)
{
    int n = 0;
    char *p = line;
    while (n < max) {
        char *w = p;
        f[n++] = w;
        if (*p == '"') {
            p++;
            for (;;) {
                if (*p == '"' && p[1] == '"') {
                    *w++ = '"';
                    p += 2;
                } else if (*p == '"' || !*p) {
                    if (*p)
                        p++;
                    break;
                } else {
                    *w++ = *p++;
                }
            }
        } else {
            while (*p && *p != ',')
                *w++ = *p++;
        }
        int more = *p == ',';
        *w = 0;
        if (!more)
            break;
        p++;
    }
    return n;
}

/* A decimal number ("-12.5", "1.5e+05") as millionths, truncated. */
static int parse_micro(const char *s, int64_t *out)
{
    char digits[64];
    int nd = 0, point = -1, neg = 0, exp10 = 0;
    while (*s == ' ')
        s++;
    if (*s == '-' || *s == '+')
        neg = *s++ == '-';
    for (; (*s >= '0' && *s <= '9') || *s == '.'; s++) {
        if (*s == '.') {
            if (point >= 0)
                return 0;
            point = nd;
        } else if (nd < 60) {
            digits[nd++] = *s;
        } else {
            return 0;
        }
    }
    if (nd == 0)
        return 0;
    if (*s == 'e' || *s == 'E')
        exp10 = atoi(s + 1);
    else if (*s && *s != ' ' && *s != '\r')
        return 0;
    if (point < 0)
        point = nd;
    int whole = point + exp10 + 6; /* digits before the millionths' point */
    int64_t v = 0;
    for (int i = 0; i < whole; i++) {
        if (v > INT64_MAX / 10 - 9)
            return 0;
        v = v * 10 + (i < nd ? digits[i] - '0' : 0);
    }
    *out = neg ? -v : v;
    return 1;
}

static int64_t to_kopecks(int64_t micro)
{
    return micro >= 0 ? (micro + 5000) / 10000 : -((-micro + 5000) / 10000);
}

static int column(char **f, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(f[i], name))
            return i;
    return -1;
}

static void chomp(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = 0;
}

/* Reads the columns id_col and val_col (by name) of a CSV file. */
static Table load(const char *path, const char *id_col, const char *val_col)
{
    Table t = {0};
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        exit(1);
    }
    char *line = NULL;
    size_t cap = 0;
    char *fields[4096];
    int ci = -1, cv = -1;
    while (getline(&line, &cap, f) > 0) {
        chomp(line);
        int n = split(line, fields, 4096);
        if (ci < 0) {
            ci = column(fields, n, id_col);
            cv = column(fields, n, val_col);
            if (ci < 0 || cv < 0) {
                fprintf(stderr, "bench-cmp: %s: no column %s or %s in the header\n", path, id_col, val_col);
                exit(1);
            }
            continue;
        }
        if (ci >= n || cv >= n)
            continue;
        if (t.n == t.cap) {
            t.cap = t.cap ? 2 * t.cap : 1024;
            t.rows = xrealloc(t.rows, t.cap * sizeof *t.rows);
        }
        Row *r = &t.rows[t.n++];
        r->id = strdup(fields[ci]);
        r->ok = parse_micro(fields[cv], &r->micro);
    }
    free(line);
    fclose(f);
    return t;
}

static int by_id(const void *a, const void *b)
{
    return strcmp(((const Row *)a)->id, ((const Row *)b)->id);
}

static const Row *find(const Table *t, const char *id)
{
    Row key = {(char *)id, 0, 0};
    return bsearch(&key, t->rows, t->n, sizeof key, by_id);
}

static void drop(Table *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->rows[i].id);
    free(t->rows);
}

static void fmt_kop(char *buf, size_t n, const Row *r)
{
    if (!r)
        snprintf(buf, n, "(missing)");
    else if (!r->ok)
        snprintf(buf, n, "(not a number)");
    else {
        int64_t k = to_kopecks(r->micro);
        snprintf(buf, n, "%s%lld.%02lld", k < 0 ? "-" : "", (long long)(k < 0 ? -k : k) / 100,
                 (long long)(k < 0 ? -k : k) % 100);
    }
}

static int same(const Row *a, const Row *b)
{
    return a && b && a->ok && b->ok && to_kopecks(a->micro) == to_kopecks(b->micro);
}

static void report(const char *id, const Row *a, const Row *b, size_t *shown)
{
    if ((*shown)++ >= 5)
        return;
    char x[64], y[64];
    fmt_kop(x, sizeof x, a);
    fmt_kop(y, sizeof y, b);
    fprintf(stderr, "  %s: kpirun %s, peer %s\n", id, x, y);
}

static int compare(const char *ref_path, const char *other_path, const char *cases_path)
{
    Table ref = load(ref_path, "employee", "payout");
    Table other = load(other_path, "employee", "payout");
    Table cases = {0};
    if (cases_path)
        cases = load(cases_path, "employee", "case");
    qsort(ref.rows, ref.n, sizeof *ref.rows, by_id);
    qsort(other.rows, other.n, sizeof *other.rows, by_id);
    qsort(cases.rows, cases.n, sizeof *cases.rows, by_id);
    size_t differ = 0, outside = 0, shown = 0;
    for (size_t i = 0; i < ref.n; i++) {
        const Row *a = &ref.rows[i], *b = find(&other, a->id);
        if (same(a, b))
            continue;
        differ++;
        outside += find(&cases, a->id) == NULL;
        report(a->id, a, b, &shown);
    }
    for (size_t i = 0; i < other.n; i++)
        if (!find(&ref, other.rows[i].id)) {
            differ++;
            outside++;
            report(other.rows[i].id, NULL, &other.rows[i], &shown);
        }
    printf("%zu %zu %zu\n", differ, ref.n, outside);
    drop(&ref);
    drop(&other);
    drop(&cases);
    return 0;
}

static int expected(const char *cases_path, const char *ref_path)
{
    Table cases = load(cases_path, "employee", "expected_payout");
    Table ref = load(ref_path, "employee", "payout");
    qsort(ref.rows, ref.n, sizeof *ref.rows, by_id);
    size_t checked = 0, wrong = 0, shown = 0;
    for (size_t i = 0; i < cases.n; i++) {
        if (!cases.rows[i].ok)
            continue; /* no exact payout known for this case */
        checked++;
        const Row *r = find(&ref, cases.rows[i].id);
        if (!same(&cases.rows[i], r)) {
            wrong++;
            report(cases.rows[i].id, r, &cases.rows[i], &shown);
        }
    }
    printf("%zu %zu\n", checked, wrong);
    drop(&cases);
    drop(&ref);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && !strcmp(argv[1], "--expected"))
        return expected(argv[2], argv[3]);
    if (argc == 3 || argc == 4)
        return compare(argv[1], argv[2], argc == 4 ? argv[3] : NULL);
    fputs("usage: bench-cmp REF.csv OTHER.csv [CASES.csv]\n"
          "       bench-cmp --expected CASES.csv REF.csv\n", stderr);
    return 2;
}
