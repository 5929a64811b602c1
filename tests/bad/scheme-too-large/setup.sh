# setup.sh - makes this case's inputs at test time (tests/bad/run.sh)
# 16 MiB + 1 byte (KPI_MAX_SOURCE_BYTES is 16 MiB): refused before it is read
{ cat base.kpi; head -c $((16777217 - $(wc -c < base.kpi))) /dev/zero | tr '\000' '\n'; } > scheme.kpi
