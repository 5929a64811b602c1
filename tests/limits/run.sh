#!/bin/sh
# run.sh BUILD_DIR - the limits whose inputs are too big for the unit tests
# under valgrind, each at the limit (accepted) and one past it (a located
# K0108): a scheme of exactly KPI_MAX_SOURCE_BYTES bytes, and one of exactly
# KPI_MAX_TOKENS tokens. The other limits are tested in tests/unit
# (test_limits.c, test_csv.c, test_parser.c, test_lexer.c); the inputs past
# them are also in the catalogue tests/bad. docs/reliability.md lists them.
# Prints a line per failure and ends with "N passed, N failed".
set -u
build=$(cd "${1:-build}" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
passed=0
failed=0
cd "$tmp"

# check LABEL WANT_CODE WANT_STDERR COMMAND...: exit code and stderr exactly
check() {
    label=$1 want_code=$2 want_err=$3
    shift 3
    "$@" >/dev/null 2>err
    code=$?
    if [ "$code" = "$want_code" ] && [ "$(cat err)" = "$want_err" ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL limits: $label (exit $code, expected $want_code)"
        head -c 600 err | sed 's/^/  /'
        echo "  expected: $want_err"
    fi
}

# ---- KPI_MAX_SOURCE_BYTES: 16 MiB; comment lines fill a valid scheme up ----
cat >base.kpi <<'KPI'
roster staff from "roster.csv" {
    employee id: text
    salary: money
}

payout = staff.salary
KPI
fill() { # fill BYTES: base.kpi, then '#' lines up to BYTES in all
    awk -v total="$1" -v have="$(wc -c <base.kpi)" 'BEGIN {
        line = "#"; for (i = 0; i < 1022; i++) line = line "-"
        left = total - have
        while (left >= 1024) { print line; left -= 1024 }
        if (left > 0) { s = "#"; for (i = 1; i < left - 1; i++) s = s "-"; if (left == 1) printf "\n"; else print s }
    }'
}
{ cat base.kpi; fill 16777216; } >at.kpi
{ cat base.kpi; fill 16777217; } >past.kpi
if [ "$(wc -c <at.kpi)" -eq 16777216 ] && [ "$(wc -c <past.kpi)" -eq 16777217 ]; then
    check "a scheme of exactly 16 MiB" 0 "" "$build/kpic" check at.kpi
    check "a scheme of 16 MiB + 1 byte" 1 "past.kpi: error[K0108]: file is larger than the limit of 16777216 bytes" \
        "$build/kpic" check past.kpi
else
    failed=$((failed + 1))
    echo "FAIL limits: the generated schemes have the wrong sizes"
fi

# ---- KPI_MAX_TOKENS: 2^20 = 522 lines of 2006 tokens and one of 1444 ----
# "let aN = min(" is 5 tokens, each "1," 2, then "1", ")" and the line end.
tokens() { # tokens LAST_PREFIX: the lines; LAST_PREFIX starts the last call
    awk -v last="$1" 'BEGIN {
        args = "1"; for (i = 0; i < 999; i++) args = args ",1"
        for (n = 0; n < 522; n++) print "let a" n " = min(" args ")"
        args = "1"; for (i = 0; i < 718; i++) args = args ",1"
        print "let z = " last "min(" args ")"
    }'
}
tokens "" >at.kpi
tokens "-" >past.kpi
check "a scheme of exactly 1048576 tokens" 0 "" "$build/kpic" ast at.kpi
# the last token, the 1048577th, is the line end after the ')'
check "a scheme of 1048577 tokens" 1 "past.kpi:523:1452: error[K0108]: the scheme has more than 1048576 tokens; the rest is not read
 523 | ...,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1)
     |                                                         ^" "$build/kpic" ast past.kpi

# ---- CSV_MAX_RECORD: 16 MiB with the line end; 18 fields, none past CSV_MAX_FIELD ----
cat >roster.kpi <<'KPI'
roster staff from "roster.csv" {
    employee id: text
    salary: money
}

payout = staff.salary
KPI
record() { # record LENGTH: roster.csv whose data record is LENGTH bytes before its line end
    left=$(($1 - 24)) # "E1,100" and 18 commas
    {
        printf 'id,salary'
        i=1; while [ $i -le 18 ]; do printf ',x%d' $i; i=$((i + 1)); done
        printf '\nE1,100'
        i=1; while [ $i -le 18 ]; do
            n=$left; [ $n -gt 1000000 ] && n=1000000
            left=$((left - n)); printf ','; head -c $n /dev/zero | tr '\000' y; i=$((i + 1))
        done
        printf '\n'
    } >roster.csv
}
record 16777215
check "a CSV record of 16 MiB with its line end" 0 "" "$build/kpirun" roster.kpi --period 2026-10
record 16777216
check "a CSV record of 16 MiB + 1 byte with its line end" 3 \
    "roster.csv:2:20: error[K0902]: record is longer than 16777216 bytes" "$build/kpirun" roster.kpi --period 2026-10
