/* test_diagfmt.c - the machine forms of diagnostics: JSON parses and says
 * what the human form says; SARIF has every field the SARIF 2.1.0 schema
 * requires; GitHub annotations are one escaped line each. */
#define KPI_TEST_COMPILER
#include "tests/unit/testutil.h"

#include "cli/cli.h"
#include "cli/diagfmt.h"
#include "tests/unit/json.h"

#define TEN "tests/check/ten-mistakes/scheme.kpi"

static char *render(DiagFormat fmt, const char *path)
{
    DiagOutput out;
    diagout_init(&out, fmt, false);
    int code = 0;
    Program *p = cli_compile(path, true, NULL, 0, &out, &code);
    free_program(p);
    Buf b = BUF_INIT;
    diagout_render(&out, "test", &b);
    diagout_free(&out);
    buf_cstr(&b);
    return b.data;
}

static const char *str_of(const J *j) { return j && j->kind == J_STR ? j->str : NULL; }

static void require_text(const J *j, const char *field)
{
    const J *f = j_get(j, field);
    assert_non_null(f);
    assert_non_null(str_of(j_get(f, "text")));
}

/* sarifLog: version, runs; run: tool; tool: driver; driver: name; rules:
 * id; result: message (text); locations: physicalLocation with an
 * artifactLocation and a region whose lines and columns start at 1. */
static void test_sarif_required_fields(void **state)
{
    (void)state;
    char *text = render(DF_SARIF, TEN);
    J *log = j_parse(text);
    assert_non_null(log);
    assert_string_equal(str_of(j_get(log, "version")), "2.1.0");
    const J *runs = j_get(log, "runs");
    assert_true(runs && runs->kind == J_ARR && runs->n == 1);
    const J *run = runs->items[0];
    const J *driver = j_get(j_get(run, "tool"), "driver");
    assert_string_equal(str_of(j_get(driver, "name")), "kpic");
    const J *rules = j_get(driver, "rules");
    assert_true(rules && rules->kind == J_ARR && rules->n == 10);
    for (size_t i = 0; i < rules->n; i++) {
        assert_non_null(str_of(j_get(rules->items[i], "id")));
        require_text(rules->items[i], "shortDescription");
        require_text(rules->items[i], "fullDescription");
    }
    const J *results = j_get(run, "results");
    assert_true(results && results->kind == J_ARR && results->n == 10);
    for (size_t i = 0; i < results->n; i++) {
        const J *r = results->items[i];
        require_text(r, "message");
        const char *rule = str_of(j_get(r, "ruleId"));
        int index = atoi(j_get(r, "ruleIndex")->str);
        assert_string_equal(str_of(j_get(rules->items[index], "id")), rule);
        const char *level = str_of(j_get(r, "level"));
        assert_true(!strcmp(level, "error") || !strcmp(level, "warning"));
        const J *loc = j_get(j_get(r, "locations")->items[0], "physicalLocation");
        assert_string_equal(str_of(j_get(j_get(loc, "artifactLocation"), "uri")), TEN);
        const J *region = j_get(loc, "region");
        assert_true(atoi(j_get(region, "startLine")->str) >= 1);
        assert_true(atoi(j_get(region, "startColumn")->str) >= 1);
    }
    j_free(log);
    kpi_free(text);
}

static void test_json_matches_human(void **state)
{
    (void)state;
    char *text = render(DF_JSON, TEN);
    J *doc = j_parse(text);
    assert_non_null(doc);
    const J *ds = j_get(doc, "diagnostics");
    assert_int_equal(ds->n, 10);
    assert_string_equal(j_get(doc, "errors")->str, "10");
    assert_string_equal(j_get(doc, "warnings")->str, "0");
    const J *unknown = ds->items[3];
    assert_string_equal(str_of(j_get(unknown, "code")), "K0201");
    assert_string_equal(str_of(j_get(unknown, "message")), "unknown name 'amout'");
    assert_string_equal(j_get(unknown, "line")->str, "45");
    assert_string_equal(j_get(unknown, "column")->str, "18");
    assert_string_equal(j_get(unknown, "end_column")->str, "23");
    j_free(doc);
    kpi_free(text);
    char *human = render(DF_HUMAN, TEN);
    assert_non_null(strstr(human, TEN ":45:18: error[K0201]: unknown name 'amout'\n"));
    kpi_free(human);
}

static void test_github_lines(void **state)
{
    (void)state;
    char *text = render(DF_GITHUB, TEN);
    int lines = 0;
    for (const char *p = text; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 10);
    assert_non_null(strstr(text, "::error file=" TEN ",line=54,col=50,"));
    /* % , : and line ends are escaped; no raw % survives */
    assert_non_null(strstr(text, "title=K0801 weights do not add up to 100%25::"));
    assert_null(strstr(text, "110% "));
    kpi_free(text);
}

/* A scheme without mistakes is an empty document in every form. */
static void test_clean_is_empty(void **state)
{
    (void)state;
    char *text = render(DF_SARIF, "examples/demo/scheme.kpi");
    J *log = j_parse(text);
    assert_non_null(log);
    assert_int_equal(j_get(j_get(log, "runs")->items[0], "results")->n, 0);
    j_free(log);
    kpi_free(text);
    text = render(DF_GITHUB, "examples/demo/scheme.kpi");
    assert_string_equal(text, "");
    kpi_free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sarif_required_fields),
        cmocka_unit_test(test_json_matches_human),
        cmocka_unit_test(test_github_lines),
        cmocka_unit_test(test_clean_is_empty),
    };
    return cmocka_run_group_tests_name("diagfmt", tests, NULL, NULL);
}
