#!/bin/sh
# run.sh BUILD_DIR [TRIALS] - crash safety of kpirun's outputs (make crash-safety).
#
# An output directory holds the complete result of a run (the "old" one).
# Each trial starts kpirun on the same data with a raised plan (--set), so
# that every file it writes differs (the "new" one), and kills it with
# SIGKILL after a random delay: half of the delays are spread over the whole
# run (0 to 1.1 times its measured duration, so some runs finish), half over
# its last 60%, where the results are formatted and written. Then the
# directory is checked:
#   - every visible file is byte-equal to its old or its new version; none is
#     missing, none is extra;
#   - a manifest, when there is one, is the old or the new one, and every
#     file it lists is of its version (and `kpirun verify` agrees);
#   - a temporary file is hidden (.NAME.kpi-partial-PID-XXXXXX), and a run
#     that completes has removed those that killed runs left.
# Outcomes: "old" (every file and the manifest old), "new" (all new),
# "unconfirmed" (killed while renaming: every file whole, old or new, and no
# manifest, which is removed before the first rename and written after the
# last), "partial" (anything else: a failure).
# Three kinds of runs take turns: a CSV result and its manifest (2400
# employees); JSON results, a payout statement per employee and --manifest
# (80 employees, 83 files); an explanation (-o) and its manifest.
# After a trial that left an unconfirmed set the old result is restored;
# otherwise the next trial of its kind writes the other version over it.
# CRASH_SEED fixes the delays (the seed is printed). Ends with
# "crash safety: N trials, N old, N new, N unconfirmed, 0 partial".
set -u
build=$(cd "${1:-build}" && pwd)
trials=${2:-240}
root=$(cd "$(dirname "$0")/../.." && pwd)
seed=${CRASH_SEED:-$(date +%s)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
export SOURCE_DATE_EPOCH=1793491200 LC_ALL=C.UTF-8 NO_COLOR=1
failed=0

fail() {
    failed=$((failed + 1))
    echo "FAIL crash: $*"
}

# gen DIR K: the demo's data with every employee copied K times (E01-0001...)
gen() {
    mkdir -p "$1"
    cp "$root/examples/demo/scheme.kpi" "$root/examples/demo/dept_plans.csv" "$1/"
    for f in roster plans deals calls idle; do
        awk -v K="$2" 'NR == 1 { print; next } { rows[++n] = $0 }
            END { for (k = 1; k <= K; k++) for (i = 1; i <= n; i++) {
                p = index(rows[i], ";"); printf "%s-%04d%s\n", substr(rows[i], 1, p - 1), k, substr(rows[i], p) } }' \
            "$root/examples/demo/$f.csv" >"$1/$f.csv"
    done
}

# run KIND VERSION: one run of the kind into KIND/out, in the foreground
args() {
    case $1 in
    csv) set -- --format csv -o out/payouts.csv ;;
    statements) set -- --format json -o out/results.json --statements out/statements --manifest out/run.manifest.json ;;
    explain) set -- --explain E06-0001 -o out/explain.txt ;;
    esac
    echo "$@"
}
manifest_of() {
    case $1 in
    csv) echo ./payouts.csv.manifest.json ;;
    statements) echo ./run.manifest.json ;;
    explain) echo ./explain.txt.manifest.json ;;
    esac
}
start() { # start KIND VERSION: in the background, in KIND's directory
    set -- "$1" "$2" $(args "$1")
    kind=$1 version=$2
    shift 2
    [ "$version" = new ] && set -- "$@" --set план.выручка=1200000
    cd "$tmp/$kind" || exit 1
    # a simple command, so that $! is kpirun itself
    "$build/kpirun" scheme.kpi --period 2026-10 --force "$@" >/dev/null 2>"$tmp/$kind.err" &
    pid=$!
    cd "$tmp" || exit 1
}
sums() { # sums KIND: "sha256  ./path" of every visible file of KIND/out
    (cd "$tmp/$1/out" && find . -type f ! -name '.*' | LC_ALL=C sort | xargs -r sha256sum)
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# state KIND: old, new, unconfirmed or "partial: why"
state() {
    sums "$1" >"$tmp/cur.sums"
    awk -v man="$(manifest_of "$1")" '
        FILENAME == ARGV[1] { old[$2] = $1; next }
        FILENAME == ARGV[2] { new[$2] = $1; next }
        { cur[$2] = $1 }
        END {
            for (f in old) if (!(f in cur) && f != man) { print "partial: " f " is missing"; exit }
            for (f in cur) {
                if (!(f in old)) { print "partial: " f " should not be there"; exit }
                o = cur[f] == old[f]; n = cur[f] == new[f]
                if (!o && !n) { print "partial: " f " is neither the old nor the new file"; exit }
                if (f == man) { mo = o; mn = n } else { notold += !o; notnew += !n }
            }
            if (!(man in cur)) print "unconfirmed"
            else if (mo && !notold) print "old"
            else if (mn && !notnew) print "new"
            else print "partial: the manifest does not describe the files"
        }' "$tmp/ref/$1.old.sums" "$tmp/ref/$1.new.sums" "$tmp/cur.sums"
}
temps() { find "$tmp/$1/out" -name '*kpi-partial*' | LC_ALL=C sort; }

# --- the inputs, reference results and run times ---------------------------
gen "$tmp/csv" 300
gen "$tmp/statements" 10
gen "$tmp/explain" 300
mkdir "$tmp/ref"
for kind in csv statements explain; do
    for version in new old; do
        rm -rf "$tmp/$kind/out" && mkdir "$tmp/$kind/out"
        t0=$(now_ms)
        start "$kind" "$version"
        wait "$pid" || { fail "$kind $version: the run failed: $(cat "$tmp/$kind.err")"; exit 1; }
        ms=$(($(now_ms) - t0))
        [ "$version" = old ] && [ "$ms" -gt "$(eval echo \$ms_$kind)" ] && ms=$(eval echo \$ms_$kind)
        eval "ms_$kind=$ms"
        cp -a "$tmp/$kind/out" "$tmp/ref/$kind.$version"
        sums "$kind" >"$tmp/ref/$kind.$version.sums"
    done
    awk '{ print $2 }' "$tmp/ref/$kind.old.sums" >"$tmp/a"
    awk '{ print $2 }' "$tmp/ref/$kind.new.sums" >"$tmp/b"
    cmp -s "$tmp/a" "$tmp/b" || fail "$kind: the old and the new run write different files"
    same=$(cat "$tmp/ref/$kind.old.sums" "$tmp/ref/$kind.new.sums" | sort | uniq -d | wc -l)
    [ "$same" = 0 ] || fail "$kind: $same files are the same in the old and the new version"
    [ "$(state "$kind")" = old ] || fail "$kind: the reference state is not old"
done
echo "crash safety: seed $seed; a run takes $ms_csv ms (csv, $(wc -l <"$tmp/ref/csv.old.sums") files)," \
    "$ms_statements ms (statements, $(wc -l <"$tmp/ref/statements.old.sums") files)," \
    "$ms_explain ms (explain, $(wc -l <"$tmp/ref/explain.old.sums") files)"

# --- the trials ----------------------------------------------------------------
# "KIND DELAY_SECONDS" per trial
awk -v n="$trials" -v seed="$seed" -v csv="$ms_csv" -v st="$ms_statements" -v ex="$ms_explain" 'BEGIN {
    srand(seed); split("csv statements explain", kinds, " "); ms["csv"] = csv; ms["statements"] = st; ms["explain"] = ex
    for (i = 0; i < n; i++) {
        k = kinds[i % 3 + 1]; d = ms[k] / 1000
        printf "%s %.4f\n", k, (int(i / 3) % 2 ? d * (0.4 + 0.6 * rand()) : d * 1.1 * rand())
    } }' >"$tmp/plan"
