/* test_parser.c - the grammar: tree shapes, and syntax errors reported all
 * at once, located, with the source line and a caret. */
#include "tests/unit/testutil.h"

#include <stdio.h>
#include <stdlib.h>

#include "base/alloc.h"
#include "compiler/override.h"
#include "grammar/parse.h"

typedef struct Parsed {
    Arena     arena;
    SourceSet src;
    DiagList  diags;
    Ast       ast;
    bool      ok;
    Buf       dump, msgs;
} Parsed;

static void parse(Parsed *p, const char *text)
{
    memset(p, 0, sizeof *p);
    arena_init(&p->arena);
    sources_init(&p->src);
    diag_init(&p->diags);
    uint16_t f = sources_add(&p->src, "t.kpi", kpi_strdup(text), strlen(text));
    p->ok = parse_source(&p->arena, &p->src, f, &p->diags, &p->ast);
    ast_dump(&p->ast, &p->dump);
    diag_sort(&p->diags);
    diag_render(&p->diags, &p->src, &p->msgs);
    buf_cstr(&p->dump);
    buf_cstr(&p->msgs);
}

static void done(Parsed *p)
{
    arena_free(&p->arena);
    sources_free(&p->src);
    diag_free(&p->diags);
    buf_free(&p->dump);
    buf_free(&p->msgs);
}

static void assert_dump(const char *text, const char *want)
{
    Parsed p;
    parse(&p, text);
    if (!p.ok || strcmp(p.dump.data, want) != 0)
        print_message("dump:\n%s\nmessages:\n%s\n", p.dump.data, p.msgs.data);
    assert_true(p.ok);
    assert_string_equal(p.dump.data, want);
    done(&p);
}

static void test_precedence(void **state)
{
    (void)state;
    assert_dump("let x = 1 + 2 * 3 - -4 / 5\n", "let x = (- (+ 1 (* 2 3)) (/ (- 4) 5))\n");
    assert_dump("let x = a or b and not c\n", "let x = (or a (and b (not c)))\n");
    assert_dump("let x = a / b default 0\n", "let x = (default (/ a b) 0)\n");
    assert_dump("let x = if a > 1 then b else c + 1\n", "let x = (if (chain a > 1) b (+ c 1))\n");
}

static void test_chain_and_percent(void **state)
{
    (void)state;
    assert_dump("let x = 90% <= index < 100%\n", "let x = (chain 90% <= index < 100%)\n");
}

static void test_calls_and_aggregates(void **state)
{
    (void)state;
    assert_dump("let x = sum(amount - cost from deals where status = \"won\")\n",
                "let x = (call sum (- amount cost) from deals where (chain status = \"won\"))\n");
    assert_dump("let x = count(distinct client from deals)\n",
                "let x = (call count distinct client from deals)\n");
    assert_dump("let x = sum(q1..q18 from calls)\n", "let x = (call sum q1..q18 from calls)\n");
    assert_dump("let x = linear(index, cutoff: 80%, cap: 120%)\n",
                "let x = (call linear index cutoff: 80% cap: 120%)\n");
    assert_dump("let x = count(deals where won)\n", "let x = (call count deals where won)\n");
}

static void test_bands_rows(void **state)
{
    (void)state;
    assert_dump("let s = bands {\n  x < 90% -> -20%\n  90% <= x -> 100%\n  else -> 0\n}\n",
                "let s = (bands [(chain x < 90%) -> (- 20%)] [(chain 90% <= x) -> 100%] [else -> 0])\n");
}

/* Inside { } line ends separate rows even when the braces sit in ( ). */
static void test_bands_in_parentheses(void **state)
{
    (void)state;
    assert_dump("let k = min(bands {\n  x < 1 -> 1\n  else -> 2\n}, 5)\n",
                "let k = (call min (bands [(chain x < 1) -> 1] [else -> 2]) 5)\n");
}

