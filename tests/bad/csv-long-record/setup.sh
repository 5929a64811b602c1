# setup.sh - makes this case's inputs at test time (tests/bad/run.sh)
# 20 fields of 900 KiB, each within CSV_MAX_FIELD, 18 MiB together: past CSV_MAX_RECORD (16 MiB)
head -c 921600 /dev/zero | tr '\000' x > field
{ printf 'manager,closed,amount,status\nE1,2026-10-05,600000,'; i=0; while [ $i -lt 20 ]; do cat field; printf ,; i=$((i + 1)); done; printf '\n'; } > deals.csv
