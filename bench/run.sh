#!/bin/sh
# bench/run.sh BUILD [SIZE] - kpirun and its peers on one month of data,
# side by side (make bench [BENCH_SIZE=full|1m|small]); see bench/README.md.
#
#   SIZE   full (default): 10 000 sellers, 10M deal rows, 2M call rows
#          1m: 1 000 sellers, 1M deal rows;  small: 1 000 sellers, 100k deal rows
#   BENCH_RUNS=3       runs per tool, the best wall time counts (a tool whose
#                      first run takes over 15 s runs once)
#   BENCH_TIMEOUT=120  seconds after which one run is stopped
#   BENCH_PEERS="duckdb pandas sqlite awk"
set -eu
BUILD=${1:-build}
SIZE=${2:-full}
RUNS=${BENCH_RUNS:-3}
TIMEOUT=${BENCH_TIMEOUT:-120}
PEERS=${BENCH_PEERS:-duckdb pandas sqlite awk}
PERIOD=2026-10
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=$ROOT/bench
GEN=$ROOT/$BUILD/bench-gen
MEASURE=$ROOT/$BUILD/bench-measure
CMP=$ROOT/$BUILD/bench-cmp
CEILING=$ROOT/$BUILD/bench-ceiling
KPIRUN=$ROOT/$BUILD/kpirun
KPIC=$ROOT/$BUILD/kpic
PEERDIR=$BENCH/.peers
DUCKDB_PKG=@duckdb/node-api@1.5.6-r.1

case $SIZE in
full)  GEN_ARGS="--employees 10000 --deals-per-employee 1000 --calls-per-employee 200"
       EVAL_N=1000000 ;;
1m)    GEN_ARGS="--employees 1000 --deals-per-employee 1000 --calls-per-employee 200"
       EVAL_N=1000000 ;;
small) GEN_ARGS="--employees 1000 --deals-per-employee 100 --calls-per-employee 20"
       EVAL_N=100000 ;;
*)     echo "bench: unknown size '$SIZE' (full, 1m or small)" >&2; exit 2 ;;
esac
GEN_1M="--employees 1000 --deals-per-employee 1000 --calls-per-employee 200"
FILES="roster.csv plans.csv dept_plans.csv deals.csv calls.csv idle.csv"

say() { printf '%s\n' "$*"; }
is_root() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; }
APT_UPDATED=
apt_install() {
    if [ -z "$APT_UPDATED" ]; then
        DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 || true
        APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1
}

# ---- peers: installed here, outside the build --------------------------------
NOTES=
note() { NOTES="$NOTES
  $*"; }

need_pkg() { # command-check debian-package...
    check=$1; shift
    if sh -c "$check" >/dev/null 2>&1; then return 0; fi
    if is_root; then
        say "bench: installing $*"
        apt_install "$@" && sh -c "$check" >/dev/null 2>&1 && return 0
    fi
    note "skipped: needs the Debian package(s) $* (apt-get install $*)"
    return 1
}

setup_duckdb() {
    need_pkg "command -v node && command -v npm" nodejs npm || return 1
    if [ ! -f "$PEERDIR/node_modules/@duckdb/node-api/package.json" ]; then
        mkdir -p "$PEERDIR"
        [ -f "$PEERDIR/package.json" ] ||
            printf '{ "private": true, "name": "kpi-bench-peers", "version": "0.0.0" }\n' > "$PEERDIR/package.json"
        say "bench: installing $DUCKDB_PKG into bench/.peers with npm"
        (cd "$PEERDIR" && npm install --no-audit --no-fund --loglevel=error "$DUCKDB_PKG" >/dev/null) || {
            note "skipped duckdb: npm install $DUCKDB_PKG failed"; return 1; }
    fi
    # an ES module finds its packages next to itself
    cp "$BENCH/peers/duckdb.mjs" "$PEERDIR/duckdb.mjs"
}

peer_ready() {
    case $1 in
    duckdb) setup_duckdb ;;
    pandas) need_pkg "/usr/bin/python3 -c 'import pandas'" python3-pandas ;;
    sqlite) need_pkg "command -v sqlite3" sqlite3 ;;
    awk)    need_pkg "command -v mawk || command -v awk" mawk ;;
    *)      note "unknown peer '$1'"; return 1 ;;
    esac
}