static void test_declarations(void **state)
{
    (void)state;
    assert_dump("scheme \"S\"\nperiod month\nimport scales\n", "scheme \"S\"\nsetting period month\nimport scales\n");
    assert_dump("facts deals from \"d.csv\" {\n  format ru\n  employee m: text \"Менеджер\"\n"
                "  date on: date\n  q1..q3: score empty zero\n}\n",
                "facts deals from \"d.csv\"\n  format ru\n  column employee m: text \"Менеджер\"\n"
                "  column date on: date\n  column q1: score empty zero\n  column q2: score empty zero\n"
                "  column q3: score empty zero\n");
    assert_dump("indicator r \"Выручка\" {\n  fact = 1\n  weight = 40%\n  only if m.index >= 95%\n}\n",
                "indicator r \"Выручка\"\n  fact = 1\n  weight = 40%\n  only if (chain m.index >= 95%)\n");
    assert_dump("scale lin(x, cap = 120%) = min(x, cap)\n", "scale lin(x, cap = 120%) = (call min x cap)\n");
    /* a field after 'only if' does not overwrite the condition */
    assert_dump("indicator r {\n  fact = 1\n  only if a > 5\n  weight = 100%\n}\n",
                "indicator r\n  fact = 1\n  weight = 100%\n  only if (chain a > 5)\n");
    assert_dump("roles by s.role {\n  \"SDR\": a 40%, b\n  else: c\n}\n",
                "roles by s.role\n  \"SDR\": a 40% b\n  else: c\n");
    assert_dump("team t by s.dept { total = sum(r.fact) }\n", "team t by s.dept\n  total = (call sum r.fact)\n");
    assert_dump("payout = salary + bonus\n", "payout = (+ salary bonus)\n");
    /* `blank` is a keyword, `bonus` a result, yet both read where a word is due */
    assert_dump("roster s from \"r.csv\" {\n  empty blank\n  bonus: money empty blank\n}\nlet b = s.bonus\n",
                "roster s from \"r.csv\"\n  empty blank\n  column bonus: money empty blank\nlet b = s.bonus\n");
}

/* One run reports every syntax error, each at its place. */
static void test_all_errors_reported(void **state)
{
    (void)state;
    Parsed p;
    parse(&p, "let a = 1 +\nlet b = (2\nlet c = 3 3\nindicator x {\n  fact = = 1\n  plan = 2\n}\nlet d = 4\n");
    assert_false(p.ok);
    assert_true(p.diags.errors >= 3);
    assert_non_null(strstr(p.msgs.data, "t.kpi:2:1: error[K0101]: unexpected 'let'"));
    assert_non_null(strstr(p.msgs.data, "t.kpi:5:10: error[K0101]: unexpected '='"));
    /* the declaration after the errors is still read */
    assert_non_null(strstr(p.dump.data, "let d = 4"));
    done(&p);
}

static void test_message_has_line_and_caret(void **state)
{
    (void)state;
    Parsed p;
    parse(&p, "let x = 1\nlet выручка = план ++ 2 3\n");
    assert_string_equal(p.msgs.data,
                        "t.kpi:2:25: error[K0101]: unexpected number '3', expected end of line or ';'\n"
                        " 2 | let выручка = план ++ 2 3\n"
                        "   |                         ^\n");
    done(&p);
}

static void test_help_for_missing_else(void **state)
{
    (void)state;
    Parsed p;
    parse(&p, "let x = if a then b\n");
    assert_non_null(strstr(p.msgs.data, "help: every 'if ... then ...' needs an 'else' part"));
    done(&p);
}

static void test_help_for_operator_on_next_line(void **state)
{
    (void)state;
    Parsed p;
    parse(&p, "let x = 1\n  + 2\n");
    assert_non_null(strstr(p.msgs.data, "t.kpi:2:3: error[K0101]: unexpected '+'"));
    assert_non_null(strstr(p.msgs.data, "end the line with the operator"));
    done(&p);
}

