# setup.sh - makes this case's inputs at test time (tests/bad/run.sh)
# the start of an executable given as a scheme
{ printf '\177ELF\002\001\001'; head -c 64 /dev/zero; } > scheme.kpi
