/* kpirun.h - kpirun's commands. `kpirun SCHEME --period P` evaluates a
 * period; the other commands are named by the first argument. Each parses
 * its own arguments and returns an exit code (cli.h). */
#ifndef KPI_KPIRUN_H
#define KPI_KPIRUN_H

int kpirun_test_main(int argc, char **argv);    /* kpirun_test.c: the scheme's own tests */
int kpirun_diff_main(int argc, char **argv);    /* kpirun_diff.c: two versions on the same facts */
int kpirun_curve_main(int argc, char **argv);   /* kpirun_curve.c: an indicator's scale */
int kpirun_verify_main(int argc, char **argv);  /* kpirun_verify.c: a run manifest re-hashed */

#endif
