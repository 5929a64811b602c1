/* manifest.h - the run manifest (docs/manifest.md): what a run read and
 * wrote, with SHA-256 checksums, so that `kpirun verify` can tell later
 * whether any of it changed. Paths are kept as the run was given them
 * (relative to the working directory) and written relative to the
 * manifest's own directory, so manifests compare across machines. */
#ifndef KPI_MANIFEST_H
#define KPI_MANIFEST_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "vm/run.h"

#define MANIFEST_VERSION      1
#define MANIFEST_STDOUT       "-"          /* the path of standard output */
#define MANIFEST_STDLIB       "<stdlib>/"  /* modules built into the binary */
#define SHA256_HEX            65           /* 64 hex digits and a NUL */

typedef struct MFile {
    char    *path;
    char     sha256[SHA256_HEX];
    uint64_t bytes;
} MFile;

typedef struct MInput {
    MFile    f;
    char    *table;
    uint8_t  kind;             /* TableKindV */
    uint64_t rows, in_period;  /* in_period: facts only */
    Dialect  dialect;
} MInput;

typedef struct MWarning {
    char *code;
    char *message;             /* as kpirun printed it, without colours */
} MWarning;

typedef struct MRun {
    MFile     scheme;
    MFile    *modules;
    size_t    nmodules, capmodules;
    char     *title, *period, *data_dir;
    MInput   *inputs;
    size_t    ninputs, capinputs;
    MWarning *warnings;
    size_t    nwarnings, capwarnings;
} MRun;

typedef struct Manifest {
    const char *version;       /* of kpi (KPI_VERSION), set by the caller */
    char   *command;           /* "kpirun", "kpirun diff" */
    char  **args;              /* the arguments after the command, as typed */
    size_t  nargs;
    int     schema_version;    /* of the result files (results JSON) */
    MRun   *runs;
    size_t  nruns, capruns;
    MFile  *outputs;
    size_t  noutputs, capoutputs;
    char   *error;             /* a file that could not be hashed: the message */
} Manifest;

/* SHA-256 as 64 lowercase hex digits. A file is read in blocks, never whole. */
void sha256_hex(const void *data, size_t n, char hex[SHA256_HEX]);
bool sha256_file(const char *path, char hex[SHA256_HEX], uint64_t *bytes, char *err, size_t errlen);

void manifest_init(Manifest *m);
/* Hashes the scheme and input files noted by manifest_note_run; a file that
 * cannot be read sets m->error. Call before manifest_write. */
void manifest_hash_files(Manifest *m);

/* The scheme's and the input files' checksums taken by a thread while the
 * run reads the same files (they are then in the page cache, and the two
 * cores share the work). Start it before the run when a manifest is due;
 * manifest_prehash_finish waits for it and gives the checksums it took to
 * the files of m with the same paths (m NULL: stops it), then frees it.
 * A file it could not read is left to manifest_hash_files, which reports
 * it. Without the thread (it could not start) nothing changes. */
typedef struct ManifestPrehash ManifestPrehash;
ManifestPrehash *manifest_prehash_start(const char *scheme_path, const Program *p, const char *data_dir);
void manifest_prehash_finish(ManifestPrehash *ph, Manifest *m);
void manifest_free(Manifest *m);
/* args: the command's arguments (without the program name); copied. */
void manifest_set_command(Manifest *m, const char *command, int nargs, char *const *args);
/* Records a run: the scheme and its modules, every input file (hashed now,
 * right after the run read it) with its row counts and dialect, and the
 * run's warnings. Call it after cli_print_diags, which sorts them. */
void manifest_note_run(Manifest *m, const char *scheme_path, const Program *p, const RunResult *r,
                       const char *data_dir, const Period *period);
void manifest_add_output(Manifest *m, const char *path, const void *data, size_t len);

/* The manifest's time: SOURCE_DATE_EPOCH when set (so that manifests are
 * reproducible), otherwise now, as "2026-11-01T09:30:00Z". false and a
 * message when SOURCE_DATE_EPOCH is not a number of seconds in 1970..9999. */
bool manifest_time(char out[32], char *err, size_t errlen);
/* The JSON document; paths relative to the directory of manifest_path. */
void manifest_write(const Manifest *m, const char *manifest_path, const char *created, Buf *out);

/* path (relative to the working directory, or absolute) relative to dir,
 * lexically; kpi_malloc'd. */
char *path_relative_to(const char *path, const char *dir);

#endif
