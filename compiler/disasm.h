/* disasm.h - readable listings of programs and of the instruction set. */
#ifndef KPI_DISASM_H
#define KPI_DISASM_H
#include "base/buf.h"
#include "vm/program.h"

void disasm_program(const Program *p, Buf *out);
/* The same without source positions (to compare two programs' code). */
void disasm_program_lines(const Program *p, bool lines, Buf *out);
/* The opcode table as Markdown (docs/bytecode.md is generated from it). */
void disasm_opcodes(Buf *out);

#endif
