"""Emergency plans (预案) as data: the pack's `plans/*.toml`, which plans an alert, incident or reading sets off and
why (a pure function), and the on-call roster that names who is on duty."""

from __future__ import annotations

from services.plans.files import Known, load_plans
from services.plans.matching import AlertFacts, EventFacts, Match, Reason, ReadingFacts, match_plans
from services.plans.model import LEVEL_NAMES, LEVELS, CheckItem, Plan, Task, Trigger, higher
from services.plans.oncall import Duty, Roster, load_roster

__all__ = ["LEVELS", "LEVEL_NAMES", "AlertFacts", "CheckItem", "Duty", "EventFacts", "Known", "Match", "Plan",
           "Reason", "ReadingFacts", "Roster", "Task", "Trigger", "higher", "load_plans", "load_roster",
           "match_plans"]
