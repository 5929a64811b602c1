"""bench/scheme.kpi in pandas, as an analyst would write it: read_csv with the
default float64 amounts, groupby, merge, numpy conditions, round(2).

usage: python3 pandas_peer.py DATA_DIR PERIOD OUT.csv   (PERIOD: 2026-10)
"""
import sys

import numpy as np
import pandas as pd

data, period, out = sys.argv[1:4]
start = pd.Timestamp(period + "-01")
end = start + pd.offsets.MonthBegin(1)


def in_period(df, col):
    return df[(df[col] >= start) & (df[col] < end)]


roster = pd.read_csv(f"{data}/roster.csv")
plans = pd.read_csv(f"{data}/plans.csv", dtype={"month": str})
plans = plans[plans.month == period].drop(columns="month")
dept_plans = pd.read_csv(f"{data}/dept_plans.csv", dtype={"month": str})
dept_plans = dept_plans[dept_plans.month == period].drop(columns="month")

deals = in_period(pd.read_csv(f"{data}/deals.csv", parse_dates=["paid_on"]), "paid_on")
paid = deals[deals.status == "paid"].assign(margin=lambda d: d.amount - d.cost)
facts = paid.groupby("employee").agg(
    revenue_fact=("amount", "sum"), margin_fact=("margin", "sum"), paid_deals=("amount", "size")
)
facts["new_fact"] = paid[paid.is_new == 1].groupby("employee").client.nunique()

calls = in_period(pd.read_csv(f"{data}/calls.csv", parse_dates=["day"]), "day")
ks = [f"k{i}" for i in range(1, 11)]
calls = calls.assign(points=calls[ks].sum(axis=1), cells=calls[ks].count(axis=1))
quality = calls.groupby("employee")[["points", "cells"]].sum()

idle = in_period(pd.read_csv(f"{data}/idle.csv", parse_dates=["day"]), "day")
hours = idle.groupby("employee").hours.sum().rename("idle_hours")

e = roster.merge(plans, on="employee")
e = e.merge(facts, on="employee", how="left").merge(quality, on="employee", how="left")
e = e.merge(hours, on="employee", how="left").merge(dept_plans, on="department")
e = e.fillna({"revenue_fact": 0, "margin_fact": 0, "paid_deals": 0, "new_fact": 0,
              "points": 0, "cells": 0, "idle_hours": 0})

rev_idx = e.revenue_fact / e.revenue
mar_idx = e.margin_fact / e.margin
new_idx = e.new_fact / e.new_clients
q_idx = np.where(e.cells > 0, e.points / e.cells.where(e.cells > 0, 1), 0) / 0.8
deals_idx = e.paid_deals / e.deals
dept_revenue = e.groupby("department").revenue_fact.transform("sum")

rev_score = np.where((mar_idx < 0.95) | (rev_idx < 0.8), 0, np.minimum(rev_idx, 1.2))
mar_score = np.select([mar_idx < 0.9, mar_idx < 1.0, mar_idx < 1.1], [0, 0.8, 1.0], 1.2)
new_score = np.where(new_idx >= 1, 1, 0)
q_score = np.select([q_idx < 0.75, q_idx < 1], [0, 0.8], 1.1)
deals_score = np.where(deals_idx < 0.5, 0, np.minimum(deals_idx, 1.5))
multiplier = np.select(
    [dept_revenue < e.minimum, dept_revenue < e.optimum, dept_revenue < e.maximum], [1, 1.1, 1.2], 1.3
)

kpi = 0.35 * rev_score + 0.25 * mar_score + 0.15 * new_score + 0.15 * q_score + 0.10 * deals_score
cap = e.target_bonus * np.where(e.grade == "A", 2, 1.5)
bonus = np.minimum(e.target_bonus * kpi * multiplier, cap)
penalty = 90 * e.idle_hours
e["payout"] = (e.salary + np.maximum(bonus - penalty, 0)).round(2)
e.sort_values("employee")[["employee", "payout"]].to_csv(out, index=False)
