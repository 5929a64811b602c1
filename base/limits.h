/* limits.h - every size limit of kpi, in one place, with why.
 *
 * Inputs are hand-edited schemes and CSV exports of whatever a CRM wrote
 * that month, so every size that drives memory, time or recursion is
 * bounded, and checked before anything of that size is allocated. Going
 * past a limit is a located error: K0108 for schemes and runs ("a limit is
 * exceeded"), K0902 for the CSV structure, naming file:line:col or
 * file:row:field. docs/reliability.md lists each with its test. */
#ifndef KPI_LIMITS_H
#define KPI_LIMITS_H

/* ---- a scheme's text (grammar/) ---- */
/* Whole-file buffers and 32-bit offsets; far above any real scheme. */
#define KPI_MAX_SOURCE_BYTES (16u << 20)
/* Bounds parser work and AST memory independently of the file size. */
#define KPI_MAX_TOKENS       (1u << 20)
/* Names are echoed in messages and keys; 256 bytes is 128 Cyrillic letters. */
#define KPI_MAX_NAME_BYTES   256
/* A label or a text to compare a cell with, never a document. */
#define KPI_MAX_STRING_BYTES 4096
/* Every later pass recurses over expressions: this bounds the C stack. */
#define KPI_MAX_EXPR_DEPTH   256
/* The lexer keeps the parentheses of each open brace in a fixed array. */
#define KPI_MAX_BRACE_DEPTH  64
/* Names of one numbered range q1..qN (columns, aggregate arguments). */
#define KPI_MAX_RANGE        1000
/* Digits of a numeric literal: 36 digits keep a Rat exact with room. */
#define RAT_MAX_LITERAL_DIGITS 36

/* ---- the compiler (compiler/) ---- */
/* Modules are compiled in one pass with a fixed array of trees. */
#define KPI_MAX_IMPORTS      64
/* Values resolved inside one another (a value using one declared after
 * it): the resolver recurses through them. */
#define KPI_MAX_DEF_CHAIN    500
/* Expressions, the values they use and the scales they call, resolved
 * inside one another: one count bounds the compiler's C stack (about 2 KiB
 * a level at -O2, so 4 MiB of the usual 8) and the depth of the IR. */
#define KPI_MAX_NESTING      2000
/* An indicator takes 9 named values (fact, plan, ...) of the 65000 registers. */
#define KPI_MAX_INDICATORS   5000u
/* Rows of one bands expression; the gap/overlap check is quadratic. */
#define KPI_MAX_BANDS        1000u
/* Scale calling scale calling ...: inlining multiplies the IR. */
#define KPI_MAX_INLINE_DEPTH 32u
/* Operations after inlining: bounds compile time and memory. */
#define KPI_MAX_IR_NODES     (4u << 20)
/* Aggregate and team-field indices are 16-bit instruction operands. */
#define KPI_MAX_AGGREGATES   65000u
#define KPI_MAX_TEAM_FIELDS  65000u

/* ---- bytecode (vm/program.h, vm/kpc.c) ---- */
/* Register, constant and vector indices are 16-bit operands (0xFFFF is NO_REG). */
#define KPI_MAX_REGS         65000u
#define KPI_MAX_CONSTS       65000u
#define KPI_MAX_VECS         250u
/* Instructions of a program: 12 bytes each with their spans, 192 MiB here. */
#define KPI_MAX_CODE         (1u << 24)
/* A .kpc is read whole before it is checked. */
#define KPC_MAX_BYTES        (256u << 20)

/* ---- data (vm/csv.c, vm/ref.c, vm/scan.c) ---- */
/* One field, and one record (= one line, unless quoted newlines): the
 * reader's buffer grows to hold a record, so this bounds its memory. */
#define CSV_MAX_FIELD        (1u << 20)
#define CSV_MAX_RECORD       (16u << 20)
/* The header is read with a fixed array of field slices. */
#define CSV_MAX_COLUMNS      4096u
/* Data rows of one CSV file (of each part of it, when threads read it in
 * parts): fact sums (i128 of int64) and counts stay far from their types'
 * ends, and a run stays within hours. */
#define CSV_MAX_ROWS         1000000000ull
/* Rows of the roster and of each plans table, which are held in memory. */
#define KPI_MAX_EMPLOYEES    (10u << 20)
#define KPI_MAX_THREADS      8u    /* parts a fact file is read in at once (kpirun --threads) */

/* ---- a run (kpirun, kpic check --data) ---- */
/* --max-memory: bytes the process may hold through kpi_malloc at once.
 * The default is half the machine's physical memory, at least this much
 * (base/alloc.c); 0 on the command line means no limit. */
#define KPI_MIN_DEFAULT_MEMORY (1ull << 30)
/* --max-steps: instructions of the employee program a run may execute,
 * counted as code size x employees (code only jumps forward, so that is
 * an upper bound). 10^10 is minutes of work, far past any real period. */
#define KPI_DEFAULT_MAX_STEPS  10000000000ull

/* ---- how much is reported (not size limits: later ones are counted) ---- */
#define DIAG_MAX_ERRORS      100   /* diagnostics kept for one scheme or one reading of the data */
#define KPI_MAX_RUN_ERRORS   20    /* employees whose runtime error is reported */
#define KPI_UNKNOWN_SHOWN    5     /* ids named in a warning about unknown employees */
#define CURVE_MAX_KNOTS      256   /* knots of a scale shown by kpirun curve */

#endif