static void test_missing_let(void **state)
{
    (void)state;
    Parsed p;
    parse(&p, "x = 1\n");
    assert_non_null(strstr(p.msgs.data, "t.kpi:1:1: error[K0107]: a value is defined with 'let'"));
    done(&p);
    parse(&p, "scheme Премия\n");
    assert_non_null(strstr(p.msgs.data, "t.kpi:1:8: error[K0107]: the scheme's name is written in quotes\n"));
    assert_non_null(strstr(p.msgs.data, "help: scheme \"Премия\""));
    done(&p);
}

static void test_bad_range(void **state)
{
    (void)state;
    assert_dump("facts f from \"f.csv\" { m09..m11: score }\n",
                "facts f from \"f.csv\"\n  column m09: score\n  column m10: score\n  column m11: score\n");
    Parsed p;
    parse(&p, "facts f from \"f.csv\" { a1..b3: score }\n");
    assert_non_null(strstr(p.msgs.data, "'a1..b3' is not a range of numbered names, like q1..q18"));
    done(&p);
}

static char *nested(int depth)
{
    char *s = kpi_malloc((size_t)depth * 2 + 32);
    size_t n = (size_t)sprintf(s, "let x = ");
    for (int i = 0; i < depth; i++)
        s[n++] = '(';
    s[n++] = '1';
    for (int i = 0; i < depth; i++)
        s[n++] = ')';
    strcpy(s + n, "\n");
    return s;
}

/* KPI_MAX_EXPR_DEPTH levels are fine; one more is a located error. */
static void test_depth_limit(void **state)
{
    (void)state;
    Parsed p;
    char *ok = kpi_malloc(64 + 4 * KPI_MAX_EXPR_DEPTH);
    size_t n = (size_t)sprintf(ok, "let x = ");
    for (int i = 1; i < KPI_MAX_EXPR_DEPTH; i++)
        n += (size_t)sprintf(ok + n, "-");
    sprintf(ok + n, "1\n");
    parse(&p, ok);
    assert_true(p.ok);
    done(&p);
    kpi_free(ok);
    char *deep = kpi_malloc(64 + 4 * KPI_MAX_EXPR_DEPTH);
    n = (size_t)sprintf(deep, "let x = ");
    for (int i = 0; i < KPI_MAX_EXPR_DEPTH; i++)
        n += (size_t)sprintf(deep + n, "-");
    sprintf(deep + n, "1\n");
    parse(&p, deep);
    assert_false(p.ok);
    assert_non_null(strstr(p.msgs.data, "expression nests 257 levels deep; the limit is 256"));
    done(&p);
    kpi_free(deep);
    /* a million parentheses: one located error, no crash */
    char *huge = nested(1000000);
    parse(&p, huge);
    assert_false(p.ok);
    assert_non_null(strstr(p.msgs.data, "t.kpi:1:"));
    done(&p);
    kpi_free(huge);
}

/* test blocks: given/expect read NAME = VALUE, row cells, dates as text */
static void test_test_blocks(void **state)
{
    (void)state;
    assert_dump("test \"t\" {\n    period 2026-10\n    employee \"E01\"\n    given plan.revenue = 1000\n"
                "    row deals { amount: 5, paid_on: 2026-10-05 }\n    expect revenue.index ~ 145.45%\n}\n",
                "test \"t\"\n  period (- 2026 10)\n  employee \"E01\"\n  given plan.revenue = 1000\n"
                "  row deals amount: 5, paid_on: (- (- 2026 10) 5)\n  expect revenue.index ~ 145.45%\n");
    assert_dump("test \"one line\" { expect payout = 1 }\nlet test = 2\n",
                "test \"one line\"\n  expect payout = 1\nlet test = 2\n");
    Parsed p;
    parse(&p, "test \"t\" {\n    given x 1\n    expect y\n    verify z = 1\n    given a ~ 1\n}\n");
    assert_false(p.ok);
    assert_non_null(strstr(p.msgs.data, "t.kpi:2:13: error[K0101]: unexpected number '1'"));
    assert_non_null(strstr(p.msgs.data, "t.kpi:3:5: error[K1101]: expected NAME = VALUE after 'expect'"));
    assert_non_null(strstr(p.msgs.data, "t.kpi:4:5: error[K1101]: a test has no statement 'verify'"));
    assert_non_null(strstr(p.msgs.data, "t.kpi:5:5: error[K1101]: '~' compares a value rounded"));
    done(&p);
}