peer_label() {
    case $1 in
    duckdb) v=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$PEERDIR/node_modules/@duckdb/node-api/package.json" | head -1)
            printf 'duckdb %s (2 thr)' "${v%%-*}" ;;
    pandas) printf 'pandas %s' "$(/usr/bin/python3 -c 'import pandas; print(pandas.__version__)')" ;;
    sqlite) printf 'sqlite3 %s' "$(sqlite3 --version | cut -d' ' -f1)" ;;
    awk)    if command -v mawk >/dev/null; then
                printf 'mawk %s' "$(mawk -W version 2>&1 | head -1 | cut -d' ' -f2)"
            else printf 'awk'; fi ;;
    esac
}

# measure_peer PEER DATA OUT: one peer, as measure does.
measure_peer() {
    case $1 in
    duckdb) measure duckdb node "$PEERDIR/duckdb.mjs" "$2" "$PERIOD" "$3" ;;
    pandas) measure pandas /usr/bin/python3 "$BENCH/peers/pandas_peer.py" "$2" "$PERIOD" "$3" ;;
    sqlite) measure sqlite sh "$BENCH/peers/sqlite.sh" "$2" "$PERIOD" "$3" ;;
    awk)    measure awk sh "$BENCH/peers/awk.sh" "$2" "$PERIOD" "$3" ;;
    esac
}

# ---- data: generated once per size, kept in bench/out/ ---------------------------
gen_stamp() { printf '%s %s\n' "$(cksum < "$BENCH/gen.c")" "$*"; }

ensure_data() { # DIR ARGS...
    dir=$1; shift
    if [ -f "$dir/.stamp" ] && [ "$(cat "$dir/.stamp")" = "$(gen_stamp "$@")" ]; then return 0; fi
    rm -rf "$dir"
    mkdir -p "$dir"
    say "bench: generating $dir ($*)"
    t0=$(date +%s)
    # shellcheck disable=SC2086
    "$GEN" "$@" --out "$dir"
    say "bench: generated in $(( $(date +%s) - t0 )) s"
    gen_stamp "$@" > "$dir/.stamp"
}

# ---- measuring ---------------------------------------------------------------------
# measure NAME CMD...: best wall of RUNS runs (one if the first takes > 15 s);
# sets WALL, RSS_KB (the largest of the runs) and CODE.  When MOUT names the
# command's result file, VARIES=1 tells that two runs wrote different results.
MOUT=
measure() {
    name=$1; shift
    WALL='' RSS_KB=0 CODE=0 VARIES=0
    i=0
    [ -z "$MOUT" ] || rm -f "$MOUT.prev"
    while [ $i -lt "$RUNS" ]; do
        i=$((i + 1))
        "$MEASURE" -o "$RES/$name.time" timeout "$TIMEOUT" "$@" > "$RES/$name.stdout" 2> "$RES/$name.err" || true
        read -r w k c < "$RES/$name.time"
        [ "$c" = 0 ] || { CODE=$c; WALL=$w; RSS_KB=$k; return 0; }
        [ "$k" -gt "$RSS_KB" ] && RSS_KB=$k
        if [ -n "$MOUT" ]; then
            [ ! -f "$MOUT.prev" ] || cmp -s "$MOUT" "$MOUT.prev" || VARIES=1
            cp "$MOUT" "$MOUT.prev"
        fi
        if [ -z "$WALL" ] || awk "BEGIN { exit !($w < $WALL) }"; then WALL=$w; fi
        awk "BEGIN { exit !($w > 15) }" && break
    done
    return 0
}

