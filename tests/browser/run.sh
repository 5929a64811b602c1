#!/bin/sh
# run.sh BUILD_DIR - payout statements in a real browser: headless Chromium
# loads the demo's statements with the network switched off; the rendered
# page must show the payout, the indicator table and a plot per indicator,
# and its screenshot must hold the plots' curves and the employee's points.
# Ends with "N passed, N failed". (.ci/run installs chromium when missing.)
set -u
build=$(cd "${1:-build}" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
passed=0
failed=0
check() { # check LABEL COMMAND...
    label=$1
    shift
    if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL $label"; fi
}
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$browser" ]; then
    echo "FAIL statements in a browser: chromium is not installed (apt-get install chromium)"
    echo "0 passed, 1 failed"
    exit 1
fi
chrome() {
    # no network: every host resolves to nothing, so a page that fetched anything would show it
    timeout 120 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run \
        --host-resolver-rules="MAP * ~NOTFOUND" --window-size=1000,4400 "$@" 2>/dev/null
}
demo="$root/examples/demo"
"$build/kpirun" "$demo/scheme.kpi" --period 2026-10 --statements "$tmp/st" >/dev/null
check "kpirun --statements writes a page per employee and an index" \
    test "$(ls "$tmp/st" | grep -c '\.html$')" = 9
check "statements are self-contained (no scripts, nothing fetched)" \
    sh -c "! grep -E '<script|src=|href=\"(https?:)?//|url\\(' '$tmp/st/E01.html' '$tmp/st/index.html'"

chrome --dump-dom "file://$tmp/st/E01.html" >"$tmp/dom.html"
check "the rendered statement shows the payout" grep -q 'id="payout">Payout: <strong>101 445 ₽</strong>' "$tmp/dom.html"
check "the rendered statement has the indicator table" \
    test "$(grep -o '<tr>' "$tmp/dom.html" | wc -l)" -ge 5
check "the rendered statement has a plot per indicator" test "$(grep -o '<svg' "$tmp/dom.html" | wc -l)" = 4
chrome --dump-dom "file://$tmp/st/index.html" >"$tmp/index.html"
check "the index links every employee" test "$(grep -o 'href="E0[1-8].html"' "$tmp/index.html" | wc -l)" = 8

chrome --screenshot="$tmp/shot.png" "file://$tmp/st/E01.html" >/dev/null
# the employee's points are red (#d62728), the curves blue (#1f5fa8)
counts=$(/usr/bin/python3 "$root/tests/browser/pixels.py" "$tmp/shot.png" 214,39,40 31,95,168 2>&1)
set -- $counts
check "the screenshot is the page ($counts)" test "${1:-}" = 1000x4400
check "the screenshot shows the employee's point on each plot (${2:-0} red pixels)" test "${2:-0}" -ge 400
check "the screenshot shows the scales' curves (${3:-0} blue pixels)" test "${3:-0}" -ge 2000
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
