# setup.sh - makes this case's inputs at test time (tests/bad/run.sh)
# a quoted field of 1 MiB + 1 byte (CSV_MAX_FIELD is 1 MiB)
{ printf 'manager,closed,amount,status\nE1,2026-10-05,600000,"'; head -c 1048577 /dev/zero | tr '\000' x; printf '"\n'; } > deals.csv
