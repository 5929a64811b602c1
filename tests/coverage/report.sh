#!/bin/sh
# report.sh COV_BUILD - line and branch coverage from a --coverage build that
# has run the suite (make coverage): a table per directory on stdout, the
# annotated sources in COV_BUILD/coverage/index.html and the per-file figures
# in COV_BUILD/coverage/summary.json. Counted: our C sources (base grammar
# compiler vm stdlib report driver cli); not the code bison and flex generate
# (COV_BUILD/grammar/parser.c, lexer.c: the skeletons, and the lines of
# grammar/parser.y and lexer.l they map back to) nor the embedded stdlib
# text, nor the tests themselves.
set -eu
build=${1:?usage: report.sh COV_BUILD}
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$build/coverage
rm -rf "$out" && mkdir -p "$out"
cd "$root"
filters=""
for d in base grammar compiler vm stdlib report driver cli; do
    filters="$filters -f $d/.*\\.[ch]\$"
done
# shellcheck disable=SC2086
gcovr -r . --object-directory "$build" -j 2 $filters -e '.*\.[yl]$' \
    --json-summary "$out/summary.json" --html-details "$out/index.html" >/dev/null
python3 - "$out/summary.json" <<'PY'
import json, sys
files = json.load(open(sys.argv[1]))["files"]
dirs = sorted({f["filename"].split("/")[0] + "/" for f in files})
groups = [(d, (d,)) for d in dirs] + [("compiler/ + vm/", ("compiler/", "vm/")), ("total", ("",))]
def row(name, sel):
    lc, lt = sum(f["line_covered"] for f in sel), sum(f["line_total"] for f in sel)
    bc, bt = sum(f["branch_covered"] for f in sel), sum(f["branch_total"] for f in sel)
    pct = lambda a, b: "%5.1f%%" % (100.0 * a / b) if b else "     -"
    print("%-16s %s %6d/%-6d   %s %6d/%-6d" % (name, pct(lc, lt), lc, lt, pct(bc, bt), bc, bt))
print("%-16s %-22s %s" % ("coverage", "lines", "branches"))
for name, prefixes in groups:
    row(name, [f for f in files if f["filename"].startswith(prefixes)])
PY
echo "annotated sources: $out/index.html"
