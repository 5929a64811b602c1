/* kpirun_curve.c - kpirun curve (not written yet). */
#include "cli/cli.h"
#include "cli/kpirun.h"

#include <stdio.h>

int kpirun_curve_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "kpirun: 'curve' is not available yet\n");
    return EXIT_USAGE;
}
