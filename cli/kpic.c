/* kpic - the scheme compiler's command line: check, build, disasm.
 * Argument parsing and output only; the work is in compiler/ and vm/. */
#include "base/alloc.h"
#include "base/buf.h"
#include "cli/cli.h"
#include "compiler/disasm.h"
#include "vm/kpc.h"

#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: kpic COMMAND [options] FILE...\n"
    "\n"
    "commands:\n"
    "  check FILE.kpi...          check schemes; print every error, located\n"
    "  build FILE.kpi -o OUT.kpc  compile a scheme to bytecode\n"
    "  disasm FILE.kpi|FILE.kpc   print the bytecode of a scheme, readably\n"
    "  ast FILE.kpi               print the syntax tree\n"
    "  opcodes                    print the instruction set as a Markdown table\n"
    "\n"
    "options:\n"
    "  -o FILE        output file of build\n"
    "  -h, --help     this help\n"
    "  --version      the version\n"
    "\n"
    "environment: KPI_PATH=dir:dir  directories searched by 'import'\n"
    "exit codes: 0 ok, 1 the scheme has errors, 2 usage, 5 the output could not be written\n";

static int cmd_check(int argc, char **argv)
{
    int rc = EXIT_OK;
    for (int i = 0; i < argc; i++) {
        int code = EXIT_OK;
        Program *p = cli_load_program(argv[i], &code);
        if (p) {
            program_free(p);
            kpi_free(p);
        } else {
            rc = code;
        }
    }
    return rc;
}

static int cmd_build(const char *in, const char *out)
{
    int code = EXIT_OK;
    Program *p = cli_load_program(in, &code);
    if (!p)
        return code;
    char err[512];
    if (!kpc_save_file(p, out, err, sizeof err)) {
        fprintf(stderr, "%s: error: %s\n", out, err);
        code = EXIT_OUTPUT;
    }
    program_free(p);
    kpi_free(p);
    return code;
}

static int cmd_disasm(const char *in)
{
    int code = EXIT_OK;
    Program *p = cli_load_program(in, &code);
    if (!p)
        return code;
    Buf out = BUF_INIT;
    disasm_program(p, &out);
    fputs(buf_cstr(&out), stdout);
    buf_free(&out);
    program_free(p);
    kpi_free(p);
    return EXIT_OK;
}

static int cmd_ast(const char *in)
{
    if (has_suffix(in, ".kpc")) {
        fprintf(stderr, "kpic: ast reads a scheme's source (.kpi); for a .kpc use kpic disasm\n");
        return EXIT_USAGE;
    }
    Compilation c;
    compilation_init(&c);
    bool ok = compile_parse(&c, in);
    cli_print_diags(&c.diags, &c.sources);
    if (ok) {
        Buf out = BUF_INIT;
        ast_dump(&c.ast, &out);
        fputs(buf_cstr(&out), stdout);
        buf_free(&out);
    }
    compilation_free(&c);
    return ok ? EXIT_OK : EXIT_SCHEME;
}

static int usage_error(const char *msg)
{
    fprintf(stderr, "kpic: %s\n%s", msg, usage);
    return EXIT_USAGE;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage_error("a command is missing");
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
        fputs(usage, stdout);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "--version")) {
        printf("kpic %s (bytecode format %u)\n", KPI_VERSION, KPC_VERSION);
        return EXIT_OK;
    }
    const char *out = NULL;
    char **files = kpi_calloc((size_t)argc, sizeof(char *));
    int nfiles = 0;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "-o") && i + 1 < argc)
            out = argv[++i];
        else if (argv[i][0] == '-' && argv[i][1]) {
            kpi_free(files);
            char msg[300];
            snprintf(msg, sizeof msg, "unknown option '%s'", argv[i]);
            return usage_error(msg);
        } else
            files[nfiles++] = argv[i];
    }
    int rc;
    if (!strcmp(cmd, "check") && nfiles > 0)
        rc = cmd_check(nfiles, files);
    else if (!strcmp(cmd, "build") && nfiles == 1 && out)
        rc = cmd_build(files[0], out);
    else if (!strcmp(cmd, "disasm") && nfiles == 1)
        rc = cmd_disasm(files[0]);
    else if (!strcmp(cmd, "ast") && nfiles == 1)
        rc = cmd_ast(files[0]);
    else if (!strcmp(cmd, "opcodes") && nfiles == 0) {
        Buf b = BUF_INIT;
        disasm_opcodes(&b);
        fputs(buf_cstr(&b), stdout);
        buf_free(&b);
        rc = EXIT_OK;
    } else {
        static const char *const cmds[] = {"check", "build", "disasm", "ast", "opcodes"};
        bool known = false;
        for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
            known |= strcmp(cmd, cmds[i]) == 0;
        char msg[300];
        snprintf(msg, sizeof msg, known ? "'%s' needs different arguments" : "unknown command '%s'", cmd);
        rc = usage_error(msg);
    }
    kpi_free(files);
    return rc;
}
