/* bench/measure.c - wall time and peak RSS of a command, and the read floor.
 *
 *   bench-measure -o RESULT CMD [ARG...]
 *       runs CMD (stdin, stdout and stderr inherited) and writes one line to
 *       RESULT: "WALL_SECONDS PEAK_RSS_KB EXIT_CODE".  The peak RSS is
 *       wait4's ru_maxrss: the largest of the command and the children it
 *       waited for.
 *   bench-measure --floor FILE...
 *       reads every file in 1 MiB blocks and counts its newlines (memchr):
 *       the least any CSV reader must do.  Prints the count.
 */
#define _DEFAULT_SOURCE /* wait4 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BLOCK (1u << 20)

static int floor_count(int n, char **files)
{
    char *buf = malloc(BLOCK);
    if (!buf)
        return 1;
    unsigned long long lines = 0;
    for (int i = 0; i < n; i++) {
        int fd = open(files[i], O_RDONLY);
        if (fd < 0) {
            fprintf(stderr, "bench-measure: %s: %s\n", files[i], strerror(errno));
            free(buf);
            return 1;
        }
        ssize_t got;
        while ((got = read(fd, buf, BLOCK)) > 0) {
            const char *p = buf, *end = buf + got;
            while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
                lines++;
                p++;
            }
        }
        close(fd);
        if (got < 0) {
            fprintf(stderr, "bench-measure: %s: %s\n", files[i], strerror(errno));
            free(buf);
            return 1;
        }
    }
    free(buf);
    printf("%llu\n", lines);
    return 0;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int run(const char *result, char **cmd)
{
    double t0 = now();
    pid_t pid = fork();
    if (pid < 0) {
        perror("bench-measure: fork");
        return 1;
    }
    if (pid == 0) {
        execvp(cmd[0], cmd);
        fprintf(stderr, "bench-measure: %s: %s\n", cmd[0], strerror(errno));
        _exit(127);
    }
    int status;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0)
        if (errno != EINTR) {
            perror("bench-measure: wait4");
            return 1;
        }
    double wall = now() - t0;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    FILE *f = fopen(result, "w");
    if (!f) {
        fprintf(stderr, "bench-measure: %s: %s\n", result, strerror(errno));
        return 1;
    }
    fprintf(f, "%.3f %ld %d\n", wall, ru.ru_maxrss, code);
    return fclose(f) != 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "--floor"))
        return floor_count(argc - 2, argv + 2);
    if (argc >= 4 && !strcmp(argv[1], "-o"))
        return run(argv[2], argv + 3);
    fputs("usage: bench-measure -o RESULT CMD [ARG...]\n"
          "       bench-measure --floor FILE...\n", stderr);
    return 2;
}
