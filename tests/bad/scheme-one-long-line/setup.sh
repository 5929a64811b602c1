# setup.sh - makes this case's inputs at test time (tests/bad/run.sh)
# the whole scheme on one line of 2 MB: statements joined with ';', a mistake at the end
{ printf 'scheme "x"; period month; roster staff from "roster.csv" { employee id: text; salary: money }; '; i=0; while [ $i -lt 20000 ]; do printf 'let a%d = staff.salary * 1.5 + %d; ' $i $i; i=$((i + 1)); done; printf 'payout = staff.salary * * 2\n'; } > scheme.kpi
