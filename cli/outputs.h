/* outputs.h - the files a run writes, written together at the end: each
 * atomically (temp file + rename), none over an existing file unless
 * forced. Standard output is the file with no path. */
#ifndef KPI_OUTPUTS_H
#define KPI_OUTPUTS_H
#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"

typedef struct OutFile {
    char *path;      /* NULL: standard output */
    Buf   data;
} OutFile;

typedef struct Outputs {
    OutFile *files;
    size_t   n, cap;
    bool     force;  /* replace existing files */
} Outputs;

void outputs_init(Outputs *o, bool force);
/* Takes data (leaves *data empty). */
void outputs_add(Outputs *o, const char *path, Buf *data);
/* Writes every file; an exit code (EXIT_OK or EXIT_OUTPUT), messages on stderr. */
int  outputs_write(Outputs *o);
void outputs_free(Outputs *o);

#endif
