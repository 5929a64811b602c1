/* kpirun_verify.c - kpirun verify (not written yet). */
#include "cli/cli.h"
#include "cli/kpirun.h"

#include <stdio.h>

int kpirun_verify_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "kpirun: 'verify' is not available yet\n");
    return EXIT_USAGE;
}
