/* test_manifest.c - SHA-256 of texts and files, paths relative to the
 * manifest, SOURCE_DATE_EPOCH, the manifest's JSON (read back with jansson),
 * the CSV guard against formula injection, and numbers formatted in place.
 * Digests are the FIPS 180-2 test vectors and `sha256sum` of the same bytes. */
#include "tests/unit/testutil.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/alloc.h"
#include "report/format.h"
#include "report/manifest.h"

static void test_sha256_text(void **state)
{
    (void)state;
    char hex[SHA256_HEX];
    sha256_hex("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    sha256_hex(two, strlen(two), hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

/* A file longer than one read block hashes as its bytes do. */
static void test_sha256_file(void **state)
{
    (void)state;
    char path[] = "/tmp/kpi-manifest-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t n = 200001;
    char *data = kpi_malloc(n);
    for (size_t i = 0; i < n; i++)
        data[i] = (char)('a' + i % 26);
    assert_int_equal(write(fd, data, n), (ssize_t)n);
    close(fd);
    char want[SHA256_HEX], got[SHA256_HEX], err[128];
    uint64_t bytes = 0;
    sha256_hex(data, n, want);
    assert_true(sha256_file(path, got, &bytes, err, sizeof err));
    assert_string_equal(got, want);
    assert_int_equal(bytes, n);
    unlink(path);
    assert_false(sha256_file(path, got, &bytes, err, sizeof err));
    assert_int_equal(errno, ENOENT);
    assert_string_equal(err, "No such file or directory");
    kpi_free(data);
}

static char *temp_file(const char *dir, const char *name, size_t n)
{
    char *path = kpi_malloc(strlen(dir) + strlen(name) + 2);
    sprintf(path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    for (size_t i = 0; i < n; i++)
        fputc('a' + (int)(i % 26), f);
    fclose(f);
    return path;
}

/* Checksums taken while a run reads: the same as taken after it, for the
 * scheme and every table; a file missing then is still reported after;
 * and a prehash stopped without a manifest just ends. */
static void test_prehash(void **state)
{
    (void)state;
    char dir[] = "/tmp/kpi-prehash-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char *scheme = temp_file(dir, "s.kpi", 100), *big = temp_file(dir, "big.csv", 3000000);
    char *small = temp_file(dir, "small.csv", 10);
    TableSpec tables[3] = {{.name = "big", .file = "big.csv"}, {.name = "small", .file = "small.csv"},
                           {.name = "gone", .file = "gone.csv"}};
    Program p;
    memset(&p, 0, sizeof p);
    p.tables = tables;
    p.ntables = 3;
    RunResult r;
    memset(&r, 0, sizeof r);
    Period per = {.label = "2026-10"};
    Manifest early, late;
    manifest_init(&early);
    manifest_init(&late);
    ManifestPrehash *ph = manifest_prehash_start(scheme, &p, dir);
    manifest_note_run(&early, scheme, &p, &r, dir, &per);
    manifest_note_run(&late, scheme, &p, &r, dir, &per);
    manifest_prehash_finish(ph, &early);
    assert_string_not_equal(early.runs[0].inputs[0].f.sha256, "");   /* taken during the run */
    assert_string_equal(early.runs[0].inputs[2].f.sha256, "");       /* could not be read then */
    manifest_hash_files(&early);
    manifest_hash_files(&late);
    assert_string_equal(early.runs[0].scheme.sha256, late.runs[0].scheme.sha256);
    for (int i = 0; i < 2; i++) {
        assert_string_equal(early.runs[0].inputs[i].f.sha256, late.runs[0].inputs[i].f.sha256);
        assert_int_equal(early.runs[0].inputs[i].f.bytes, late.runs[0].inputs[i].f.bytes);
    }
    assert_int_equal(early.runs[0].inputs[0].f.bytes, 3000000);
    assert_non_null(early.error);
    assert_non_null(strstr(early.error, "gone.csv: error: cannot read it to record its checksum"));
    manifest_prehash_finish(manifest_prehash_start(scheme, &p, dir), NULL);
    manifest_prehash_finish(NULL, &late);
    manifest_free(&early);
    manifest_free(&late);
    unlink(scheme);
    unlink(big);
    unlink(small);
    rmdir(dir);
    kpi_free(scheme);
    kpi_free(big);
    kpi_free(small);
}

static void assert_rel(const char *path, const char *dir, const char *want)
{
    char *got = path_relative_to(path, dir);
    assert_string_equal(got, want);
    kpi_free(got);
}

static void test_relative_paths(void **state)
{
    (void)state;
    assert_rel("scheme.kpi", ".", "scheme.kpi");
    assert_rel("scheme.kpi", "res", "../scheme.kpi");
    assert_rel("res/p.csv", "res", "p.csv");
    assert_rel("res/p.csv", "res/", "p.csv");
    assert_rel("./data/../data/deals.csv", "./out/x/..", "../data/deals.csv");
    assert_rel("a/b/c.csv", "a/d/e", "../../b/c.csv");
    assert_rel("d", "d", ".");
    assert_rel("/srv/kpi/p.csv", "/srv/kpi/out", "../p.csv");
    assert_rel("/a", "/", "a");
    assert_rel("/", "/a/b", "../..");
    assert_rel("/x//y/./z", "/x/y", "z");
    assert_rel("ab/c", "a", "../ab/c");   /* components, not prefixes */
    /* a relative path against an absolute directory goes through the cwd */
    char cwd[4096];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_rel("f.csv", cwd, "f.csv");
}

static void assert_time(const char *epoch, const char *want)
{
    char out[32], err[256];
    setenv("SOURCE_DATE_EPOCH", epoch, 1);
    bool ok = manifest_time(out, err, sizeof err);
    if (!want) {
        assert_false(ok);
        assert_non_null(strstr(err, "SOURCE_DATE_EPOCH must be a number of seconds"));
    } else {
        assert_true(ok);
        assert_string_equal(out, want);
    }
    unsetenv("SOURCE_DATE_EPOCH");
}

static void test_source_date_epoch(void **state)
{
    (void)state;
    assert_time("1793491200", "2026-11-01T00:00:00Z");
    assert_time("0", "1970-01-01T00:00:00Z");
    assert_time("951782399", "2000-02-28T23:59:59Z");
    assert_time("951868800", "2000-03-01T00:00:00Z");   /* 2000 is a leap year */
    assert_time("253402300799", "9999-12-31T23:59:59Z");
    assert_time("253402300800", NULL);
    assert_time("99999999999999999999999", NULL);
    assert_time("-1", NULL);
    assert_time("12a", NULL);
    assert_time(" 1", NULL);
    /* unset or empty: now, in the same form */
    char out[32], err[64];
    setenv("SOURCE_DATE_EPOCH", "", 1);
    assert_true(manifest_time(out, err, sizeof err));
    unsetenv("SOURCE_DATE_EPOCH");
    assert_int_equal(strlen(out), 20);
    assert_int_equal(out[10], 'T');
    assert_int_equal(out[19], 'Z');
}

/* A manifest built by hand is valid JSON with the fields of docs/manifest.md. */
static void test_manifest_json(void **state)
{
    (void)state;
    Manifest m;
    manifest_init(&m);
    m.version = "9.9.9";
    char *args[] = {"kpirun", "s \"q\".kpi", "-o", "out/r.csv"};
    manifest_set_command(&m, "kpirun", 3, args + 1);
    manifest_add_output(&m, "out/r.csv", "abc", 3);
    manifest_add_output(&m, NULL, "", 0);
    Buf b = BUF_INIT;
    manifest_write(&m, "out/r.csv.manifest.json", "2026-11-01T00:00:00Z", &b);
    json_error_t jerr;
    json_t *root = json_loads(buf_cstr(&b), 0, &jerr);
    assert_non_null(root);
    assert_int_equal(json_integer_value(json_object_get(root, "manifest_version")), 1);
    assert_string_equal(json_string_value(json_object_get(root, "version")), "9.9.9");
    json_t *a = json_object_get(root, "arguments");
    assert_int_equal(json_array_size(a), 3);
    assert_string_equal(json_string_value(json_array_get(a, 0)), "s \"q\".kpi");
    assert_int_equal(json_array_size(json_object_get(root, "runs")), 0);
    json_t *outs = json_object_get(root, "outputs");
    assert_int_equal(json_array_size(outs), 2);
    json_t *o0 = json_array_get(outs, 0), *o1 = json_array_get(outs, 1);
    assert_string_equal(json_string_value(json_object_get(o0, "path")), "r.csv");
    assert_string_equal(json_string_value(json_object_get(o0, "sha256")),
                        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_int_equal(json_integer_value(json_object_get(o0, "bytes")), 3);
    assert_string_equal(json_string_value(json_object_get(o1, "path")), "-");
    json_decref(root);
    buf_free(&b);
    manifest_free(&m);
}

static void assert_csv_text(const char *in, const char *want)
{
    Buf b = BUF_INIT;
    fmt_csv_text(&b, in, strlen(in));
    assert_string_equal(buf_cstr(&b), want);
    buf_free(&b);
}

static void assert_csv_cell(const char *in, const char *want)
{
    Buf b = BUF_INIT;
    fmt_csv_cell(&b, in, strlen(in));
    assert_string_equal(buf_cstr(&b), want);
    buf_free(&b);
}

static void test_csv_formula_guard(void **state)
{
    (void)state;
    assert_csv_text("=1+2", "'=1+2");
    assert_csv_text("+7 999", "'+7 999");
    assert_csv_text("-Иванов", "'-Иванов");
    assert_csv_text("@SUM(A1)", "'@SUM(A1)");
    assert_csv_text("\tx", "'\tx");
    assert_csv_text("\rx", "\"'\rx\"");
    assert_csv_text("=HYPERLINK(\"u\",\"t\")", "\"'=HYPERLINK(\"\"u\"\",\"\"t\"\")\"");
    assert_csv_text("Иванов", "Иванов");
    assert_csv_text("a=b", "a=b");
    assert_csv_text(" =x", " =x");
    assert_csv_text("", "");
    assert_csv_text("a,b", "\"a,b\"");
    /* numbers and dates are never altered */
    assert_csv_cell("-5", "-5");
    assert_csv_cell("-5000.25", "-5000.25");
    assert_csv_cell("+1", "+1");
}

/* A number is formatted straight into the buffer's tail: the same text
 * as the value form, appended after what is there, NUL-ended, and room
 * made from an empty buffer for the widest value (39 integer digits, a
 * sign and ten fraction digits). */
static void test_value_written_in_place(void **state)
{
    (void)state;
    const i128 max = (i128)(((u128)1 << 127) - 1);
    const Value vs[] = {val_num((Rat){1, 3}), val_num((Rat){-5000025, 1000}), val_num((Rat){-max, 3}),
                        val_bool(true), val_blank()};
    const char *want[] = {"0.3333333333", "-5000.025", "-56713727820156410577229101238628035242.3333333333", "true",
                          ""};
    for (size_t i = 0; i < sizeof vs / sizeof vs[0]; i++) {
        Buf empty = BUF_INIT, after = BUF_INIT;
        fmt_value_at(NULL, &vs[i], &empty);
        assert_string_equal(buf_cstr(&empty), want[i]);
        buf_adds(&after, "E1");
        buf_addc(&after, ',');
        fmt_value_at(NULL, &vs[i], &after);
        buf_addc(&after, ',');
        assert_int_equal(after.len, 4 + strlen(want[i]));
        assert_memory_equal(after.data + 3, want[i], strlen(want[i]));
        assert_int_equal(after.data[after.len], '\0');
        buf_free(&empty);
        buf_free(&after);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_text),
        cmocka_unit_test(test_sha256_file),
        cmocka_unit_test(test_prehash),
        cmocka_unit_test(test_relative_paths),
        cmocka_unit_test(test_source_date_epoch),
        cmocka_unit_test(test_manifest_json),
        cmocka_unit_test(test_csv_formula_guard),
        cmocka_unit_test(test_value_written_in_place),
    };
    return cmocka_run_group_tests_name("manifest", tests, NULL, NULL);
}
