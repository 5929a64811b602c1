#!/bin/sh
# run.sh BUILD_DIR - every employee of every example explained, as text and
# as JSON; the JSON validates against docs/explain.schema.json and its
# payout is the one the results give. One test per example; ends with
# "N passed, N failed".
set -u
build=$(cd "${1:-build}" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
py=/usr/bin/python3
if ! "$py" -c 'import jsonschema' 2>/dev/null; then
    echo "FAIL explanations: $py with jsonschema is missing (apt-get install python3-jsonschema)"
    echo "0 passed, 1 failed"
    exit 1
fi
failed=0
: >"$tmp/cases"
n=0
for golden in $(find "$root/examples" -name '*.golden' | LC_ALL=C sort); do
    args=$(sed -n '1s/^\$ kpirun scheme.kpi \(.*--period [^ ]*\).*/\1/p' "$golden")
    [ -n "$args" ] || continue
    dir=$(dirname "$golden")
    label=${dir#$root/}
    grep -q "	$label	" "$tmp/seen" 2>/dev/null && continue
    printf '\t%s\t\n' "$label" >>"$tmp/seen"
    n=$((n + 1))
    res="$tmp/$n.csv"
    (cd "$dir" && "$build/kpirun" scheme.kpi $args --format csv >"$res" 2>/dev/null) || continue
    # keys are the first cells; none of the examples' keys needs quoting
    tail -n +2 "$res" | cut -d, -f1 | while IFS= read -r key; do
        out="$tmp/$n-$key.json"
        if ! (cd "$dir" && "$build/kpirun" scheme.kpi $args --explain "$key" >"$tmp/text" 2>&1 &&
              "$build/kpirun" scheme.kpi $args --explain "$key" --format json >"$out" 2>&1) ||
           ! grep -q '^payout: ' "$tmp/text"; then
            echo "FAIL $label: kpirun --explain $key"
            head -5 "$tmp/text" | sed 's/^/  /'
            echo >"$out"
        fi
        printf '%s\t%s\t%s\t%s\n' "$label" "$out" "$res" "$key" >>"$tmp/cases"
    done
done
"$py" "$root/tests/explain/check.py" "$root/docs/explain.schema.json" "$tmp/cases" >"$tmp/check"
sed '$d' "$tmp/check"
last=$(tail -n 1 "$tmp/check")
# the check itself: an explanation without its payout must be rejected
first=$(head -1 "$tmp/cases")
"$py" -c 'import json,sys; d=json.load(open(sys.argv[1])); del d["payout"]; json.dump(d, open(sys.argv[2], "w"))' \
    "$(printf '%s' "$first" | cut -f2)" "$tmp/broken.json"
printf 'broken\t%s\t%s\t%s\n' "$tmp/broken.json" "$(printf '%s' "$first" | cut -f3)" \
    "$(printf '%s' "$first" | cut -f4)" >"$tmp/broken"
"$py" "$root/tests/explain/check.py" "$root/docs/explain.schema.json" "$tmp/broken" >"$tmp/broken.out"
if grep -q "'payout' is a required property" "$tmp/broken.out"; then
    extra=1
else
    echo "FAIL the schema check accepts an explanation without a payout"
    extra=0
fi
p=${last%% *}; f=${last#*, }; f=${f%% *}
echo "$((p + extra)) passed, $((f + 1 - extra)) failed"
