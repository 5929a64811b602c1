/* slice.h - the part of the employee program that computes a few registers
 * (vm/slice.c). */
#ifndef KPI_SLICE_H
#define KPI_SLICE_H
#include "vm/program.h"

/* Straight-line code, as Program.code: its instructions, their spans. */
typedef struct Slice {
    Ins      *code;
    uint32_t *span;
    uint32_t  ncode;
} Slice;

/* The code of strata 0..last that computes the registers `want`, ending in
 * RET. False (and s empty) when the program's code is not in ranges the
 * slice can take apart: then run the strata whole. */
bool slice_make(const Program *p, uint32_t last, const uint16_t *want, uint32_t nwant, Slice *s);
void slice_free(Slice *s);

#endif