n_old=0 n_new=0 n_unconf=0 n_partial=0 n_done=0 n_staging=0 n_cleaned=0
while read -r kind delay; do
    current=$(state "$kind")
    temps "$kind" >"$tmp/stale"
    version=new
    [ "$current" = new ] && version=old
    start "$kind" "$version"
    sleep "$delay"
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    code=$?
    s=$(state "$kind")
    temps "$kind" >"$tmp/left"
    # temporaries of earlier runs that this one removed, and its own left
    gone=$(comm -23 "$tmp/stale" "$tmp/left" | wc -l)
    own=$(comm -13 "$tmp/stale" "$tmp/left" | wc -l)
    n_cleaned=$((n_cleaned + gone))
    [ "$own" = 0 ] || n_staging=$((n_staging + 1))
    case $code in
    0)
        n_done=$((n_done + 1))
        [ "$s" = "$version" ] || fail "$kind: a run that completed left '$s'"
        [ -s "$tmp/left" ] && fail "$kind: temporary files are left after a complete run: $(head -1 "$tmp/left")"
        ;;
    137) ;;
    *) fail "$kind: kpirun exited with $code: $(head -3 "$tmp/$kind.err")" ;;
    esac
    hidden=$(find "$tmp/$kind/out" -name '*kpi-partial*' ! -name '.*' | wc -l)
    [ "$hidden" = 0 ] || fail "$kind: a temporary file is not hidden"
    case $s in
    old) n_old=$((n_old + 1)) ;;
    new) n_new=$((n_new + 1)) ;;
    unconfirmed) n_unconf=$((n_unconf + 1)) ;;
    *) n_partial=$((n_partial + 1)); fail "$kind after ${delay}s: $s" ;;
    esac
    case $s in old | new)
        (cd "$tmp/$kind/out" && "$build/kpirun" verify "$(manifest_of "$kind")" >"$tmp/verify" 2>&1) ||
            fail "$kind: kpirun verify fails on a '$s' result: $(grep -v ': ok$' "$tmp/verify" | head -3)" ;;
    esac
    if [ "$s" = unconfirmed ]; then
        rm -rf "$tmp/$kind/out"
        cp -a "$tmp/ref/$kind.old" "$tmp/$kind/out"
    fi
done <"$tmp/plan"

# a complete run after the trials removes what the last killed runs left
for kind in csv statements explain; do
    n=$(temps "$kind" | wc -l)
    start "$kind" new
    wait "$pid" || fail "$kind: the last run failed"
    n_cleaned=$((n_cleaned + n))
    [ -z "$(temps "$kind")" ] || fail "$kind: temporary files are left after the last run"
done

echo "crash safety: $n_done runs completed before the kill; $n_staging were killed while staging their files" \
    "and left hidden temporaries, $n_cleaned in all, which later runs removed"
echo "crash safety: $trials trials, $n_old old, $n_new new, $n_unconf unconfirmed, $n_partial partial"
[ "$failed" = 0 ]
