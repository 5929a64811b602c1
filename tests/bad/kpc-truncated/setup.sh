# setup.sh - makes this case's inputs at test time (tests/bad/run.sh)
kpic build scheme.kpi -o full.kpc
# cut short: the header says 1000 bytes of payload, 180 follow
{ head -c 8 full.kpc; printf '\350\003\000\000\000\000\000\000'; tail -c +17 full.kpc | head -c 184; } > scheme.kpc
