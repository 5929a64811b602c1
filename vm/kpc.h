/* kpc.h - the .kpc bytecode file: a Program written to disk.
 *
 *   "KPIC"  u32 format version  u64 payload length  u32 CRC-32 of payload
 *   payload: the Program's fields in a fixed order, little-endian, strings
 *   as u32 length + bytes.
 *
 * A .kpc file is untrusted input: loading checks magic, version, length
 * and checksum, bounds-checks every read, and then runs program_verify. */
#ifndef KPI_KPC_H
#define KPI_KPC_H
#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/limits.h"
#include "vm/program.h"

void     kpc_write(const Program *p, Buf *out);
bool     kpc_save_file(const Program *p, const char *path, char *err, size_t errlen);
/* NULL with a message in err when the bytes are not a valid program. */
Program *kpc_read(const unsigned char *data, size_t len, char *err, size_t errlen);
Program *kpc_load_file(const char *path, char *err, size_t errlen);
/* The CRC-32 (IEEE) the header carries of the payload. */
uint32_t kpc_crc32(const unsigned char *p, size_t n);

/* Checks every index and operand of a program, so the VM can run it without
 * further checks. Compiler output passes; a damaged file does not. */
bool program_verify(const Program *p, char *err, size_t errlen);

#endif
