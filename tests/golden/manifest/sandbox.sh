#!/bin/sh
# sandbox.sh 'COMMANDS' - runs COMMANDS in a fresh temporary copy of this
# directory's scheme and data, then removes it: the goldens here write files,
# and must neither leave them in the tree nor race with another test run.
# The exit code is that of COMMANDS.
here=$(cd "$(dirname "$0")" && pwd)
box=$(mktemp -d) || exit 99
cp "$here"/*.kpi "$here"/*.csv "$box"/ || exit 99
(cd "$box" && sh -c "$1")
rc=$?
rm -rf "$box"
exit $rc
