#!/bin/sh
# run.sh BUILD_DIR - the golden end-to-end tests.
#
# Every *.golden file under examples/ and tests/ is one test:
#     $ kpirun scheme.kpi --period 2026-10 --format csv
#     ? 0
#     ...the exact expected output (stdout, then stderr)...
# The command runs in the golden file's directory with kpic and kpirun from
# BUILD_DIR. A kpirun test of a .kpi scheme is run a second time from the
# compiled .kpc (kpic build), which must give the same bytes, and every
# example scheme must disassemble (kpic disasm).
# Prints a diff for each failure and ends with "N passed, N failed".
set -u
build=$(cd "${1:-build}" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
passed=0
failed=0

# run_case DIR COMMAND EXPECTED_CODE EXPECTED_FILE LABEL
run_case() {
    dir=$1 cmd=$2 code=$3 want=$4 label=$5
    (cd "$dir" && PATH="$build:$PATH" LC_ALL=C.UTF-8 NO_COLOR=1 sh -c "$cmd" >"$tmp/out" 2>"$tmp/err"; echo $? >"$tmp/code")
    cat "$tmp/out" "$tmp/err" >"$tmp/got"
    got_code=$(cat "$tmp/code")
    if [ "$got_code" = "$code" ] && cmp -s "$want" "$tmp/got"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL $label"
        echo "  command: $cmd   (in ${dir#$root/})"
        [ "$got_code" = "$code" ] || echo "  exit code $got_code, expected $code"
        diff -u "$want" "$tmp/got" | sed 's/^/  /' | head -40
    fi
}

# (tests/bad has its own runner, the suite below)
for golden in $(find "$root/examples" "$root/tests" -path "$root/tests/bad" -prune -o -name '*.golden' -print | LC_ALL=C sort); do
    dir=$(dirname "$golden")
    label=${golden#$root/}
    cmd=$(sed -n '1s/^\$ //p' "$golden")
    code=$(sed -n '2s/^? //p' "$golden")
    sed '1,2d' "$golden" >"$tmp/want"
    run_case "$dir" "$cmd" "$code" "$tmp/want" "$label"
    # the same run from bytecode: kpic build, then kpirun the .kpc (which
    # cannot take --set: a what-if run recompiles the source)
    set -- $cmd
    case " $* " in *" --set "*) set -- ;; esac
    if [ "${1:-}" = kpirun ] && [ "${2%.kpi}" != "$2" ] && [ "$code" = 0 ]; then
        scheme=$2
        shift 2
        if (cd "$dir" && "$build/kpic" build "$scheme" -o "$tmp/s.kpc" >/dev/null 2>&1); then
            run_case "$dir" "kpirun $tmp/s.kpc --data . $*" "$code" "$tmp/want" "$label (from .kpc)"
        else
            failed=$((failed + 1))
            echo "FAIL $label (kpic build)"
        fi
    fi
done
# every example's bytecode can be listed, and the checker finds nothing in it
for scheme in $(find "$root/examples" -name '*.kpi' | LC_ALL=C sort); do
    if "$build/kpic" disasm "$scheme" >"$tmp/disasm" 2>&1 && grep -q '^stratum 0:' "$tmp/disasm"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL kpic disasm ${scheme#$root/}"
        head -20 "$tmp/disasm" | sed 's/^/  /'
    fi
    if "$build/kpic" check --werror "$scheme" >"$tmp/check" 2>&1; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL kpic check --werror ${scheme#$root/}"
        head -20 "$tmp/check" | sed 's/^/  /'
    fi
done
# every example scheme carries tests of its own, and they pass (kpirun test)
for scheme in $(find "$root/examples" -name scheme.kpi | LC_ALL=C sort); do
    if (cd "$(dirname "$scheme")" && "$build/kpirun" test scheme.kpi >"$tmp/test" 2>&1) &&
        ! grep -q ': no tests$' "$tmp/test"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL kpirun test ${scheme#$root/}"
        head -20 "$tmp/test" | sed 's/^/  /'
    fi
done
# every scheme that parses is in canonical form; formatting it again changes
# nothing, and its formatted text parses to the same tree and compiles to the
# same code
for scheme in $(find "$root/examples" "$root/stdlib" "$root/tests" -name '*.kpi' | LC_ALL=C sort); do
    "$build/kpic" ast "$scheme" >/dev/null 2>&1 || continue
    label="kpic fmt ${scheme#$root/}"
    copy="$(dirname "$scheme")/.fmt-check-$$.kpi"
    "$build/kpic" fmt "$scheme" >"$copy"
    if ! "$build/kpic" fmt --check "$scheme" 2>"$tmp/fmt"; then
        failed=$((failed + 1)); echo "FAIL $label: not formatted"; rm -f "$copy"; continue
    fi
    if ! "$build/kpic" fmt "$copy" | cmp -s - "$copy"; then
        failed=$((failed + 1)); echo "FAIL $label: formatting twice differs"; rm -f "$copy"; continue
    fi
    # the same tree too: tests, which compile to no code, are kept as written
    "$build/kpic" ast "$scheme" >"$tmp/a.ast" 2>/dev/null
    if ! "$build/kpic" ast "$copy" 2>/dev/null | cmp -s - "$tmp/a.ast"; then
        failed=$((failed + 1)); echo "FAIL $label: the formatted scheme reads differently"; rm -f "$copy"; continue
    fi
    if "$build/kpic" disasm --no-lines "$scheme" >"$tmp/a.dis" 2>/dev/null; then
        "$build/kpic" disasm --no-lines "$copy" >"$tmp/b.dis" 2>/dev/null
        if ! cmp -s "$tmp/a.dis" "$tmp/b.dis"; then
            failed=$((failed + 1)); echo "FAIL $label: the formatted scheme compiles differently"; rm -f "$copy"; continue
        fi
    fi
    rm -f "$copy"
    passed=$((passed + 1))
done
# docs/diagnostics.md is exactly what kpic explain --all makes of base/diagcodes.def
if "$build/kpic" explain --all | cmp -s - "$root/docs/diagnostics.md"; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
    echo "FAIL docs/diagnostics.md differs from 'kpic explain --all' (regenerate it)"
fi
# docs/bytecode.md carries the opcode table exactly as vm/opcodes.def makes it
"$build/kpic" opcodes | grep -E '^\| `[A-Z_]+` \| `' >"$tmp/ops.want"
grep -E '^\| `[A-Z_]+` \| `' "$root/docs/bytecode.md" >"$tmp/ops.doc" 2>/dev/null
if cmp -s "$tmp/ops.want" "$tmp/ops.doc"; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
    echo "FAIL docs/bytecode.md: its opcode table differs from 'kpic opcodes'"
    diff -u "$tmp/ops.doc" "$tmp/ops.want" | sed 's/^/  /' | head -20
fi
# suites with their own scripts; each ends with "N passed, N failed", which join ours
suite() {
    sh "$root/tests/$1/run.sh" "$build" >"$tmp/suite"
    sed '$d' "$tmp/suite"
    last=$(tail -n 1 "$tmp/suite")
    case $last in
    *" passed, "*" failed") passed=$((passed + ${last%% *})); last=${last#*, }; failed=$((failed + ${last%% *})) ;;
    *) failed=$((failed + 1)); echo "FAIL tests/$1/run.sh did not finish" ;;
    esac
}
suite determinism   # the same bytes across runs, row orders and locales
suite explain       # every example's explanations, and their JSON against its schema
suite bad           # the catalogue of malformed inputs: each a located error and exit code
suite limits        # the limits whose inputs are megabytes, at the limit and one past it
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
