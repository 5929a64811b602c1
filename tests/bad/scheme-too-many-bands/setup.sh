# setup.sh - makes this case's inputs at test time (tests/bad/run.sh)
# 1001 rows in one bands (KPI_MAX_BANDS is 1000)
{ cat base.kpi; printf 'let level = bands {\n'; i=0; while [ $i -le 1000 ]; do printf '    staff.salary < %d -> %d\n' $((i * 10 + 10)) $i; i=$((i + 1)); done; printf '    else -> 0\n}\n'; } > scheme.kpi
