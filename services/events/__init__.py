"""Events (事件): queries for the map and the lists, the lifecycle, SLA cards and multi-department linkage."""

from __future__ import annotations

from services.events.lifecycle import (
    DISPATCH_STAGES,
    STATUSES,
    WORKING,
    TransitionRefused,
    advance_dispatch,
    history,
    transition,
)
from services.events.linkage import department_stats, multi_department_share, trends
from services.events.queries import (
    MAP_POINTS,
    TABLE_COLUMNS,
    EventFilter,
    count_matching,
    counts_by_district,
    detail,
    export_rows,
    grid_counts,
    invalidate_events,
    map_points,
    open_by_district,
    recent_points,
    table_page,
)

__all__ = ["DISPATCH_STAGES", "EventFilter", "MAP_POINTS", "STATUSES", "TABLE_COLUMNS", "TransitionRefused", "WORKING", "advance_dispatch", "count_matching", "counts_by_district", "department_stats", "detail", "export_rows", "grid_counts", "history", "invalidate_events", "map_points", "multi_department_share", "open_by_district", "recent_points", "table_page", "transition", "trends"]
