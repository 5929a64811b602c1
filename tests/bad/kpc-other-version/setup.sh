# setup.sh - makes this case's inputs at test time (tests/bad/run.sh)
kpic build scheme.kpi -o full.kpc
# format version 999 instead of the current one (bytes 5-8, little-endian)
{ printf 'KPIC\347\003\000\000'; tail -c +9 full.kpc; } > scheme.kpc
