"""Responses (预案响应): activating a plan for an alert, raising or lowering its level, ticking its checklist and
standing it down; each is one domain command in the caller's transaction, audited, that never commits.

Activation opens the incident in one go: an event of the plan's category (source `plan`, external id
`alert-<alert pk>`, so the store itself refuses a second incident for the alert), registered and dispatched to every
department of the plan, each dispatch with its task and deadline; the alert is linked to it (and acknowledged if it
was new), the checklist copied, and each department's notice put in the outbox (services/notify). Raising the level
is an escalation: every department is notified again, naming who is on duty.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from services import alerts, audit
from services.access import Action, Principal
from services.citypack.oncall import Roster
from services.citypack.plan_model import LEVEL_NAMES, LEVELS, Plan
from services.events import transition
from services.notify import Contacts, Message, enqueue
from services.store import (
    Alert,
    Department,
    District,
    Event,
    EventDispatch,
    Response,
    ResponseCheck,
    ResponseTask,
)

log = logging.getLogger(__name__)

SOURCE = "plan"  # the events a plan opens; with external_id `alert-<pk>` the store's own guard against a second one
REFUSALS = {
    "not_found": "alert {alert} does not exist or is outside your area",
    "no_response": "response {response} does not exist or is outside your area",
    "role": "role {role} may not activate or run a plan",
    "already": "the alert already has a response (#{response})",
    "linked": "the alert is already linked to event #{event}",
    "level": "{level!r} is not a response level (one of I, II, III, IV)",
    "same_level": "the response is already at level {level}",
    "closed": "the response has stood down",
    "summary": "standing down needs a summary",
    "check": "no checklist item {key}",
    "plan_missing": "the city pack has no plan {plan}",
}


class ResponseRefused(ValueError):
    """Why a response command is refused: `code` (a REFUSALS key) and `params`, for a page to word; nothing is
    written."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code, self.params = code, params
        super().__init__(REFUSALS[code].format(**params))


@dataclass(frozen=True)
class Notices:
    """What notifying needs: the departments' contacts, the duty roster and the city's time zone."""

    contacts: Contacts
    roster: Roster
    zone: ZoneInfo


def _allowed(principal: Principal) -> None:
    if not (principal.may(Action.EVENT_ACT) and principal.may(Action.ALERT_LINK)):
        raise ResponseRefused("role", role=principal.role.value)


def _response(session: Session, response_id: int, principal: Principal, *, active: bool = True) -> Response:
    _allowed(principal)
    response = session.get(Response, response_id)
    if response is None or not principal.scope.allows_district(response.district):
        raise ResponseRefused("no_response", response=response_id)
    if active and response.status != "active":
        raise ResponseRefused("closed")
    return response


def _names(session: Session, model: Any, key: Any) -> dict[str, str]:
    return dict(session.execute(select(key, model.name_zh)).all())


def _notify(session: Session, notices: Notices | None, plan: Plan, response: Response, headline: str,
            reason: str, now: datetime) -> None:
    """Each department's notice, from the plan's template (in Chinese: the units' own language), into the outbox;
    an escalation names who is on duty for the department."""
    if notices is None:
        return
    departments = _names(session, Department, Department.code)
    district = _names(session, District, District.adcode).get(response.district or "", "")
    local = now.astimezone(notices.zone).replace(tzinfo=None)
    tasks = session.scalars(select(ResponseTask).where(ResponseTask.response_id == response.id)).all()
    messages = notices.contacts.messages
    for task in tasks:
        text = plan.notice_zh.format(
            plan=plan.name_zh, level=response.level, headline=headline, district=district or "-",
            department=departments.get(task.department, task.department), task=task.task_zh,
            deadline=task.due_at.astimezone(notices.zone).strftime("%m-%d %H:%M"))
        duty = notices.roster.on_duty(task.department, response.district, local)
        if reason == "escalation" and duty and "duty" in messages:
            text += "\n" + messages["duty"].format(title=duty.title_zh, name=duty.name, phone=duty.phone)
        subject = messages.get(reason, "{plan} {level}").format(plan=plan.name_zh, level=response.level,
                                                               level_name=LEVEL_NAMES[response.level][0])
        enqueue(session, notices.contacts, department=task.department, reason=reason,
                message=Message(subject, text), response_id=response.id, now=now)


