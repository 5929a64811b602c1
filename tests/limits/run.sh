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

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
