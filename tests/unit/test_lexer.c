/* test_lexer.c - tokens, values, line ends and lexical errors. */
#include "tests/unit/testutil.h"

#include "base/alloc.h"
#include "grammar/parse.h"
#include "grammar/parser.h"
#define YYSTYPE KPI_YYSTYPE
#define YYLTYPE KPI_YYLTYPE
#include "grammar/lexer.h"

#define MAXTOK 64

typedef struct Lexed {
    int      tok[MAXTOK];
    YYSTYPE  val[MAXTOK];
    Span     loc[MAXTOK];
    int      n;
    Arena    arena;
    DiagList diags;
    size_t   ncomments;
} Lexed;

static void lex(Lexed *l, const char *text)
{
    memset(l, 0, sizeof *l);
    arena_init(&l->arena);
    diag_init(&l->diags);
    SourceSet src;
    sources_init(&src);
    sources_add(&src, "t.kpi", kpi_strdup(text), strlen(text));
    ParseState ps;
    memset(&ps, 0, sizeof ps);
    ps.arena = &l->arena;
    ps.diags = &l->diags;
    ps.src = &src.files[0];
    yyscan_t sc;
    assert_int_equal(kpi_yylex_init_extra(&ps, &sc), 0);
    YY_BUFFER_STATE b = kpi_yy_scan_bytes(text, (int)strlen(text), sc);
    int t;
    while ((t = kpi_yylex(&l->val[l->n], &l->loc[l->n], sc)) != 0 && l->n < MAXTOK - 1)
        l->tok[l->n++] = t;
    kpi_yy_delete_buffer(b, sc);
    kpi_yylex_destroy(sc);
    l->ncomments = ps.ncomments;
    kpi_free(ps.comments);
    sources_free(&src);
}

static void done(Lexed *l)
{
    arena_free(&l->arena);
    diag_free(&l->diags);
}

static void test_numbers_and_percent(void **state)
{
    (void)state;
    Lexed l;
    lex(&l, "110% 0.1 1_000_000 12.5%");
    assert_int_equal(l.n, 5); /* four values and the final end of line */
    assert_int_equal(l.tok[0], PERCENT);
    assert_true(rat_eq(l.val[0].num.value, (Rat){11, 10}));
    assert_int_equal(l.tok[1], NUMBER);
    assert_true(rat_eq(l.val[1].num.value, (Rat){1, 10}));
    assert_true(rat_eq(l.val[2].num.value, rat_int(1000000)));
    assert_true(rat_eq(l.val[3].num.value, (Rat){1, 8}));
    assert_int_equal(l.tok[4], NL);
    assert_int_equal(l.diags.errors, 0);
    done(&l);
}

static void test_cyrillic_names_and_keywords(void **state)
{
    (void)state;
    Lexed l;
    lex(&l, "indicator выручка_2026 \"Выручка\"");
    assert_int_equal(l.tok[0], KW_INDICATOR);
    assert_int_equal(l.tok[1], IDENT);
    assert_string_equal(l.val[1].name.s, "выручка_2026");
    /* spans are byte offsets: 'выручка_2026' is 7 Cyrillic letters (14 bytes) + 5 */
    assert_int_equal(l.loc[1].start, 10);
    assert_int_equal(l.loc[1].end, 29);
    assert_int_equal(l.tok[2], STRING);
    assert_string_equal(l.val[2].str.s, "Выручка");
    done(&l);
}

static void test_string_escapes(void **state)
{
    (void)state;
    Lexed l;
    lex(&l, "\"a\\\"b\\\\c\\nd\"");
    assert_int_equal(l.tok[0], STRING);
    assert_string_equal(l.val[0].str.s, "a\"b\\c\nd");
    assert_int_equal(l.val[0].str.len, 7);
    done(&l);
}

