# setup.sh - makes this case's inputs at test time (tests/bad/run.sh)
kpic build scheme.kpi -o full.kpc
: > scheme.kpc
