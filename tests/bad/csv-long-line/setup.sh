# setup.sh - makes this case's inputs at test time (tests/bad/run.sh)
# a 100 MB line: longer than a record may be (CSV_MAX_RECORD, 16 MiB)
{ printf 'manager,closed,amount,status\nE1,2026-10-05,'; head -c 104857600 /dev/zero | tr '\000' 7; printf ',paid\n'; } > deals.csv
