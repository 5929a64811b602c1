# setup.sh - makes this case's inputs at test time (tests/bad/run.sh)
# 10^6 nested parentheses: the parser's stack is bounded, the C stack is never at risk
{ cat base.kpi; printf 'let deep = '; head -c 1000000 /dev/zero | tr '\000' '('; printf 1; head -c 1000000 /dev/zero | tr '\000' ')'; printf '\n'; } > scheme.kpi
