/* hoist.h - the employee program without its constant named values
 * (vm/hoist.c). */
#ifndef KPI_HOIST_H
#define KPI_HOIST_H
#include "vm/program.h"

/* A named value that is one constant for every employee (an indicator's
 * weight, an `active` or `condition` that is plain true): its register is
 * set once in each frame instead of by a LOADK an employee. */
typedef struct Preset {
    uint16_t reg;
    uint32_t k;         /* Program.consts index */
} Preset;

/* The program's code without those LOADKs, jumps and strata moved along,
 * as a view of the program (its other fields shared). */
typedef struct Hoist {
    Program   view;
    Ins      *code;
    uint32_t *span;
    uint32_t *stratum_pc;
    Preset   *preset;
    uint32_t  npreset;
} Hoist;

/* False (and h empty) when there is nothing to hoist or the program has no
 * def ranges to find them by: then run the code as it is. */
bool hoist_make(const Program *p, Hoist *h);
/* Sets the preset registers of a frame made by program_frame_init. */
void hoist_frame(const Hoist *h, const Program *p, Value *frame);
void hoist_free(Hoist *h);

#endif
