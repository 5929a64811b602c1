#!/bin/sh
# run.sh BUILD_DIR [PART...] - the suite under valgrind's memcheck
# (make valgrind; docs/reliability.md, Sanitizers). The parts:
#   unit     every unit test (tests/unit)
#   goldens  every *.golden once: its command, exit code and exact output
#   bad      the catalogue of malformed inputs (tests/bad/run.sh)
#   limits   the limits at and one past them (tests/limits/run.sh)
#   full     tests/golden/run.sh: all of the above but unit, and the runs
#            from .kpc, kpic fmt/disasm/check of every scheme, determinism
#            and explanations (some 1700 processes; 20+ minutes on 2 cores)
# The default is "unit goldens bad limits" (about 5 minutes on 2 cores).
# kpic and kpirun are replaced by scripts that run them under memcheck. Any
# memcheck error fails: invalid reads and writes, uninitialised values, and
# leaks that are definite, indirect or possible (a block still pointed to at
# exit is not a leak: an exit past --max-memory holds everything). Every
# process logs to a file of its own; a log that is not empty is a failure
# whatever the exit code (a golden expecting exit 1 would not notice
# valgrind's). Ends with "valgrind: N processes, clean" or the logs.
set -u
build=$(cd "${1:-build}" && pwd)
shift
[ $# -gt 0 ] || set -- unit goldens bad limits
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
logs=$tmp/logs
mkdir "$logs" "$tmp/bin"
vg="valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible \
--errors-for-leak-kinds=definite,indirect,possible --num-callers=30"
fail=0

for tool in kpic kpirun; do
    # a log per process, named so that a reused process id cannot overwrite one
    printf '#!/bin/sh\nlog=$(mktemp "%s/%s-XXXXXXXX")\nexec %s --log-file="$log-%%p.log" "%s" "$@"\n' \
        "$logs" "$tool" "$vg" "$build/$tool" >"$tmp/bin/$tool"
    chmod +x "$tmp/bin/$tool"
done

unit() {
    for t in "$build"/tests/test_*; do
        [ -x "$t" ] || continue
        $vg --log-file="$logs/${t##*/}-%p.log" "$t" >"$tmp/out" 2>&1 ||
            { echo "FAIL valgrind ${t##*/}"; tail -20 "$tmp/out"; fail=1; }
    done
}

# as tests/golden/run.sh runs them, without the second run from .kpc
goldens() {
    n=0
    for golden in $(find "$root/examples" "$root/tests" -path "$root/tests/bad" -prune -o -name '*.golden' -print |
                    LC_ALL=C sort); do
        cmd=$(sed -n '1s/^\$ //p' "$golden")
        code=$(sed -n '2s/^? //p' "$golden")
        sed '1,2d' "$golden" >"$tmp/want"
        (cd "$(dirname "$golden")" && PATH="$tmp/bin:$PATH" LC_ALL=C.UTF-8 NO_COLOR=1 sh -c "$cmd" \
            >"$tmp/out" 2>"$tmp/err"; echo $? >"$tmp/code")
        cat "$tmp/out" "$tmp/err" >"$tmp/got"
        n=$((n + 1))
        if [ "$(cat "$tmp/code")" != "$code" ] || ! cmp -s "$tmp/want" "$tmp/got"; then
            fail=1
            echo "FAIL valgrind ${golden#$root/} (exit $(cat "$tmp/code"), expected $code)"
            diff -u "$tmp/want" "$tmp/got" | head -20 | sed 's/^/  /'
        fi
    done
    echo "valgrind: $n goldens run"
}

suite() { # suite SCRIPT: its failures and its last line
    sh "$root/tests/$1" "$tmp/bin" >"$tmp/out" 2>&1 || fail=1
    grep -E '^(FAIL|  )' "$tmp/out" | head -100
    echo "valgrind: tests/$1: $(tail -n 1 "$tmp/out")"
}

for part; do
    case $part in
    unit) unit ;;
    goldens) goldens ;;
    bad | limits) suite "$part/run.sh" ;;
    full) suite golden/run.sh ;;
    *) echo "run.sh: unknown part '$part' (unit, goldens, bad, limits, full)"; exit 2 ;;
    esac
done

n=$(ls "$logs" | grep -c '\.log$')
for log in "$logs"/*.log; do
    [ -s "$log" ] || continue
    fail=1
    echo "valgrind: errors in process ${log##*/}:"
    head -60 "$log"
done
[ $fail = 0 ] && echo "valgrind: $n processes, clean"
exit $fail
