/* stdlib.c - lookup of embedded stdlib modules. */
#include "stdlib/stdlib.h"

#include <string.h>

const char *stdlib_find(const char *name)
{
    for (unsigned i = 0; i < kpi_stdlib_count; i++)
        if (strcmp(kpi_stdlib_modules[i].name, name) == 0)
            return kpi_stdlib_modules[i].text;
    return NULL;
}
