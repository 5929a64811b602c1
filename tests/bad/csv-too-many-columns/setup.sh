# setup.sh - makes this case's inputs at test time (tests/bad/run.sh)
# a header of 4097 columns (CSV_MAX_COLUMNS is 4096)
{ printf 'manager,closed,amount,status'; i=5; while [ $i -le 4097 ]; do printf ',c%d' $i; i=$((i + 1)); done; printf '\n'; } > deals.csv
