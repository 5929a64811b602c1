/* testutil.h - includes cmocka the way it wants to be included. */
#ifndef KPI_TESTUTIL_H
#define KPI_TESTUTIL_H
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#endif
