"""Measures of a response (issue 22): how long from the alert to activation, and from the alert to each
department's acceptance, arrival and finish; per response for its after-action report, and per plan and department
over many responses.

The clock starts when the alert reached us (`received_at`; the sender's `sent_at` for an alert stored before that
was kept): a sender's clock is not ours, and the wait before we knew is not the departments'. Minutes, as floats;
None for a step not (yet) taken. Numbers and codes only, no interface text: a report or page words them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from statistics import median

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.access import CITY_WIDE, Scope
from services.store import Alert, EventDispatch, Response, ResponseCheck, ResponseTask


@dataclass(frozen=True)
class DepartmentTimes:
    department: str
    role: str
    due_at: datetime
    to_accept: float | None
    to_arrive: float | None
    to_finish: float | None
    late: bool  # finished after its deadline, or not finished and past it


@dataclass(frozen=True)
class ResponseMeasures:
    response_id: int
    plan: str
    level: str
    status: str
    district: str | None
    alert_at: datetime | None
    activated_at: datetime
    closed_at: datetime | None
    summary: str | None
    to_activation: float | None
    departments: tuple[DepartmentTimes, ...]
    checks_done: int
    checks_total: int


@dataclass(frozen=True)
class Summary:
    """One plan (department None: the activation) or one department of a plan over many responses: medians."""

    plan: str
    department: str | None
    responses: int
    to_activation: float | None
    to_accept: float | None
    to_arrive: float | None


def _minutes(start: datetime | None, end: datetime | None) -> float | None:
    return None if start is None or end is None else round((end - start).total_seconds() / 60, 1)


def response_measures(session: Session, response_id: int, *, scope: Scope = CITY_WIDE,
                      now: datetime) -> ResponseMeasures | None:
    """The measures of one response within `scope`, at `now` (a task not finished by then is late past its due)."""
    response = session.scalar(select(Response).where(Response.id == response_id,
                                                     scope.district_filter(Response.district)))
    if response is None:
        return None
    alert = session.get(Alert, response.alert_id) if response.alert_id is not None else None
    alert_at = (alert.received_at or alert.sent_at) if alert is not None else None
    rows = session.execute(
        select(ResponseTask.department, ResponseTask.role, ResponseTask.due_at, EventDispatch.accepted_at,
               EventDispatch.arrived_at, EventDispatch.finished_at)
        .outerjoin(EventDispatch, EventDispatch.id == ResponseTask.dispatch_id)
        .where(ResponseTask.response_id == response.id).order_by(ResponseTask.id)).all()
    start = alert_at or response.activated_at
    departments = tuple(
        DepartmentTimes(department, role, due, _minutes(start, accepted), _minutes(start, arrived),
                        _minutes(start, finished), (finished or now) > due)
        for department, role, due, accepted, arrived, finished in rows)
    checks = session.scalars(select(ResponseCheck.checked_at).where(ResponseCheck.response_id == response.id)).all()
    return ResponseMeasures(response.id, response.plan, response.level, response.status, response.district, alert_at,
                            response.activated_at, response.closed_at, response.summary,
                            _minutes(alert_at, response.activated_at), departments,
                            sum(1 for at in checks if at is not None), len(checks))


def _median(values: list[float | None]) -> float | None:
    known = [value for value in values if value is not None]
    return round(median(known), 1) if known else None


def summaries(session: Session, *, since: datetime | None = None, scope: Scope = CITY_WIDE) -> list[Summary]:
    """Per plan (its activation) and per department of each plan: the median minutes over the responses activated
    since `since` (all by default) within `scope`, plans and departments in code order."""
    query = (select(Response.plan, Response.id, Response.activated_at, Alert.received_at, Alert.sent_at,
                    ResponseTask.department, EventDispatch.accepted_at, EventDispatch.arrived_at)
             .join(ResponseTask, ResponseTask.response_id == Response.id)
             .outerjoin(Alert, Alert.id == Response.alert_id)
             .outerjoin(EventDispatch, EventDispatch.id == ResponseTask.dispatch_id)
             .where(scope.district_filter(Response.district)))
    if since is not None:
        query = query.where(Response.activated_at >= since)
    activation: dict[str, dict[int, float | None]] = {}
    parts: dict[tuple[str, str], list[tuple[float | None, float | None]]] = {}
    for plan, response_id, activated, received, sent, department, accepted, arrived in session.execute(query):
        alert_at = received or sent
        activation.setdefault(plan, {})[response_id] = _minutes(alert_at, activated)
        start = alert_at or activated
        parts.setdefault((plan, department), []).append((_minutes(start, accepted), _minutes(start, arrived)))
    result = []
    for plan in sorted(activation):
        result.append(Summary(plan, None, len(activation[plan]), _median(list(activation[plan].values())), None, None))
        for (code, department), times in sorted(parts.items()):
            if code == plan:
                result.append(Summary(plan, department, len(times), None, _median([t[0] for t in times]),
                                      _median([t[1] for t in times])))
    return result
