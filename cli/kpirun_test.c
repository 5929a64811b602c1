/* kpirun_test.c - kpirun test (not written yet). */
#include "cli/cli.h"
#include "cli/kpirun.h"

#include <stdio.h>

int kpirun_test_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "kpirun: 'test' is not available yet\n");
    return EXIT_USAGE;
}