def activate(session: Session, alert_pk: int, plan: Plan, *, principal: Principal, level: str | None = None,
             notices: Notices | None = None, now: datetime | None = None) -> Response:
    """Open the incident for alert `alert_pk` under `plan` at `level` (default the plan's), dispatch every
    department of the plan with its task and deadline, link and acknowledge the alert, queue the notices; audited
    as `response.activate`. Raises ResponseRefused before writing anything."""
    now = now or datetime.now(UTC)
    _allowed(principal)
    level = level or plan.level
    if level not in LEVELS:
        raise ResponseRefused("level", level=level)
    alert = session.get(Alert, alert_pk)
    if alert is None or not principal.scope.allows_district(alert.district):
        raise ResponseRefused("not_found", alert=alert_pk)
    existing = session.scalar(select(Response.id).where(Response.alert_id == alert_pk))
    if existing is not None:
        raise ResponseRefused("already", response=existing)
    if alert.event_id is not None:
        raise ResponseRefused("linked", event=alert.event_id)
    longest = max(task.within_minutes for task in plan.tasks)
    event = Event(external_id=f"alert-{alert.id}", source=SOURCE, category=plan.event_category,
                  title=alert.headline[:128], description=alert.description, severity=alert.severity,
                  district=alert.district, lat=alert.lat, lon=alert.lon, reported_at=now, status="reported",
                  sla_due_at=now + timedelta(minutes=longest))
    session.add(event)
    session.flush()
    transition(session, event.id, "registered", principal=principal, comment=plan.name_zh, now=now)
    transition(session, event.id, "dispatched", principal=principal, departments=[t.department for t in plan.tasks],
               now=now)
    dispatches = dict(session.execute(select(EventDispatch.department, EventDispatch.id)
                                      .where(EventDispatch.event_id == event.id)).all())
    response = Response(plan=plan.code, alert_id=alert.id, event_id=event.id, district=alert.district, level=level,
                        status="active", activated_at=now, activated_by=principal.username)
    session.add(response)
    session.flush()
    session.add_all([ResponseTask(response_id=response.id, department=t.department, role=t.role, task_zh=t.task_zh,
                                  task_en=t.task_en, due_at=now + timedelta(minutes=t.within_minutes),
                                  dispatch_id=dispatches[t.department]) for t in plan.tasks])
    session.add_all([ResponseCheck(response_id=response.id, key=c.key, text_zh=c.zh, text_en=c.en)
                     for c in plan.checklist])
    if alert.status == "new":
        alerts.act(session, alert.id, alerts.AlertCommand(alerts.ACKNOWLEDGE, comment=plan.name_zh, group=False),
                   actor=principal, now=now)
    alerts.act(session, alert.id, alerts.AlertCommand(alerts.LINK, event_id=event.id, group=False), actor=principal,
               now=now)
    audit.record(session, actor=principal, action="response.activate", target=f"response:{response.id}",
                 detail=f"{plan.code} level {level}, event #{event.id}", at=now)
    session.flush()
    _notify(session, notices, plan, response, alert.headline, "dispatch", now)
    return response


def change_level(session: Session, response_id: int, level: str, *, principal: Principal, plan: Plan,
                 comment: str = "", notices: Notices | None = None, now: datetime | None = None) -> Response:
    """Raise or lower the response level, audited as `response.level` ("III → II: why"); a raise notifies every
    department again as an escalation."""
    now = now or datetime.now(UTC)
    response = _response(session, response_id, principal)
    if level not in LEVELS:
        raise ResponseRefused("level", level=level)
    if level == response.level:
        raise ResponseRefused("same_level", level=level)
    before, response.level = response.level, level
    audit.record(session, actor=principal, action="response.level", target=f"response:{response.id}",
                 detail=f"{before} → {level}" + (f": {comment.strip()}" if comment.strip() else ""), at=now)
    if LEVELS.index(level) < LEVELS.index(before):
        event = session.get(Event, response.event_id)
        _notify(session, notices, plan, response, event.title or "" if event else "", "escalation", now)
    session.flush()
    return response


def tick(session: Session, response_id: int, key: str, *, principal: Principal,
         now: datetime | None = None) -> ResponseCheck:
    """Tick a checklist line (again: keeps the first time), audited as `response.check`."""
    now = now or datetime.now(UTC)
    response = _response(session, response_id, principal)
    item = session.scalar(select(ResponseCheck).where(ResponseCheck.response_id == response.id,
                                                     ResponseCheck.key == key))
    if item is None:
        raise ResponseRefused("check", key=key)
    if item.checked_at is None:
        item.checked_at, item.checked_by = now, principal.username
        audit.record(session, actor=principal, action="response.check", target=f"response:{response.id}",
                     detail=f"{key}: {item.text_zh}", at=now)
    session.flush()
    return item


