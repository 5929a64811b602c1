#!/bin/sh
# run.sh BUILD_DIR - the catalogue of malformed inputs (make bad-inputs).
#
# Each directory under tests/bad/ is one case: its inputs and expected.golden
#     $ kpirun scheme.kpi --period 2026-10
#     ? 3
#     ...the exact expected output (stdout, then stderr)...
# Inputs too big or too binary to commit (a 100 MB line, 10^6 parentheses, a
# damaged .kpc) are made at test time by the case's setup.sh. A case runs in
# a scratch copy of its directory with kpic and kpirun from BUILD_DIR on PATH,
# LC_ALL=C.UTF-8 and NO_COLOR=1, so nothing is written into the tree.
#
# Besides the exact output, every case must fail with a documented exit code
# (1 scheme, 2 usage, 3 data, 4 runtime, 70 memory; docs/cli.md) and say
# where: a line "FILE:LINE:COL: error[K....]", "FILE:ROW: error[K....]" or
# "FILE: error[K....]" (the whole file); a usage error names the program and
# the option, a memory error the limit.
# The name's first word is the case's category (csv, data, scheme, kpc, run,
# usage). Prints a line per failure, "N malformed-input cases (...)", and
# ends with "N passed, N failed" (tests/golden/run.sh adds these up).
set -u
build=$(cd "${1:-build}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
passed=0
failed=0
cases=0
counts=""

fail() {
    failed=$((failed + 1))
    echo "FAIL tests/bad/$1: $2"
}

# located CODE FILE: the output says where, as the exit code's kind requires
located() {
    case $1 in
    2) grep -Eq '^kpi(c|run): ' "$2" ;;
    70) grep -Eq '^error\[K0108\]: the memory limit' "$2" ;;
    *) grep -Eq '^[^ ]+(:[0-9]+){0,2}: error\[K[0-9]{4}\]: ' "$2" ;;
    esac
}

for golden in "$here"/*/expected.golden; do
    dir=$(dirname "$golden")
    name=$(basename "$dir")
    cases=$((cases + 1))
    kind=${name%%-*}
    counts="$counts $kind"
    cmd=$(sed -n '1s/^\$ //p' "$golden")
    code=$(sed -n '2s/^? //p' "$golden")
    sed '1,2d' "$golden" >"$tmp/want"
    work="$tmp/case"
    rm -rf "$work" && cp -R "$dir" "$work"
    if [ -f "$work/setup.sh" ] &&
        ! (cd "$work" && PATH="$build:$PATH" sh setup.sh >"$tmp/setup.log" 2>&1); then
        fail "$name" "setup.sh failed"
        sed 's/^/  /' "$tmp/setup.log" | head -10
        continue
    fi
    (cd "$work" && PATH="$build:$PATH" LC_ALL=C.UTF-8 NO_COLOR=1 sh -c "$cmd" >"$tmp/out" 2>"$tmp/err"; echo $? >"$tmp/code")
    cat "$tmp/out" "$tmp/err" >"$tmp/got"
    got=$(cat "$tmp/code")
    case $code in
    1 | 2 | 3 | 4 | 70) ;;
    *) fail "$name" "expects exit code $code, which is not a documented failure"; continue ;;
    esac
    if ! located "$code" "$tmp/want"; then
        fail "$name" "the expected output does not say where the error is"
        continue
    fi
    if [ "$got" = "$code" ] && cmp -s "$tmp/want" "$tmp/got"; then
        passed=$((passed + 1))
    else
        fail "$name" "$cmd"
        [ "$got" = "$code" ] || echo "  exit code $got, expected $code"
        diff -u "$tmp/want" "$tmp/got" | sed 's/^/  /' | head -30
    fi
done
rm -rf "$tmp/case"
summary=$(for k in $counts; do echo "$k"; done | sort | uniq -c | awk '{printf "%s%s %s", sep, $1, $2; sep=", "}')
echo "$cases malformed-input cases ($summary)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
