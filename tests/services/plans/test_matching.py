"""Plan matching is a pure function of the plans and the facts: which plans apply, at which level, and why."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.citypack import load_pack
from services.plans import AlertFacts, EventFacts, Plan, ReadingFacts, Reason, Trigger, match_plans

ROOT = Path(__file__).resolve().parents[3]


def _plan(code: str, *triggers: Trigger, level: str = "IV") -> Plan:
    return Plan(code, code, code, level, "fire", triggers, (), (), (), (), "", "")


RAIN = _plan("rain", Trigger("cap", events=("暴雨",), min_severity="severe", areas=("990102",)),
             Trigger("cap", events=("暴雨",), min_severity="extreme", level="II"), level="III")
FIRE = _plan("fire", Trigger("cap", categories=("fire",), min_severity="severe"), Trigger("event", event_category="fire"))
RIVER = _plan("river", Trigger("indicator", indicator="river_level", above=8.5),
              Trigger("indicator", indicator="pressure", below=0.2, areas=("990103",)))


def test_an_alert_matches_by_event_name_severity_and_area_with_each_reason() -> None:
    (match,) = match_plans([RAIN, FIRE, RIVER], AlertFacts("暴雨橙色预警", "met", "severe", "990102"))
    assert (match.plan.code, match.level) == ("rain", "III")
    assert match.reasons == (Reason("cap_event", "暴雨"), Reason("severity", "severe ≥ severe"),
                             Reason("area", "990102"))


def test_the_highest_level_trigger_wins_and_areas_limit_it() -> None:
    (match,) = match_plans([RAIN], AlertFacts("暴雨红色预警", "met", "extreme", "990104"))
    assert match.level == "II" and Reason("area", "990104") not in match.reasons
    assert match_plans([RAIN], AlertFacts("暴雨橙色预警", "met", "severe", "990104")) == []
    assert match_plans([RAIN], AlertFacts("暴雨蓝色预警", "met", "minor", "990102")) == []


def test_event_names_match_in_the_headline_too_and_ignore_case() -> None:
    plan = _plan("flood", Trigger("cap", events=("Flood",), min_severity="moderate"))
    (match,) = match_plans([plan], AlertFacts("Rain", "met", "moderate", None, headline="FLOOD warning downtown"))
    assert match.reasons[0] == Reason("cap_event", "Flood")


def test_category_triggers_and_incidents() -> None:
    (by_alert,) = match_plans([RAIN, FIRE], AlertFacts("Building fire", "fire", "extreme"))
    assert by_alert.reasons[0] == Reason("cap_category", "fire")
    (by_event,) = match_plans([RAIN, FIRE, RIVER], EventFacts("fire", "990103"))
    assert (by_event.plan.code, by_event.reasons) == ("fire", (Reason("event_category", "fire"),))
    assert match_plans([RAIN, FIRE], EventFacts("traffic")) == []


@pytest.mark.parametrize(("facts", "reason"), [
    (ReadingFacts("river_level", 9.0), "river_level 9 > 8.5"),
    (ReadingFacts("pressure", 0.15, "990103"), "pressure 0.15 < 0.2"),
])
def test_indicator_rules(facts: ReadingFacts, reason: str) -> None:
    (match,) = match_plans([RIVER], facts)
    assert match.reasons[0] == Reason("indicator", reason)


def test_indicator_rules_that_do_not_hold() -> None:
    assert match_plans([RIVER], ReadingFacts("river_level", 8.5)) == []
    assert match_plans([RIVER], ReadingFacts("pressure", 0.15, "990104")) == []


def test_plans_come_highest_level_first() -> None:
    both = [_plan("b", Trigger("event", event_category="fire")),
            _plan("a", Trigger("event", event_category="fire"), level="II")]
    assert [m.plan.code for m in match_plans(both, EventFacts("fire"))] == ["a", "b"]


def test_the_demo_citys_severe_flood_alert_suggests_the_flood_plan() -> None:
    plans = load_pack(ROOT / "citypacks" / "xiamen").plans
    found = match_plans(plans, AlertFacts("暴雨", "met", "severe", "350203", "暴雨橙色预警：城区严重内涝"))
    assert [m.plan.code for m in found] == ["flood"]
    assert [m.plan.code for m in match_plans(plans, AlertFacts("台风", "met", "extreme"))] == ["typhoon"]
