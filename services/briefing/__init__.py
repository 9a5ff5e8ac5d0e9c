"""Briefings (简报): the daily snapshot the leader downloads (`gather`, daily.py), and the daily and weekly
briefings that compare a period with the one before and the same one a year earlier, word the biggest movements
from the pack's templates (`report`), and arrive on the pack's schedule by e-mail or into a folder (`BriefingJob`).
"""

from services.briefing.daily import (
    NOTABLE_SEVERITIES,
    SLOW_DEPARTMENTS,
    TOP,
    Briefing,
    KpiDay,
    NotableAlert,
    Ranked,
    SlowDepartment,
    alerts_by_severity,
    day_window,
    gather,
    yesterday,
)
from services.briefing.delivery import BriefingJob, Render, briefing_deliveries, due_period
from services.briefing.movements import MEASURES, Movement, measure_counts, movements
from services.briefing.periods import KINDS, Period, period_before
from services.briefing.report import PeriodReport, highlights, report

__all__ = ["KINDS", "MEASURES", "NOTABLE_SEVERITIES", "SLOW_DEPARTMENTS", "TOP", "Briefing", "BriefingJob",
           "KpiDay", "Movement", "NotableAlert", "Period", "PeriodReport", "Ranked", "Render", "SlowDepartment",
           "alerts_by_severity", "briefing_deliveries", "day_window", "due_period", "gather",
           "highlights", "measure_counts", "movements", "period_before", "report", "yesterday"]
