#!/bin/sh
# bench/scheme.kpi in awk (mawk when installed), as a shell user would write it:
# one pass over the files, doubles, printf "%.2f".
# usage: sh awk.sh DATA_DIR PERIOD OUT.csv   (PERIOD: 2026-10)
set -eu
dir=$1 period=$2 out=$3
AWK=$(command -v mawk || command -v awk)
y=${period%-*} m=${period#*-}
m=${m#0}
if [ "$m" = 12 ]; then stop=$((y + 1))-01-01; else stop=$(printf '%s-%02d-01' "$y" $((m + 1))); fi
exec "$AWK" -F, -v period="$period" -v start="$period-01" -v stop="$stop" '
FNR == 1 { file = FILENAME; sub(/.*\//, "", file); next }
file == "roster.csv" { dept[$1] = $3; grade[$1] = $4; salary[$1] = $5; target[$1] = $6; next }
file == "plans.csv" && $2 == period { prev[$1] = $3; pmar[$1] = $4; pnew[$1] = $5; pdeals[$1] = $6; next }
file == "dept_plans.csv" && $2 == period { dmin[$1] = $3; dopt[$1] = $4; dmax[$1] = $5; next }
file == "deals.csv" && $2 >= start && $2 < stop && $6 == "paid" {
    rev[$1] += $4; mar[$1] += $4 - $5; paid[$1]++
    if ($7 == 1 && !(($1, $3) in seen)) { seen[$1, $3] = 1; nnew[$1]++ }
    next
}
file == "calls.csv" && $2 >= start && $2 < stop {
    for (k = 3; k <= 12; k++) if ($k != "") { pts[$1] += $k; cells[$1]++ }
    next
}
file == "idle.csv" && $2 >= start && $2 < stop { hours[$1] += $3; next }
END {
    for (e in dept) drev[dept[e]] += rev[e]
    print "employee,payout"
    for (e in dept) {
        ri = rev[e] / prev[e]; mi = mar[e] / pmar[e]; ni = nnew[e] / pnew[e]
        qi = (cells[e] > 0 ? pts[e] / cells[e] : 0) / 0.8; di = paid[e] / pdeals[e]
        rs = (mi < 0.95 || ri < 0.8) ? 0 : (ri < 1.2 ? ri : 1.2)
        ms = mi < 0.9 ? 0 : mi < 1.0 ? 0.8 : mi < 1.1 ? 1.0 : 1.2
        ns = ni >= 1 ? 1 : 0
        qs = qi < 0.75 ? 0 : qi < 1 ? 0.8 : 1.1
        ds = di < 0.5 ? 0 : (di < 1.5 ? di : 1.5)
        d = dept[e]; t = drev[d]
        mult = t < dmin[d] ? 1 : t < dopt[d] ? 1.1 : t < dmax[d] ? 1.2 : 1.3
        kpi = 0.35 * rs + 0.25 * ms + 0.15 * ns + 0.15 * qs + 0.10 * ds
        bonus = target[e] * kpi * mult
        cap = target[e] * (grade[e] == "A" ? 2 : 1.5)
        if (bonus > cap) bonus = cap
        rest = bonus - 90 * hours[e]
        printf "%s,%.2f\n", e, salary[e] + (rest > 0 ? rest : 0)
    }
}' "$dir/roster.csv" "$dir/plans.csv" "$dir/dept_plans.csv" "$dir/deals.csv" \
   "$dir/calls.csv" "$dir/idle.csv" > "$out"
