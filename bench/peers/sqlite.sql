-- bench/scheme.kpi in SQLite, as an analyst would write it: typed tables,
-- .import of the CSV files, REAL (binary floating point) amounts, ROUND(x, 2).
-- Run in the data directory, the period given as a parameter:
--   sqlite3 -cmd ".parameter set @month '2026-10'" :memory: < sqlite.sql > payouts.csv
.bail on
CREATE TABLE roster(employee TEXT PRIMARY KEY, name TEXT, department TEXT, grade TEXT,
                    salary REAL, target_bonus REAL);
CREATE TABLE plans(employee TEXT, month TEXT, revenue REAL, margin REAL,
                   new_clients INTEGER, deals INTEGER);
CREATE TABLE dept_plans(department TEXT, month TEXT, minimum REAL, optimum REAL, maximum REAL);
CREATE TABLE deals(employee TEXT, paid_on TEXT, client TEXT, amount REAL, cost REAL,
                   status TEXT, is_new INTEGER);
CREATE TABLE calls(employee TEXT, day TEXT, k1 REAL, k2 REAL, k3 REAL, k4 REAL, k5 REAL, k6 REAL, k7 REAL, k8 REAL, k9 REAL, k10 REAL);
CREATE TABLE idle(employee TEXT, day TEXT, hours REAL);
.import --csv --skip 1 roster.csv roster
.import --csv --skip 1 plans.csv plans
.import --csv --skip 1 dept_plans.csv dept_plans
.import --csv --skip 1 deals.csv deals
.import --csv --skip 1 calls.csv calls
.import --csv --skip 1 idle.csv idle
.headers on
.mode csv
WITH
period AS (SELECT date(@month || '-01') AS start, date(@month || '-01', '+1 month') AS stop),
d AS (
  SELECT employee,
         sum(amount) FILTER (WHERE status = 'paid') AS revenue,
         sum(amount - cost) FILTER (WHERE status = 'paid') AS margin,
         count(DISTINCT client) FILTER (WHERE is_new = 1 AND status = 'paid') AS new_clients,
         count(*) FILTER (WHERE status = 'paid') AS paid_deals
  FROM deals, period WHERE paid_on >= start AND paid_on < stop
  GROUP BY employee),
c AS (
  SELECT employee,
         sum(coalesce(nullif(k1, ''), 0) + coalesce(nullif(k2, ''), 0) + coalesce(nullif(k3, ''), 0) + coalesce(nullif(k4, ''), 0) + coalesce(nullif(k5, ''), 0) + coalesce(nullif(k6, ''), 0) + coalesce(nullif(k7, ''), 0) + coalesce(nullif(k8, ''), 0) + coalesce(nullif(k9, ''), 0) + coalesce(nullif(k10, ''), 0)) AS points,
         sum((nullif(k1, '') IS NOT NULL) + (nullif(k2, '') IS NOT NULL) + (nullif(k3, '') IS NOT NULL) + (nullif(k4, '') IS NOT NULL) + (nullif(k5, '') IS NOT NULL) + (nullif(k6, '') IS NOT NULL) + (nullif(k7, '') IS NOT NULL) + (nullif(k8, '') IS NOT NULL) + (nullif(k9, '') IS NOT NULL) + (nullif(k10, '') IS NOT NULL)) AS cells
  FROM calls, period WHERE day >= start AND day < stop
  GROUP BY employee),
i AS (
  SELECT employee, sum(hours) AS hours
  FROM idle, period WHERE day >= start AND day < stop
  GROUP BY employee),
f AS (
  SELECT r.employee, r.department, r.grade, r.salary, r.target_bonus,
         coalesce(d.revenue, 0) / p.revenue AS rev_idx,
         coalesce(d.margin, 0) / p.margin AS mar_idx,
         CAST(coalesce(d.new_clients, 0) AS REAL) / p.new_clients AS new_idx,
         coalesce(c.points / nullif(c.cells, 0), 0) / 0.8 AS q_idx,
         CAST(coalesce(d.paid_deals, 0) AS REAL) / p.deals AS deals_idx,
         sum(coalesce(d.revenue, 0)) OVER (PARTITION BY r.department) AS dept_revenue,
         90 * coalesce(i.hours, 0) AS penalty
  FROM roster r
  JOIN plans p ON p.employee = r.employee AND p.month = @month
  LEFT JOIN d ON d.employee = r.employee
  LEFT JOIN c ON c.employee = r.employee
  LEFT JOIN i ON i.employee = r.employee),
s AS (
  SELECT f.*,
    CASE WHEN mar_idx < 0.95 OR rev_idx < 0.8 THEN 0 ELSE min(rev_idx, 1.2) END AS rev_score,
    CASE WHEN mar_idx < 0.9 THEN 0 WHEN mar_idx < 1.0 THEN 0.8 WHEN mar_idx < 1.1 THEN 1.0 ELSE 1.2 END AS mar_score,
    CASE WHEN new_idx >= 1 THEN 1 ELSE 0 END AS new_score,
    CASE WHEN q_idx < 0.75 THEN 0 WHEN q_idx < 1 THEN 0.8 ELSE 1.1 END AS q_score,
    CASE WHEN deals_idx < 0.5 THEN 0 ELSE min(deals_idx, 1.5) END AS deals_score,
    CASE WHEN dept_revenue < dp.minimum THEN 1 WHEN dept_revenue < dp.optimum THEN 1.1
         WHEN dept_revenue < dp.maximum THEN 1.2 ELSE 1.3 END AS multiplier
  FROM f JOIN dept_plans dp ON dp.department = f.department AND dp.month = @month),
k AS (
  SELECT *, 0.35 * rev_score + 0.25 * mar_score + 0.15 * new_score + 0.15 * q_score
            + 0.10 * deals_score AS kpi
  FROM s)
SELECT employee,
       round(salary + max(min(target_bonus * kpi * multiplier,
                              target_bonus * CASE WHEN grade = 'A' THEN 2 ELSE 1.5 END)
                          - penalty, 0), 2) AS payout
FROM k
ORDER BY employee;
