"""A response as the console shows it: its level and status, each department's task with its dispatch's progress
and deadline, and the checklist with who ticked what when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.access import CITY_WIDE, Scope
from services.citypack.plan_model import LEVELS
from services.store import Alert, EventDispatch, Response, ResponseCheck, ResponseTask


@dataclass(frozen=True)
class TaskView:
    department: str
    role: str
    task_zh: str
    task_en: str
    due_at: datetime
    status: str  # the dispatch's: dispatched | accepted | arrived | finished


@dataclass(frozen=True)
class CheckView:
    key: str
    text_zh: str
    text_en: str
    checked_at: datetime | None
    checked_by: str | None


@dataclass(frozen=True)
class ResponseView:
    id: int
    plan: str
    alert_id: int | None
    event_id: int
    district: str | None
    level: str
    status: str
    activated_at: datetime
    activated_by: str
    cancel_proposed: bool
    updated_at: datetime | None
    summary: str | None
    tasks: tuple[TaskView, ...]
    checks: tuple[CheckView, ...]
    area: str | None = None  # the alert's CAP area (GeoJSON), what the wall's incident map draws


def response_for_alert(session: Session, alert_pk: int, *, scope: Scope = CITY_WIDE) -> ResponseView | None:
    """The response opened for alert `alert_pk`, if any, within `scope`."""
    response = session.scalar(select(Response).where(Response.alert_id == alert_pk,
                                                     scope.district_filter(Response.district)))
    return None if response is None else _view(session, response)


def active_response(session: Session, at_or_above: str, *, scope: Scope = CITY_WIDE) -> ResponseView | None:
    """The response the wall's incident mode shows: the most serious active one at level `at_or_above` or higher
    (I is the highest), the latest among equals, within `scope`."""
    levels = LEVELS[:LEVELS.index(at_or_above) + 1]
    response = session.scalar(select(Response).where(Response.status == "active", Response.level.in_(levels),
                                                     scope.district_filter(Response.district))
                              .order_by(Response.level, Response.activated_at.desc(), Response.id.desc()).limit(1))
    return None if response is None else _view(session, response)


def _view(session: Session, response: Response) -> ResponseView:
    tasks = session.execute(
        select(ResponseTask.department, ResponseTask.role, ResponseTask.task_zh, ResponseTask.task_en,
               ResponseTask.due_at, EventDispatch.status)
        .outerjoin(EventDispatch, EventDispatch.id == ResponseTask.dispatch_id)
        .where(ResponseTask.response_id == response.id).order_by(ResponseTask.id)).all()
    checks = session.execute(
        select(ResponseCheck.key, ResponseCheck.text_zh, ResponseCheck.text_en, ResponseCheck.checked_at,
               ResponseCheck.checked_by).where(ResponseCheck.response_id == response.id)
        .order_by(ResponseCheck.id)).all()
    return ResponseView(response.id, response.plan, response.alert_id, response.event_id, response.district,
                        response.level,
                        response.status, response.activated_at, response.activated_by,
                        response.cancel_proposed_at is not None and response.status == "active",
                        response.updated_at, response.summary,
                        tuple(TaskView(*(row[:5]), row[5] or "dispatched") for row in tasks),
                        tuple(CheckView(*row) for row in checks),
                        session.scalar(select(Alert.area).where(Alert.id == response.alert_id)))