ratio() { awk "BEGIN { if ($2 > 0) printf \"%.2f\", $1 / $2; else print \"-\" }"; }
mb() { awk "BEGIN { printf \"%.1f\", $1 / 1024 }"; }
row() { printf '%-22s %8s %12s %9s %8s  %s\n' "$@"; }
fmt_int() { printf '%s' "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\| \)/\1 \2\3/' -e 'ta'; }
failed() { # CODE
    if [ "$1" = 124 ]; then echo "timed out after $TIMEOUT s"; else echo "failed (exit $1)"; fi
}

# The same scheme written by hand in C on kpirun's exact numbers (bench/ceiling.c):
# what a perfect compiler would reach, its payouts checked against kpirun's.
ceiling() {
    [ -x "$CEILING" ] || return 0
    best=
    i=0
    while [ $i -lt "$RUNS" ]; do
        i=$((i + 1))
        "$CEILING" "$EV" > "$RES/ceiling.csv" 2> "$RES/ceiling.err" || { say "  hand-written ceiling: failed"; return 0; }
        read -r _ t < "$RES/ceiling.err"
        if [ -z "$best" ] || awk "BEGIN { exit !($t < $best) }"; then best=$t; fi
    done
    # shellcheck disable=SC2046
    set -- $("$CMP" "$RES/eval.stdout" "$RES/ceiling.csv" 2>/dev/null) x x
    if [ "$1" = 0 ]; then same="payouts equal to kpirun's"; else same="$1 of $2 payouts DIFFER from kpirun's"; fi
    say "  $(fmt_int "$(awk "BEGIN { printf \"%.0f\", $EVAL_N / $best }")") employees/s by the same scheme written by hand in C on kpirun's exact numbers (bench/ceiling.c: $(printf %.3f "$best") s; $same)"
}

# ---- the run -------------------------------------------------------------------------
OUT=$BENCH/out
DATA=$OUT/$SIZE
RES=$OUT/results-$SIZE
mkdir -p "$OUT" "$RES"
READY=
for p in $PEERS; do
    if peer_ready "$p"; then READY="$READY $p"; fi
done
# shellcheck disable=SC2086
ensure_data "$DATA" $GEN_ARGS
# shellcheck disable=SC2086
if [ "$SIZE" = full ]; then ensure_data "$OUT/1m" $GEN_1M; fi
ensure_data "$OUT/eval-$EVAL_N" --eval --employees "$EVAL_N"

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
load=$(cut -d' ' -f1-3 /proc/loadavg)
bytes=0
for f in $FILES; do bytes=$((bytes + $(wc -c < "$DATA/$f"))); done
deals=$(($(wc -l < "$DATA/deals.csv") - 1))
calls=$(($(wc -l < "$DATA/calls.csv") - 1))
staff=$(($(wc -l < "$DATA/roster.csv") - 1))

say ""
say "kpi bench, size $SIZE: $(fmt_int "$staff") sellers, $(fmt_int "$deals") deal rows, $(fmt_int "$calls") call rows, $((bytes / 1000000)) MB of CSV (period $PERIOD)"
say "machine: $cpu, $(nproc) cores, $mem; load average $load before the run (other work on the machine slows every tool)"
say "$("$KPIRUN" --version) ($BUILD); best of $RUNS runs (tools over 15 s: one run)"
say ""

# The floor: read every file and count its newlines (bench-measure --floor: read(2) in 1 MiB blocks + memchr).
set --
for f in $FILES; do set -- "$@" "$DATA/$f"; done
measure floor "$MEASURE" --floor "$@"
FLOOR=$WALL
FLOOR_RSS=$RSS_KB
measure wc wc -l "$@"
WC=$WALL

# kpirun prints to standard output, as the peers write one file: with -o it
# would also write a manifest, hashing every input (measured below).
MOUT=$RES/kpirun.stdout
measure kpirun "$KPIRUN" "$BENCH/scheme.kpi" --period "$PERIOD" --data "$DATA" --format csv
MOUT=
cp "$RES/kpirun.stdout" "$RES/kpirun.csv"
if [ "$CODE" != 0 ]; then
    say "kpirun $(failed "$CODE"):"; cat "$RES/kpirun.err"; exit 1
fi
KWALL=$WALL
KRSS=$RSS_KB
# shellcheck disable=SC2046
set -- $("$CMP" --expected "$DATA/cases.csv" "$RES/kpirun.csv" 2>"$RES/kpirun.cmp") 0 0
KNOTE="reference; $(($1 - $2)) of $1 half-kopeck ties equal bench-gen's exact payouts"
[ "$VARIES" = 0 ] || KNOTE="$KNOTE; RESULTS DIFFER BETWEEN RUNS"

row tool "wall s" "peak RSS MB" "x kpirun" "x floor" "payouts equal to kpirun's to the kopeck"
row "floor (read + count)" "$FLOOR" "$(mb "$FLOOR_RSS")" "$(ratio "$FLOOR" "$KWALL")" 1.00 "-"
row kpirun "$KWALL" "$(mb "$KRSS")" 1.00 "$(ratio "$KWALL" "$FLOOR")" "$KNOTE"
DUCK=
for p in $READY; do
    label=$(peer_label "$p")
    rm -f "$RES/$p.csv"
    MOUT=$RES/$p.csv
    measure_peer "$p" "$DATA" "$RES/$p.csv"
    MOUT=
    if [ "$CODE" != 0 ]; then
        row "$label" "-" "-" "-" "-" "$(failed "$CODE"): bench/out/results-$SIZE/$p.err"
        continue
    fi
    [ "$p" = duckdb ] && DUCK=$WALL
    # shellcheck disable=SC2046
    set -- $("$CMP" "$RES/kpirun.csv" "$RES/$p.csv" "$DATA/cases.csv" 2>"$RES/$p.cmp") x x x
    if [ "$1" = x ]; then eq="cannot compare: bench/out/results-$SIZE/$p.cmp"
    elif [ "$1" = 0 ]; then eq="yes, all $2"
    else eq="no: $1 of $2 differ ($(($1 - $3)) at bench-gen's edges and ties, $3 elsewhere)"; fi
    [ "$VARIES" = 0 ] || eq="$eq; results differ between runs"
    row "$label" "$WALL" "$(mb "$RSS_KB")" "$(ratio "$WALL" "$KWALL")" "$(ratio "$WALL" "$FLOOR")" "$eq"
done
say "(wc -l on the same files: $WC s)"
measure kpirun-manifest "$KPIRUN" "$BENCH/scheme.kpi" --period "$PERIOD" --data "$DATA" --format csv -o "$RES/kpirun-o.csv" --force
if [ "$CODE" = 0 ]; then
    say "(kpirun -o FILE, which also writes a manifest with the sha256 of every input: $WALL s, +$(awk "BEGIN { printf \"%.2f\", $WALL - $KWALL }") s)"
