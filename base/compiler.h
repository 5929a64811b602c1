/* compiler.h - attributes that differ between compilers. */
#ifndef KPI_COMPILER_H
#define KPI_COMPILER_H

/* A function whose unsigned arithmetic wraps on purpose (hashes, checksums,
 * pseudo-random sequences, multiword carries). `make asan` builds with
 * clang's -fsanitize=unsigned-integer-overflow, which reports any wrap;
 * this exempts only the marked function. gcc has no such check. */
#if defined(__clang__)
#define KPI_WRAPS __attribute__((no_sanitize("unsigned-integer-overflow")))
#else
#define KPI_WRAPS
#endif

/* Keeps x in a general register: stops the compiler from merging 8-byte
 * loads or stores of neighbouring words into one 16-byte vector access. */
#if defined(__GNUC__)
#define KPI_IN_REG(x) __asm__("" : "+r"(x))
#else
#define KPI_IN_REG(x) ((void)0)
#endif

#endif