/* The constants of tests and --set: dates, percentages and their digits. */
static void test_test_literals(void **state)
{
    (void)state;
    static const struct { const char *text; int type; int digits; } cases[] = {
        {"let x = 2026-10-05\n", T_DATE, 0}, {"let x = 145.45%\n", T_NUM, 4}, {"let x = -12.5\n", T_NUM, 1},
        {"let x = \"a\"\n", T_TEXT, 0},   {"let x = blank\n", T_ANY, 0},  {"let x = true\n", T_BOOL, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Parsed p;
        TestConst k;
        parse(&p, cases[i].text);
        assert_true(test_const(p.ast.decls[0]->u.value, cases[i].text, &k));
        assert_int_equal(k.type, cases[i].type);
        assert_int_equal(k.digits, cases[i].digits);
        done(&p);
    }
    static const char *const bad[] = {"let x = 2026-02-30\n", "let x = 2026 - 10\n", "let x = 1 + 2\n",
                                      "let x = -\"a\"\n", "let x = y\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        Parsed p;
        TestConst k;
        parse(&p, bad[i]);
        assert_false(test_const(p.ast.decls[0]->u.value, bad[i], &k));
        done(&p);
    }
}

/* --set NAME=VALUE is read from offset 6 of "--set NAME=VALUE": spans stay in the option. */
static void test_parse_set(void **state)
{
    (void)state;
    Arena a;
    SourceSet src;
    DiagList d;
    arena_init(&a);
    sources_init(&src);
    diag_init(&d);
    const char *ok = "--set plan.revenue=120%";
    uint16_t f = sources_add(&src, "<command line>", kpi_strdup(ok), strlen(ok));
    Expr *e;
    assert_true(parse_set(&a, &src, f, 6, &d, &e));
    assert_int_equal(e->kind, E_CHAIN);
    assert_int_equal(e->u.chain.terms[0]->span.start, 6);
    assert_int_equal(e->u.chain.terms[1]->span.start, 19);
    const char *bad = "--set rate=1 2";
    f = sources_add(&src, "<command line>", kpi_strdup(bad), strlen(bad));
    assert_false(parse_set(&a, &src, f, 6, &d, &e));
    Buf msgs = BUF_INIT;
    diag_render(&d, &src, &msgs);
    assert_non_null(strstr(buf_cstr(&msgs), "<command line>:1:14: error[K0101]: unexpected number '2'"));
    buf_free(&msgs);
    diag_free(&d);
    sources_free(&src);
    arena_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_chain_and_percent),
        cmocka_unit_test(test_calls_and_aggregates),
        cmocka_unit_test(test_bands_rows),
        cmocka_unit_test(test_bands_in_parentheses),
        cmocka_unit_test(test_declarations),
        cmocka_unit_test(test_all_errors_reported),
        cmocka_unit_test(test_message_has_line_and_caret),
        cmocka_unit_test(test_help_for_missing_else),
        cmocka_unit_test(test_help_for_operator_on_next_line),
        cmocka_unit_test(test_missing_let),
        cmocka_unit_test(test_bad_range),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_test_blocks),
        cmocka_unit_test(test_test_literals),
        cmocka_unit_test(test_parse_set),
    };
    return cmocka_run_group_tests_name("parser", tests, NULL, NULL);
}