fi
[ -n "$NOTES" ] && say "peers$NOTES"
say ""

# ---- growth, threads, evaluation alone, compile time --------------------------------------
GOALS=
goal() { GOALS="$GOALS
  $1: $2"; }

if [ "$SIZE" = full ]; then
    measure kpirun-1m "$KPIRUN" "$BENCH/scheme.kpi" --period "$PERIOD" --data "$OUT/1m" --format csv
    if [ "$CODE" = 0 ]; then
        say "linear growth: kpirun on 1M deal rows $WALL s, on 10M $KWALL s: x$(ratio "$KWALL" "$WALL") for 10x the rows"
        goal "growth 1M -> 10M rows ~10x" "x$(ratio "$KWALL" "$WALL")"
    else
        say "linear growth: kpirun on the 1M-row month $(failed "$CODE")"
    fi
else
    say "linear growth: measured at full size (make bench) only"
fi

ONE=
if "$KPIRUN" --help 2>&1 | grep -q -- '--threads'; then
    ONE="--threads 1"
    measure kpirun-t1 "$KPIRUN" "$BENCH/scheme.kpi" --period "$PERIOD" --data "$DATA" --format csv --threads 1
    T1=$WALL
    if cmp -s "$RES/kpirun.stdout" "$RES/kpirun-t1.stdout"; then same="byte-identical results"; else same="RESULTS DIFFER"; fi
    say "threads: kpirun --threads 1 $T1 s, default ($(nproc) cores) $KWALL s: speed-up x$(ratio "$T1" "$KWALL"); $same"
    goal "byte-identical for any thread count" "$same"
else
    say "threads: kpirun has no --threads option (yet)"
fi

EV=$OUT/eval-$EVAL_N
# one thread when kpirun has the option: the goal is per core
# shellcheck disable=SC2086
measure eval-read "$KPIRUN" "$BENCH/eval-read.kpi" --period "$PERIOD" --data "$EV" --format csv $ONE
READ=$WALL
READ_CODE=$CODE
TIMINGS=
"$KPIRUN" --help 2>&1 | grep -q -- '--timings' && TIMINGS=--timings
# shellcheck disable=SC2086
measure eval "$KPIRUN" "$BENCH/eval.kpi" --period "$PERIOD" --data "$EV" --format csv $ONE $TIMINGS
if [ "$CODE" = 0 ] && [ "$READ_CODE" = 0 ]; then
    rate=$(awk "BEGIN { printf \"%.0f\", $EVAL_N / $WALL }")
    net=$(awk "BEGIN { d = $WALL - $READ; if (d > 0) printf \"%.0f\", $EVAL_N / d; else print \"-\" }")
    # the evaluate stage as kpirun --timings counts it (last run): the program, without reading or formatting
    ems=$(sed -n 's/.*evaluate \([0-9][0-9]*\) ms.*/\1/p' "$RES/eval.err" | tail -1)
    stage=
    [ -n "$ems" ] && [ "$ems" -gt 0 ] && stage=$(awk "BEGIN { printf \"%.0f\", $EVAL_N / ($ems / 1000) }")
    say "evaluation alone: $(fmt_int "$EVAL_N") employees x 10 indicators (bench/eval.kpi, facts pre-aggregated${ONE:+, $ONE}) in $WALL s, peak RSS $(mb "$RSS_KB") MB:"
    say "  $(fmt_int "$rate") employees/s including reading the roster and totals ($READ s alone, bench/eval-read.kpi) and the CSV output;"
    say "  $(fmt_int "$net") employees/s net of that reading (evaluating, formatting and writing the results)"
    if [ -n "$stage" ]; then
        say "  $(fmt_int "$stage") employees/s in the evaluate stage alone (kpirun --timings: $ems ms)"
        ceiling
        goal "evaluation >= 5 000 000 employees/s per core" "$(fmt_int "$stage")/s evaluating, $(fmt_int "$net")/s net of reading, $(fmt_int "$rate")/s all in"
    else
        goal "evaluation >= 5 000 000 employees/s per core" "$(fmt_int "$net")/s net of reading, $(fmt_int "$rate")/s all in"
    fi
else
    say "evaluation alone ($(fmt_int "$EVAL_N") employees): $(failed "$CODE") (reading alone: $READ s)"
    goal "evaluation >= 5 000 000 employees/s per core" "$(failed "$CODE") for $(fmt_int "$EVAL_N") employees"
fi

"$GEN" --scheme-indicators 1000 > "$RES/scheme-1000.kpi"
measure compile "$KPIC" check --werror "$RES/scheme-1000.kpi"
if [ "$CODE" = 0 ]; then
    say "compile + check of a generated 1000-indicator scheme (kpic check --werror): $WALL s, peak RSS $(mb "$RSS_KB") MB"
    goal "1000 indicators compiled and checked < 0.1 s" "$WALL s"
else
    say "compile + check of a generated 1000-indicator scheme: $(failed "$CODE") (bench/out/results-$SIZE/compile.err)"
fi

say ""
say "goals (as ratios measured in this run):"
if [ -n "$DUCK" ]; then say "  kpirun <= 0.25 x duckdb: x$(ratio "$KWALL" "$DUCK")"; fi
say "  kpirun <= 2.5 x floor: x$(ratio "$KWALL" "$FLOOR")"
say "  kpirun peak RSS <= 100 MB: $(mb "$KRSS") MB"
say "$GOALS" | sed '1d'
say ""
say "results, stderr and timings: bench/out/results-$SIZE/"
