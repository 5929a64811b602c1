# setup.sh - makes this case's inputs at test time (tests/bad/run.sh)
# more than 2^20 tokens (KPI_MAX_TOKENS): 530 lets of min() over 1000 arguments
args=$(i=1; while [ $i -lt 1000 ]; do printf '1,'; i=$((i + 1)); done; printf 1)
{ cat base.kpi; i=0; while [ $i -lt 530 ]; do printf 'let m%d = min(%s)\n' $i "$args"; i=$((i + 1)); done; } > scheme.kpi
