#!/bin/sh
# fuzz/run.sh - drives the fuzz targets (make fuzz-replay, fuzz-smoke, fuzz-run, fuzz-merge).
#   run.sh replay BUILD TARGET...          the target's corpus and tests/bugs through BUILD/fuzz/replay_TARGET
#   run.sh fuzz BUILD SECONDS TARGET...    libFuzzer for SECONDS each, one at a time; CPU time and executions
#   run.sh merge BUILD TARGET...           what fuzz found, merged into fuzz/corpus/TARGET (-merge=1)
# New inputs go to BUILD/fuzz/corpus-TARGET, never into fuzz/corpus until merged.
# fuzz/corpus/schemes holds the seed schemes that parse, compile and run share;
# other seeds are the files of fuzz/corpus/TARGET not named by a SHA-1.
set -eu
cd "$(dirname "$0")/.."
mode=$1 build=$2
shift 2

corpora() { # the committed corpus of a target
    case $1 in
    parse|compile|run) echo "fuzz/corpus/$1 fuzz/corpus/schemes" ;;
    *) echo "fuzz/corpus/$1" ;;
    esac
}

dict_of() { # the dictionary of a target's input language
    case $1 in
    parse|compile|run) echo "-dict=fuzz/kpi.dict" ;;
    csv) echo "-dict=fuzz/csv.dict" ;;
    *) echo "" ;;
    esac
}

# Inputs merged into the committed corpus are at most this long (bytes), so
# it stays small; the working corpus in BUILD keeps everything.
keep_len() {
    case $1 in
    parse|compile|run) echo 1024 ;;
    kpc) echo 6144 ;;
    *) echo 2048 ;;
    esac
}

is_found() { # named by libFuzzer (a SHA-1), not a seed
    case $1 in
    *[!0-9a-f]*) return 1 ;;
    *) [ ${#1} -eq 40 ] ;;
    esac
}

case $mode in
replay)
    fail=0
    for t in "$@"; do
        "$build/fuzz/replay_$t" $(corpora "$t") tests/bugs || { echo "replay_$t: FAILED"; fail=1; }
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
            "$work" $(corpora "$t") >"$log" 2>&1; then
            status=ok
        else
            status="FAILED (see $log)"
            fail=1
        fi
        cpu=$(tail -1 "$build/fuzz/$t.time" | awk '{printf "%d", $1 + $2 + 0.5}')
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
        found=$(ls "$work" | wc -l) # the working corpus: what this and earlier runs kept
        seeds=$(for d in $(corpora "$t"); do ls "$d"; done | wc -l)
        printf '%-8s %6s s CPU  %10s executions  corpus: %s committed, %s working  %s\n' \
            "$t" "$cpu" "${execs:-?}" "$seeds" "$found" "$status"
        total_cpu=$((total_cpu + cpu))
    done
    echo "total: $total_cpu s CPU"
    exit $fail
    ;;
merge)
    for t in "$@"; do
        work="$build/fuzz/corpus-$t" base="$build/fuzz/merge-base-$t" cand="$build/fuzz/merge-cand-$t"
        [ -d "$work" ] || continue
        rm -rf "$base" "$cand"
        mkdir -p "$base" "$cand"
        for f in $(corpora "$t" | sed 's|[^ ]*|&/*|g'); do # the seeds count first
            if [ -f "$f" ] && ! is_found "$(basename "$f")"; then cp "$f" "$base/"; fi
        done
        for f in "fuzz/corpus/$t"/* "$work"/*; do # then the found inputs that are short enough
            if [ -f "$f" ] && is_found "$(basename "$f")" && [ "$(wc -c <"$f")" -le "$(keep_len "$t")" ]; then
                cp "$f" "$cand/"
            fi
        done
        "$build/fuzz/fuzz_$t" -merge=1 -timeout=10 "$base" "$cand" >"$build/fuzz/$t.merge.log" 2>&1
        for f in "fuzz/corpus/$t"/*; do
            if [ -f "$f" ] && is_found "$(basename "$f")"; then rm "$f"; fi
        done
        for f in "$base"/*; do
            if is_found "$(basename "$f")"; then cp "$f" "fuzz/corpus/$t/"; fi
        done
        echo "$t: $(ls "fuzz/corpus/$t" | wc -l) inputs, $(du -sk --apparent-size "fuzz/corpus/$t" | cut -f1) KiB"
    done
    ;;
*)
    echo "usage: fuzz/run.sh replay|fuzz|merge BUILD ..." >&2
    exit 2
    ;;
esac
