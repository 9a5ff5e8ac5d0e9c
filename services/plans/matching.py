"""Which plans an alert, an incident or a reading sets off, and why: a pure function of the plans and the facts.

A trigger matches when every condition it names holds; each condition that held is one `Reason` (a code and the
value that satisfied it), so the console can say "暴雨 in the event name, severity severe ≥ severe, in district X"
in either language. Of a plan's matching triggers the highest response level wins. Plans come back highest level
first, then by code, so the suggestion order never depends on file order alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from services.citypack.plan_model import LEVELS, Plan, Trigger, higher
from services.severity import SEVERITIES


@dataclass(frozen=True)
class AlertFacts:
    """What of an alert a plan looks at (CAP fields, lower-cased category and severity; `district` an adcode)."""

    event: str
    category: str
    severity: str
    district: str | None = None
    headline: str = ""


@dataclass(frozen=True)
class EventFacts:
    """An incident (事件): its catalog category and district."""

    category: str
    district: str | None = None


@dataclass(frozen=True)
class ReadingFacts:
    """One indicator reading; `district` None for the whole city."""

    indicator: str
    value: float
    district: str | None = None


Facts = AlertFacts | EventFacts | ReadingFacts


@dataclass(frozen=True)
class Reason:
    """One condition that held: `code` (cap_event, cap_category, severity, area, event_category, indicator) and
    the value that satisfied it, as text."""

    code: str
    value: str


@dataclass(frozen=True)
class Match:
    """A plan that applies, the response level it asks for and why."""

    plan: Plan
    level: str
    reasons: tuple[Reason, ...]


def _area(trigger: Trigger, district: str | None) -> list[Reason] | None:
    if not trigger.areas:
        return []
    return [Reason("area", district)] if district in trigger.areas else None


def _alert(trigger: Trigger, facts: AlertFacts) -> list[Reason] | None:
    reasons: list[Reason] = []
    if trigger.events:
        text = f"{facts.event} {facts.headline}".casefold()
        word = next((w for w in trigger.events if w.casefold() in text), None)
        if word is None:
            return None
        reasons.append(Reason("cap_event", word))
    if trigger.categories:
        if facts.category not in trigger.categories:
            return None
        reasons.append(Reason("cap_category", facts.category))
    if facts.severity not in SEVERITIES[:SEVERITIES.index(trigger.min_severity) + 1]:
        return None
    reasons.append(Reason("severity", f"{facts.severity} ≥ {trigger.min_severity}"))
    return reasons


def _reading(trigger: Trigger, facts: ReadingFacts) -> list[Reason] | None:
    if trigger.indicator != facts.indicator:
        return None
    if trigger.above is not None and facts.value > trigger.above:
        return [Reason("indicator", f"{facts.indicator} {facts.value:g} > {trigger.above:g}")]
    if trigger.below is not None and facts.value < trigger.below:
        return [Reason("indicator", f"{facts.indicator} {facts.value:g} < {trigger.below:g}")]
    return None


def trigger_reasons(trigger: Trigger, facts: Facts) -> tuple[Reason, ...] | None:
    """Why `trigger` matches `facts`, or None when it does not."""
    if isinstance(facts, AlertFacts):
        own = _alert(trigger, facts) if trigger.kind == "cap" else None
    elif isinstance(facts, EventFacts):
        own = ([Reason("event_category", facts.category)]
               if trigger.kind == "event" and trigger.event_category == facts.category else None)
    else:
        own = _reading(trigger, facts) if trigger.kind == "indicator" else None
    area = _area(trigger, facts.district)
    return None if own is None or area is None else (*own, *area)


def match_plans(plans: Iterable[Plan], facts: Facts) -> list[Match]:
    """Every plan `facts` set off, with its level and reasons (those of its highest-level matching trigger)."""
    found: list[Match] = []
    for plan in plans:
        best: Match | None = None
        for trigger in plan.triggers:
            reasons = trigger_reasons(trigger, facts)
            if reasons is None:
                continue
            level = trigger.level or plan.level
            if best is None or higher(level, best.level) != best.level:
                best = Match(plan, level, reasons)
        if best:
            found.append(best)
    return sorted(found, key=lambda match: (LEVELS.index(match.level), match.plan.code))
