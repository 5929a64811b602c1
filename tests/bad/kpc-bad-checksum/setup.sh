# setup.sh - makes this case's inputs at test time (tests/bad/run.sh)
kpic build scheme.kpi -o full.kpc
# one byte of the payload changed: the CRC-32 no longer matches
{ head -c 40 full.kpc; printf X; tail -c +42 full.kpc; } > scheme.kpc