static void test_operators(void **state)
{
    (void)state;
    Lexed l;
    lex(&l, "a <= b >= c != d <> e == f -> g .. h");
    int want[] = {IDENT, LE, IDENT, GE, IDENT, NE, IDENT, NE, IDENT, '=', IDENT, ARROW, IDENT, DOTDOT, IDENT, NL};
    assert_int_equal(l.n, (int)(sizeof want / sizeof want[0]));
    for (int i = 0; i < l.n; i++)
        assert_int_equal(l.tok[i], want[i]);
    done(&l);
}

/* A newline ends a statement, except in parentheses or after an operator. */
static void test_line_ends(void **state)
{
    (void)state;
    Lexed l;
    lex(&l, "let a = 1 +\n 2\nlet b = (3\n + 4)\n\n\nlet c = 5");
    int nl = 0;
    for (int i = 0; i < l.n; i++)
        nl += l.tok[i] == NL;
    assert_int_equal(nl, 3); /* one per statement, blank lines collapse */
    done(&l);
    lex(&l, "x { a = 1 }");
    int want[] = {IDENT, '{', IDENT, '=', NUMBER, NL, '}', NL};
    assert_int_equal(l.n, 8);
    for (int i = 0; i < l.n; i++)
        assert_int_equal(l.tok[i], want[i]);
    done(&l);
}

static void test_comments_are_kept_aside(void **state)
{
    (void)state;
    Lexed l;
    lex(&l, "# first\nlet a = 1 # second\n");
    assert_int_equal(l.ncomments, 2);
    assert_int_equal(l.tok[0], KW_LET);
    done(&l);
}

static void test_bad_characters(void **state)
{
    (void)state;
    Lexed l;
    lex(&l, "let a = $ 5");
    assert_int_equal(l.diags.errors, 1);
    assert_string_equal(l.diags.items[0].msg, "unexpected character '$'");
    assert_int_equal(l.diags.items[0].span.start, 8);
    done(&l);
    lex(&l, "let a = 12abc");
    assert_int_equal(l.diags.errors, 1);
    assert_string_equal(l.diags.items[0].msg, "'12abc' is neither a number nor a name");
    done(&l);
    lex(&l, "let a = \"open");
    assert_int_equal(l.diags.errors, 1);
    assert_non_null(strstr(l.diags.items[0].msg, "unterminated text"));
    done(&l);
    lex(&l, "let a = \xff");
    assert_int_equal(l.diags.errors, 1);
    assert_string_equal(l.diags.items[0].msg, "invalid UTF-8 byte 0xFF");
    done(&l);
    lex(&l, "let a₽ = 1");
    assert_int_equal(l.diags.errors, 1);
    assert_non_null(strstr(l.diags.items[0].msg, "is not allowed in a name"));
    done(&l);
}

static void test_name_length_limit(void **state)
{
    (void)state;
    char text[KPI_MAX_NAME_BYTES + 16];
    memset(text, 'a', sizeof text);
    text[KPI_MAX_NAME_BYTES] = '\0'; /* exactly at the limit: fine */
    Lexed l;
    lex(&l, text);
    assert_int_equal(l.diags.errors, 0);
    done(&l);
    text[KPI_MAX_NAME_BYTES] = 'a';
    text[KPI_MAX_NAME_BYTES + 1] = '\0'; /* one past it */
    lex(&l, text);
    assert_int_equal(l.diags.errors, 1);
    assert_non_null(strstr(l.diags.items[0].msg, "the limit is 256"));
    done(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers_and_percent),
        cmocka_unit_test(test_cyrillic_names_and_keywords),
        cmocka_unit_test(test_string_escapes),
        cmocka_unit_test(test_operators),
        cmocka_unit_test(test_line_ends),
        cmocka_unit_test(test_comments_are_kept_aside),
        cmocka_unit_test(test_bad_characters),
        cmocka_unit_test(test_name_length_limit),
    };
    return cmocka_run_group_tests_name("lexer", tests, NULL, NULL);
}
