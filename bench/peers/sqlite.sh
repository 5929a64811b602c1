#!/bin/sh
# Runs bench/peers/sqlite.sql with Debian's sqlite3 in the data directory.
# usage: sh sqlite.sh DATA_DIR PERIOD OUT.csv   (PERIOD: 2026-10)
set -eu
sql=$(cd "$(dirname "$0")" && pwd)/sqlite.sql
out=$(cd "$(dirname "$3")" && pwd)/$(basename "$3")
cd "$1"
exec sqlite3 -cmd ".parameter set @month \"'$2'\"" :memory: < "$sql" > "$out"
