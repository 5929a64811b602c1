// bench/scheme.kpi in DuckDB SQL, as an analyst would write it: read_csv with
// type detection (amounts become DOUBLE), two threads, ROUND(x, 2).
// usage: node duckdb.mjs DATA_DIR PERIOD OUT.csv   (PERIOD: 2026-10)
import { DuckDBInstance } from '@duckdb/node-api';

const [dir, period, out] = process.argv.slice(2);
if (!out) {
  console.error('usage: node duckdb.mjs DATA_DIR PERIOD OUT.csv');
  process.exit(2);
}
const q = (s) => `'${s.replaceAll("'", "''")}'`;
const f = (name) => q(`${dir}/${name}`);
const start = `DATE ${q(period + '-01')}`;
const end = `(${start} + INTERVAL 1 MONTH)`;
const ks = Array.from({ length: 10 }, (_, i) => `k${i + 1}`);

const sql = `
COPY (
WITH
roster AS (SELECT * FROM read_csv(${f('roster.csv')})),
plan AS (SELECT * FROM read_csv(${f('plans.csv')}, types = {'month': 'VARCHAR'})
         WHERE month = ${q(period)}),
dept_plan AS (SELECT * FROM read_csv(${f('dept_plans.csv')}, types = {'month': 'VARCHAR'})
              WHERE month = ${q(period)}),
deals AS (
  SELECT employee,
         sum(amount) FILTER (WHERE status = 'paid') AS revenue,
         sum(amount - cost) FILTER (WHERE status = 'paid') AS margin,
         count(DISTINCT client) FILTER (WHERE is_new AND status = 'paid') AS new_clients,
         count(*) FILTER (WHERE status = 'paid') AS paid_deals
  FROM read_csv(${f('deals.csv')}, types = {'is_new': 'BOOLEAN'})
  WHERE paid_on >= ${start} AND paid_on < ${end}
  GROUP BY employee),
calls AS (
  SELECT employee,
         sum(${ks.map((k) => `coalesce(${k}, 0)`).join(' + ')}) AS points,
         sum(${ks.map((k) => `(${k} IS NOT NULL)::INT`).join(' + ')}) AS cells
  FROM read_csv(${f('calls.csv')}, types = {${ks.map((k) => `'${k}': 'DOUBLE'`).join(', ')}})
  WHERE day >= ${start} AND day < ${end}
  GROUP BY employee),
idle AS (
  SELECT employee, sum(hours) AS hours
  FROM read_csv(${f('idle.csv')})
  WHERE day >= ${start} AND day < ${end}
  GROUP BY employee),
facts AS (
  SELECT r.employee, r.department, r.grade, r.salary, r.target_bonus,
         coalesce(d.revenue, 0) / p.revenue AS rev_idx,
         coalesce(d.margin, 0) / p.margin AS mar_idx,
         coalesce(d.new_clients, 0) / p.new_clients AS new_idx,
         coalesce(c.points / nullif(c.cells, 0), 0) / 0.8 AS q_idx,
         coalesce(d.paid_deals, 0) / p.deals AS deals_idx,
         sum(coalesce(d.revenue, 0)) OVER (PARTITION BY r.department) AS dept_revenue,
         90 * coalesce(i.hours, 0) AS penalty
  FROM roster r
  JOIN plan p USING (employee)
  LEFT JOIN deals d USING (employee)
  LEFT JOIN calls c USING (employee)
  LEFT JOIN idle i USING (employee)),
scored AS (
  SELECT f.*,
    CASE WHEN mar_idx < 0.95 OR rev_idx < 0.8 THEN 0 ELSE least(rev_idx, 1.2) END AS rev_score,
    CASE WHEN mar_idx < 0.9 THEN 0 WHEN mar_idx < 1.0 THEN 0.8 WHEN mar_idx < 1.1 THEN 1.0 ELSE 1.2 END AS mar_score,
    CASE WHEN new_idx >= 1 THEN 1 ELSE 0 END AS new_score,
    CASE WHEN q_idx < 0.75 THEN 0 WHEN q_idx < 1 THEN 0.8 ELSE 1.1 END AS q_score,
    CASE WHEN deals_idx < 0.5 THEN 0 ELSE least(deals_idx, 1.5) END AS deals_score,
    CASE WHEN dept_revenue < dp.minimum THEN 1 WHEN dept_revenue < dp.optimum THEN 1.1
         WHEN dept_revenue < dp.maximum THEN 1.2 ELSE 1.3 END AS multiplier
  FROM facts f JOIN dept_plan dp USING (department)),
kpi AS (
  SELECT *, 0.35 * rev_score + 0.25 * mar_score + 0.15 * new_score + 0.15 * q_score
            + 0.10 * deals_score AS kpi
  FROM scored)
SELECT employee,
       ROUND(salary + greatest(least(target_bonus * kpi * multiplier,
                                     target_bonus * CASE WHEN grade = 'A' THEN 2 ELSE 1.5 END)
                               - penalty, 0), 2) AS payout
FROM kpi
ORDER BY employee
) TO ${q(out)} (HEADER, DELIMITER ',')`;

const db = await DuckDBInstance.create(':memory:', { threads: '2' });
const con = await db.connect();
await con.run(sql);
