# setup.sh - makes this case's inputs at test time (tests/bad/run.sh)
kpic build scheme.kpi -o full.kpc
# the rounding mode out of range, with the checksum made to match: the verifier refuses it
python3 mutate.py full.kpc scheme.kpc
