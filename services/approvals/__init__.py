"""Government-service approvals (一网通办): queries, the rollup, metrics, findings and association mining."""

from __future__ import annotations

from services.approvals.association import latest_rules
from services.approvals.divide import DEFAULT_GAP_POINTS, channel_table, district_gaps, gap_trend
from services.approvals.findings import application_list, high_return_matters, idle_matters, overdue
from services.approvals.metrics import (
    bad_review_followups,
    bundle_savings,
    outcome_counts,
    summaries,
    summary,
)
from services.approvals.queries import ALL, Slice, catalog_names, daily_throughput, hourly_throughput

__all__ = [
    "ALL",
    "DEFAULT_GAP_POINTS",
    "channel_table",
    "district_gaps",
    "gap_trend",
    "Slice",
    "application_list",
    "bad_review_followups",
    "bundle_savings",
    "catalog_names",
    "daily_throughput",
    "high_return_matters",
    "hourly_throughput",
    "idle_matters",
    "latest_rules",
    "outcome_counts",
    "overdue",
    "summaries",
    "summary",
]
