# setup.sh - makes this case's inputs at test time (tests/bad/run.sh)
mkdir deals.csv
