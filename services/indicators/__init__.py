"""City-operation indicators: the catalog's queries and views, readings and threshold rules."""

from __future__ import annotations

from services.indicators.queries import Bucket, kpi_strip
from services.indicators.rules import SOURCE as RULES_SOURCE
from services.indicators.rules import status_change
from services.indicators.views import DrillDown, drill_down, indicator_choices

__all__ = [
    "RULES_SOURCE", "Bucket", "DrillDown", "drill_down", "indicator_choices", "kpi_strip", "status_change",
]
