/* runlimits.c - see runlimits.h. */
#include "cli/runlimits.h"
#include "base/alloc.h"
#include "cli/cli.h"

#include <string.h>

bool cli_parse_size(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    const char *p = s;
    for (; *p >= '0' && *p <= '9'; p++) {
        uint64_t d = (uint64_t)(*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    if (p == s)
        return false;
    static const char units[] = "KMGT";
    const char *u = *p ? strchr(units, *p & ~0x20) : NULL;
    if (*p && (!u || p[1]))
        return false;
    for (int k = u ? (int)(u - units) + 1 : 0; k > 0; k--) {
        if (v > UINT64_MAX / 1024)
            return false;
        v *= 1024;
    }
    *out = v;
    return true;
}

void cli_default_limits(void) { kpi_alloc_set_limit(kpi_alloc_default_limit()); }

int cli_max_memory_arg(const char *prog, const char *v)
{
    uint64_t n;
    if (!cli_parse_size(v, &n) || n > SIZE_MAX)
        return cli_usage_error(prog, "--max-memory takes a size such as 512M or 4G (0: no limit), not '%s'", v);
    kpi_alloc_set_limit((size_t)n);
    return 0;
}

int cli_max_steps_arg(const char *prog, const char *v, uint64_t *steps)
{
    uint64_t n;
    if (!cli_parse_size(v, &n) || strpbrk(v, "KMGTkmgt"))
        return cli_usage_error(prog, "--max-steps takes a number of instructions (0: no limit), not '%s'", v);
    *steps = n ? n : UINT64_MAX;
    return 0;
}