rm -f roster.csv

# ---- KPC_MAX_BYTES: 256 MiB; a sparse file is read (and refused as not a .kpc), one byte more is not read ----
if truncate -s 268435456 at.kpc 2>/dev/null && truncate -s 268435457 past.kpc; then
    check "a .kpc of exactly 256 MiB" 1 "at.kpc: error[K0911]: not a compiled scheme (.kpc) file" \
        "$build/kpirun" at.kpc --period 2026-10
    check "a .kpc of 256 MiB + 1 byte" 1 "past.kpc: error[K0911]: file is larger than the limit of 268435456 bytes" \
        "$build/kpirun" past.kpc --period 2026-10
    rm -f at.kpc past.kpc
fi

# ---- KPI_MAX_REGS: a tree of 65535 values that all reach the payout ----
awk 'BEGIN {
    print "roster staff from \"roster.csv\" {\n    employee id: text\n    salary: money\n}\n"
    n = 32768; for (i = 0; i < n; i++) print "let a0_" i " = staff.salary + " i
    for (l = 0; n > 1; l++) {
        for (i = 0; i < n / 2; i++) print "let a" l + 1 "_" i " = a" l "_" 2 * i " + a" l "_" 2 * i + 1
        n = n / 2
    }
    print "payout = a" l "_0"
}' >regs.kpi
check "65535 named values" 1 "regs.kpi:1:1: error[K0108]: the scheme has more than 65000 named values
 1 | roster staff from \"roster.csv\" {
   | ^" "$build/kpic" check regs.kpi

# ---- KPI_MAX_REGS with constants: 64 961 named values fit with their two constants; 39 constants more
# (a register each, above the temporaries) do not ----
kregs() { # EXTRA: the payout adds the constants 2..EXTRA+1
    awk -v extra="$1" 'BEGIN {
        print "roster staff from \"roster.csv\" {\n    employee id: text\n    salary: money\n}\n"
        n = 32480; for (i = 0; i < n; i++) print "let a0_" i " = staff.salary + 1"
        for (l = 0; n > 1; l++) {
            m = int((n + 1) / 2)
            for (i = 0; i < m; i++) print "let a" l + 1 "_" i " = a" l "_" 2 * i (2 * i + 1 < n ? " + a" l "_" 2 * i + 1 : "")
            n = m
        }
        s = "payout = a" l "_0"; for (k = 2; k <= extra + 1; k++) s = s " + " k; print s
    }' >kregs.kpi
}
kregs 0
check "64961 named values and 2 constants" 0 "" "$build/kpic" check kregs.kpi
kregs 39
check "64961 named values and 41 constants" 1 "kregs.kpi:1:1: error[K0108]: the scheme is too large for the bytecode (97482 instructions, 65042 registers, 41 constants)
 1 | roster staff from \"roster.csv\" {
   | ^" "$build/kpic" check kregs.kpi

# ---- KPI_MAX_AGGREGATES: 65001 different sums (equal ones are found by hash) ----
awk 'BEGIN {
    print "roster staff from \"roster.csv\" {\n    employee id: text\n    salary: money\n}\n"
    print "facts deals from \"deals.csv\" {\n    employee id: text\n    date d: date\n    amount: money\n}\n"
    for (j = 0; k < 65001; j++) {
        s = "let g" j " = 0"
        for (i = 0; i < 200 && k < 65001; i++) s = s " + sum(amount from deals where amount > " k++ ")"
        print s
    }
    for (h = 0; h * 200 < j; h++) {
        s = "let h" h " = 0"
        for (i = h * 200; i < j && i < h * 200 + 200; i++) s = s " + g" i
        print s
    }
    s = "payout = staff.salary"; for (i = 0; i < h; i++) s = s " + h" i; print s
}' >aggs.kpi
check "65001 different aggregates" 1 "aggs.kpi:337:16: error[K0108]: more than 65000 different aggregates
 337 | let g325 = 0 + sum(amount from deals where amount > 65000)
     |                ^~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~" "$build/kpic" check aggs.kpi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
