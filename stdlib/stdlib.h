/* stdlib.h - the standard library of scales, written in .kpi and embedded. */
#ifndef KPI_STDLIB_H
#define KPI_STDLIB_H

typedef struct StdlibModule {
    const char *name;   /* "scales" for stdlib/scales.kpi */
    const char *text;
} StdlibModule;

extern const StdlibModule kpi_stdlib_modules[];
extern const unsigned kpi_stdlib_count;

/* The embedded text of module `name`, or NULL. */
const char *stdlib_find(const char *name);

#endif
