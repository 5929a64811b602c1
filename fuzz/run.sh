#!/bin/sh
# fuzz/run.sh - drives the fuzz targets (make fuzz-replay, fuzz-smoke, fuzz-run, fuzz-merge).
#   run.sh replay BUILD TARGET...          fuzz/corpus/TARGET and tests/bugs through BUILD/fuzz/replay_TARGET
#   run.sh fuzz BUILD SECONDS TARGET...    libFuzzer for SECONDS each, one at a time; CPU time and executions
#   run.sh merge BUILD TARGET...           what fuzz found, merged into fuzz/corpus/TARGET (-merge=1)
# New inputs go to BUILD/fuzz/corpus-TARGET, never into fuzz/corpus until merged.
set -eu
cd "$(dirname "$0")/.."
mode=$1 build=$2
shift 2

dict_of() { # the dictionary of a target's input language
    case $1 in
    parse|compile|run) echo "-dict=fuzz/kpi.dict" ;;
    csv) echo "-dict=fuzz/csv.dict" ;;
    *) echo "" ;;
    esac
}

case $mode in
replay)
    fail=0
    for t in "$@"; do
        "$build/fuzz/replay_$t" "fuzz/corpus/$t" tests/bugs || { echo "replay_$t: FAILED"; fail=1; }
    done
    exit $fail
    ;;
fuzz)
    seconds=$1
    shift
    fail=0
    total_cpu=0
    for t in "$@"; do
        work="$build/fuzz/corpus-$t"
        mkdir -p "$work"
        log="$build/fuzz/$t.log"
        # -timeout: an input taking 10 s is a finding; -rss_limit_mb: far past the heap cap.
        if /usr/bin/time -f '%U %S' -o "$build/fuzz/$t.time" \
            "$build/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
            -print_final_stats=1 -artifact_prefix="$build/fuzz/$t-" $(dict_of "$t") \
            "$work" "fuzz/corpus/$t" >"$log" 2>&1; then
            status=ok
        else
            status="FAILED (see $log)"
            fail=1
        fi
        cpu=$(tail -1 "$build/fuzz/$t.time" | awk '{printf "%d", $1 + $2 + 0.5}')
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
        found=$(ls "$work" | wc -l)
        seeds=$(ls "fuzz/corpus/$t" | wc -l)
        printf '%-8s %6s s CPU  %10s executions  corpus %s seeds + %s new  %s\n' \
            "$t" "$cpu" "${execs:-?}" "$seeds" "$found" "$status"
        total_cpu=$((total_cpu + cpu))
    done
    echo "total: $total_cpu s CPU"
    exit $fail
    ;;
merge)
    for t in "$@"; do
        work="$build/fuzz/corpus-$t"
        [ -d "$work" ] || continue
        mkdir -p "$build/fuzz/merged-$t"
        rm -f "$build/fuzz/merged-$t"/*
        "$build/fuzz/fuzz_$t" -merge=1 -timeout=10 "$build/fuzz/merged-$t" "fuzz/corpus/$t" "$work" \
            >"$build/fuzz/$t.merge.log" 2>&1
        rm -f "fuzz/corpus/$t"/*
        cp "$build/fuzz/merged-$t"/* "fuzz/corpus/$t/"
        echo "$t: $(ls "fuzz/corpus/$t" | wc -l) inputs, $(du -sk "fuzz/corpus/$t" | cut -f1) KiB"
    done
    ;;
*)
    echo "usage: fuzz/run.sh replay|fuzz|merge BUILD ..." >&2
    exit 2
    ;;
esac
