/* kpirun_diff.c - kpirun diff (not written yet). */
#include "cli/cli.h"
#include "cli/kpirun.h"

#include <stdio.h>

int kpirun_diff_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "kpirun: 'diff' is not available yet\n");
    return EXIT_USAGE;
}
