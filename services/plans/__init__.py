"""Emergency plans (预案) as data: the pack's `plans/*.toml`, which plans an alert, incident or reading sets off and
why (a pure function), the on-call roster that names who is on duty, and the responses: activate a plan for an
alert (one incident, every department dispatched with its task and deadline), change its level, tick its checklist,
stand it down; and how long each step took (measures)."""

from __future__ import annotations

from services.citypack.oncall import Duty, Roster, load_roster
from services.citypack.plan_model import LEVEL_NAMES, LEVELS, CheckItem, Plan, Task, Trigger, higher
from services.citypack.plans import Known, load_plans
from services.plans.matching import AlertFacts, EventFacts, Match, ReadingFacts, Reason, match_plans
from services.plans.measures import DepartmentTimes, ResponseMeasures, Summary, response_measures, summaries
from services.plans.responses import (
    DeadlineLoop,
    Notices,
    ResponseRefused,
    activate,
    alert_signal,
    change_level,
    follow_alert_changes,
    notify_overdue,
    stand_down,
    tick,
)
from services.plans.views import CheckView, ResponseView, TaskView, active_response, response_for_alert

__all__ = ["LEVELS", "LEVEL_NAMES", "AlertFacts", "CheckItem", "CheckView", "DeadlineLoop", "DepartmentTimes", "Duty", "EventFacts", "Known", "Match",
           "Notices", "Plan", "Reason", "ReadingFacts", "ResponseMeasures", "ResponseRefused", "ResponseView", "Roster", "Summary", "Task", "TaskView",
           "Trigger", "activate", "active_response", "alert_signal", "change_level", "follow_alert_changes", "higher", "load_plans", "load_roster",
           "match_plans", "notify_overdue", "response_for_alert", "response_measures", "stand_down", "summaries",
           "tick"]