def stand_down(session: Session, response_id: int, *, principal: Principal, summary: str,
               now: datetime | None = None) -> Response:
    """结束响应: close the response with its summary, and resolve its alert if still open; audited."""
    now = now or datetime.now(UTC)
    response = _response(session, response_id, principal)
    if not summary.strip():
        raise ResponseRefused("summary")
    response.status, response.closed_at, response.closed_by = "closed", now, principal.username
    response.summary = summary.strip()
    alert = session.get(Alert, response.alert_id) if response.alert_id else None
    if alert is not None and alert.status != "resolved":
        alerts.act(session, alert.id, alerts.AlertCommand(alerts.RESOLVE, comment=summary.strip(), group=False),
                   actor=principal, now=now)
    audit.record(session, actor=principal, action="response.stand_down", target=f"response:{response.id}",
                 detail=summary.strip(), at=now)
    session.flush()
    return response


def follow_alert_changes(session: Session, updated: Mapping[int, Mapping[str, Any]], cancelled: set[int],
                         now: datetime | None = None) -> None:
    """What a CAP Update or Cancel does to a response: an update rewrites its incident's headline, severity and
    description (never a second incident); a cancel proposes standing down. Called by the persist worker."""
    now = now or datetime.now(UTC)
    targets = set(updated) | cancelled
    if not targets:
        return
    for response in session.scalars(select(Response).where(Response.alert_id.in_(targets),
                                                           Response.status == "active")):
        assert response.alert_id is not None
        content = updated.get(response.alert_id)
        event = session.get(Event, response.event_id)
        if content and event is not None:
            event.title = str(content["headline"])[:128]
            event.severity, event.description = content["severity"], content.get("description")
            response.updated_at = now
        if response.alert_id in cancelled:
            response.cancel_proposed_at = now
    session.flush()


def alert_signal(session: Session, alert_pk: int | None) -> list[dict[str, str]]:
    """The status signal of a response's alert after a command moved it (walls close its pop-up), or none."""
    alert = session.get(Alert, alert_pk) if alert_pk is not None else None
    return [alerts.signal(alert)] if alert is not None else []


def notify_overdue(session: Session, notices: Notices, plans: Mapping[str, Plan], *,
                   now: datetime | None = None) -> int:
    """Remind each department of an active response whose task is past its deadline and not finished, once (the
    task remembers it); the caller commits. Returns how many tasks were reminded."""
    now = now or datetime.now(UTC)
    template = notices.contacts.messages.get("deadline")
    overdue = session.execute(
        select(ResponseTask, Response.plan).join(Response, Response.id == ResponseTask.response_id)
        .outerjoin(EventDispatch, EventDispatch.id == ResponseTask.dispatch_id)
        .where(Response.status == "active", ResponseTask.due_at <= now, ResponseTask.overdue_notified_at.is_(None),
               (EventDispatch.status.is_(None)) | (EventDispatch.status != "finished"))).all()
    departments = _names(session, Department, Department.code) if overdue else {}
    for task, code in overdue:
        task.overdue_notified_at = now
        plan = plans.get(code)
        if template is None or plan is None:
            continue
        text = template.format(plan=plan.name_zh, department=departments.get(task.department, task.department),
                               task=task.task_zh, deadline=task.due_at.astimezone(notices.zone).strftime("%m-%d %H:%M"))
        enqueue(session, notices.contacts, department=task.department, reason="deadline",
                message=Message(text[:255], text), response_id=task.response_id, now=now)
    session.flush()
    return len(overdue)


class DeadlineLoop:
    """Reminds departments of missed deadlines every `every_s` seconds (`python -m services.workers deadlines`)."""

    def __init__(self, sessions: Callable[[], Session], notices: Notices, plans: Sequence[Plan],
                 every_s: float = 30.0) -> None:
        self.sessions, self.notices, self.every_s = sessions, notices, every_s
        self.plans = {plan.code: plan for plan in plans}

    def run_once(self, now: datetime | None = None) -> int:
        with self.sessions() as session:
            reminded = notify_overdue(session, self.notices, self.plans, now=now)
            session.commit()
        return reminded

    def run_forever(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self.run_once()
            except Exception:
                log.exception("deadline check failed, retrying")
            stop.wait(self.every_s)
