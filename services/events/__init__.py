"""Events (事件): queries for the map and the lists, the lifecycle, SLA cards and multi-department linkage."""

from __future__ import annotations

from services.events.categories import category_names
from services.events.commands import ACTIONS, EventCommand, act, record_refusal
from services.events.lifecycle import (
    DISPATCH_STAGES,
    STATUSES,
    WORKING,
    TransitionRefused,
    advance_dispatch,
    history,
    transition,
)
from services.events.linkage import department_names, department_stats, multi_department_share, trends
from services.events.points import MAP_POINTS, map_points
from services.events.queries import (
    TABLE_COLUMNS,
    EventFilter,
    count_matching,
    counts_by_district,
    detail,
    export_rows,
    grid_counts,
    open_by_district,
    recent_points,
    table_page,
)
from services.events.response import dispatch_times, dispatch_trend

__all__ = [
    "dispatch_times",
    "dispatch_trend",
    "MAP_POINTS",
    "map_points",
    "ACTIONS",
    "DISPATCH_STAGES",
    "EventCommand",
    "EventFilter",
    "STATUSES",
    "TABLE_COLUMNS",
    "TransitionRefused",
    "WORKING",
    "act",
    "advance_dispatch",
    "category_names",
    "count_matching",
    "counts_by_district",
    "department_names",
    "department_stats",
    "detail",
    "export_rows",
    "grid_counts",
    "history",
    "multi_department_share",
    "open_by_district",
    "recent_points",
    "record_refusal",
    "table_page",
    "transition",
    "trends",
]
