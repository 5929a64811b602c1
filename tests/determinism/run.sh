#!/bin/sh
# run.sh BUILD_DIR - kpirun writes the same bytes whatever the run.
#
# For examples/demo and tests/golden/manifest (whose warning names unknown
# employees), with SOURCE_DATE_EPOCH set, every format (table, csv, json),
# and for the demo also the explanation of E01 and the payout statements:
#   (a) two runs in two directories (the second with another TZ) give
#       identical results, warnings and manifests;
#   (b) the same data with the rows of every CSV file shuffled (header kept,
#       a fixed shuffle) give identical results and warnings;
#   (c) LC_ALL=ru_RU.UTF-8 gives identical results, warnings and manifests.
#       Skipped with a note when that locale is not installed (as root:
#       localedef -i ru_RU -f UTF-8 ru_RU.UTF-8).
# kpirun evaluates on one thread, so there is no thread count to vary.
# Prints a line per failure and ends with "N passed, N failed"; tests/golden/
# run.sh adds these to its own counts.
set -u
build=$(cd "${1:-build}" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
passed=0
failed=0
SOURCE_DATE_EPOCH=1793491200
NO_COLOR=1
export SOURCE_DATE_EPOCH NO_COLOR
formats="table csv json"

fail() {
    failed=$((failed + 1))
    echo "FAIL determinism: $1"
}

# same LABEL FILE FILE
same() {
    if cmp -s "$2" "$3"; then
        passed=$((passed + 1))
    else
        fail "$1"
        diff -u "$2" "$3" | head -20 | sed 's/^/  /'
    fi
}

# setup DATASET NAME: a copy of the dataset's schemes and CSV files in $tmp/NAME
setup() {
    mkdir -p "$tmp/$2" && cp "$root/$1"/*.kpi "$root/$1"/*.csv "$tmp/$2"/
}

# run NAME LOCALE [TZ]: every format into NAME/out.FORMAT (and its manifest),
# standard error into NAME/err.FORMAT
run() {
    for f in $formats; do
        if ! (cd "$tmp/$1" && LC_ALL=$2 TZ=${3:-UTC} "$build/kpirun" scheme.kpi --period 2026-10 \
              --format "$f" -o "out.$f" 2>"err.$f"); then
            fail "kpirun in $1 ($2, --format $f) failed:"
            sed 's/^/  /' "$tmp/$1/err.$f"
        fi
    done
}

# explained NAME LOCALE [TZ]: the demo's explanation of E01 (text, JSON) and
# its statements, into NAME/explain.* and NAME/st/
explained() {
    (cd "$tmp/$1" && LC_ALL=$2 TZ=${3:-UTC} "$build/kpirun" scheme.kpi --period 2026-10 --explain E01 \
        >explain.txt 2>&1 &&
     LC_ALL=$2 TZ=${3:-UTC} "$build/kpirun" scheme.kpi --period 2026-10 --explain E01 --format json \
        >explain.json 2>&1 &&
     LC_ALL=$2 TZ=${3:-UTC} "$build/kpirun" scheme.kpi --period 2026-10 --statements st >/dev/null 2>&1) ||
        fail "kpirun --explain / --statements in $1 ($2) failed"
}

# compare_explained A B LABEL: explanations and every statement page (and their manifest)
compare_explained() {
    same "$3: explanation" "$tmp/$1/explain.txt" "$tmp/$2/explain.txt"
    same "$3: explanation as JSON" "$tmp/$1/explain.json" "$tmp/$2/explain.json"
    if diff -r "$tmp/$1/st" "$tmp/$2/st" >"$tmp/st.diff"; then
        passed=$((passed + 1))
    else
        fail "$3: statements"
        head -20 "$tmp/st.diff" | sed 's/^/  /'
    fi
}

# compare A B [manifests]: results and warnings of every format, and the manifests if asked
compare() {
    for f in $formats; do
        same "$3: --format $f result" "$tmp/$1/out.$f" "$tmp/$2/out.$f"
        same "$3: --format $f warnings" "$tmp/$1/err.$f" "$tmp/$2/err.$f"
        [ "${4:-}" = manifests ] &&
            same "$3: --format $f manifest" "$tmp/$1/out.$f.manifest.json" "$tmp/$2/out.$f.manifest.json"
    done
}

# shuffle FILE: its data rows in another order, always the same one
shuffle() {
    { head -n 1 "$1"; tail -n +2 "$1" | shuf --random-source="$tmp/seed"; } >"$1.shuf" && mv "$1.shuf" "$1"
}

yes kpi-determinism | head -c 65536 >"$tmp/seed"
ru=$(locale -a 2>/dev/null | grep -i -x 'ru_RU\.utf-\{0,1\}8' | head -1)
for ds in examples/demo tests/golden/manifest; do
    n=$(echo "$ds" | tr / _)
    setup "$ds" "$n.1"
    setup "$ds" "$n.2"
    run "$n.1" C.UTF-8
    run "$n.2" C.UTF-8 Asia/Vladivostok
    compare "$n.1" "$n.2" "$ds, two runs" manifests
    demo=false
    [ "$ds" = examples/demo ] && demo=true
    if $demo; then
        explained "$n.1" C.UTF-8
        explained "$n.2" C.UTF-8 Asia/Vladivostok
        compare_explained "$n.1" "$n.2" "$ds, two runs"
    fi

    setup "$ds" "$n.shuf"
    for csv in "$tmp/$n.shuf"/*.csv; do
        shuffle "$csv"
    done
    moved=0
    for csv in "$tmp/$n.1"/*.csv; do
        cmp -s "$csv" "$tmp/$n.shuf/$(basename "$csv")" || moved=$((moved + 1))
    done
    if [ "$moved" -eq 0 ]; then fail "$ds: the shuffle left every file as it was"; else passed=$((passed + 1)); fi
    run "$n.shuf" C.UTF-8
    compare "$n.1" "$n.shuf" "$ds, rows shuffled"
    if $demo; then
        explained "$n.shuf" C.UTF-8
        same "$ds, rows shuffled: explanation" "$tmp/$n.1/explain.txt" "$tmp/$n.shuf/explain.txt"
        # the statements' manifest hashes the (shuffled) inputs: compare the pages
        diff -r -x manifest.json "$tmp/$n.1/st" "$tmp/$n.shuf/st" >/dev/null &&
            passed=$((passed + 1)) || fail "$ds, rows shuffled: statements"
    fi

    if [ -n "$ru" ]; then
        setup "$ds" "$n.ru"
        run "$n.ru" ru_RU.UTF-8
        compare "$n.1" "$n.ru" "$ds, LC_ALL=ru_RU.UTF-8" manifests
        if $demo; then
            explained "$n.ru" ru_RU.UTF-8
            compare_explained "$n.1" "$n.ru" "$ds, LC_ALL=ru_RU.UTF-8"
        fi
    fi
done
[ -n "$ru" ] || echo "note: the locale ru_RU.UTF-8 is not installed; the locale check was skipped"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
