/* outputs.h - the files a run writes, written together at the end: each
 * atomically (temp file + rename), none over an existing file unless
 * forced, and last a run manifest (docs/manifest.md) that records what was
 * read and written. Standard output is the file with no path.
 *
 * Use:
 *     Outputs o;
 *     outputs_init(&o, force);
 *     outputs_set_command(&o, argc, argv);      // the command line, for the manifest
 *     outputs_note_run(&o, scheme, p, &res, data_dir, &period);   // once per run
 *     outputs_add(&o, path_or_NULL, &buf);      // every result
 *     rc = outputs_write(&o);
 *     outputs_free(&o);
 *
 * Where the manifest goes (one rule): the path given to outputs_set_manifest;
 * otherwise FILE.manifest.json next to the first output FILE. A run whose
 * results all go to standard output writes no manifest unless a path was set.
 * A command writing a directory of files (statements) sets DIR/manifest.json. */
#ifndef KPI_OUTPUTS_H
#define KPI_OUTPUTS_H
#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "report/manifest.h"

typedef struct OutFile {
    char *path;      /* NULL: standard output */
    Buf   data;
} OutFile;

typedef struct Outputs {
    OutFile *files;
    size_t   n, cap;
    bool     force;          /* replace existing files */
    char    *manifest_path;  /* outputs_set_manifest, or NULL */
    Manifest manifest;
} Outputs;

void outputs_init(Outputs *o, bool force);
/* argv[0] is the program ("kpirun") or the subcommand ("diff"); the rest
 * are recorded as typed. */
void outputs_set_command(Outputs *o, int argc, char **argv);
/* Records one evaluated run (kpirun diff records two); see manifest_note_run. */
void outputs_note_run(Outputs *o, const char *scheme_path, const Program *p, const RunResult *r,
                      const char *data_dir, const Period *period);
/* Checksums taken during the run (manifest_prehash_start) for the files
 * noted; waits for them and frees ph. */
void outputs_use_prehash(Outputs *o, ManifestPrehash *ph);
/* Where the manifest goes; NULL: the default rule above. */
void outputs_set_manifest(Outputs *o, const char *path);
/* Takes data (leaves *data empty). */
void outputs_add(Outputs *o, const char *path, Buf *data);
/* Checks every target first (an existing file without --force, a result
 * over an input: "FILE: error: ..."), then writes every file and the
 * manifest; an exit code (EXIT_OK, EXIT_OUTPUT, or EXIT_USAGE for a bad
 * SOURCE_DATE_EPOCH), messages on stderr. Nothing is written when a check fails. */
int  outputs_write(Outputs *o);
void outputs_free(Outputs *o);

#endif
