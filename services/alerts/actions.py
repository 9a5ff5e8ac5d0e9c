"""What an operator does to an alert: acknowledge, escalate, resolve, silence, link to an event.

Every action is checked against the alert's status first (an illegal move raises `ActionRefused` with a reason
code and its parameters, which the console words in the operator's language), applies to the whole storm group the
alert heads, and writes one `alert_actions` row — who, what, comment, when — in the caller's transaction, so the
change and its audit commit together. A row is language-neutral: the action is a code, and the comment is the
operator's own text after the action's target, if it has one (`→ <whom>`, `→ <ISO time>`, `→ #<event id>`).
A silenced alert still reports its resolve: resolving (by an operator or a CAP Cancel) is allowed while silenced.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, literal, or_, select, update
from sqlalchemy.orm import Session

from services.access import CITY_WIDE, Scope
from services.store import Alert, AlertAction, Event

STATUSES = ("new", "acknowledged", "escalated", "silenced", "resolved")  # an alert's life, in the order it runs
SYSTEM_USER = "system"  # who the workers act as in the audit trail (persist, escalation timers)
ACKNOWLEDGE, ESCALATE, RESOLVE, SILENCE, LINK, UNSILENCE = (
    "acknowledge", "escalate", "resolve", "silence", "link", "unsilence")  # fmt: skip
# The statuses each action may start from.
_ALLOWED = {
    ACKNOWLEDGE: ("new", "escalated", "silenced"),
    ESCALATE: ("new", "acknowledged", "escalated", "silenced"),
    RESOLVE: ("new", "acknowledged", "escalated", "silenced"),
    SILENCE: ("new", "acknowledged", "escalated"),
}


# Why an action is refused: a code (worded for the interface by the catalog's `alerts.refused.<code>`) and its
# English sentence, for logs and the API.
REFUSALS = {
    "not_found": "alert {alert} does not exist or is outside your area",
    "status": "cannot {action} an alert that is {status}",
    "escalate_to": "say whom to escalate to: a department or a leader",
    "silence_past": "a silence must end in the future",
    "silence_until": "say until when to silence the alert",
    "link_event": "say which event to link the alert to",
    "no_event": "event {event} does not exist",
    "unknown_action": "unknown action {action!r}: use one of {actions}",
}


class ActionRefused(ValueError):
    """The action is not allowed now: `code` (a key of REFUSALS) and `params` say why, so each language can word
    it; str() is the English sentence."""

    def __init__(self, code: str, **params: str | int) -> None:
        self.code, self.params = code, params
        super().__init__(REFUSALS[code].format(**params))


@dataclass(frozen=True)
class AuditRow:
    action: str
    user: str
    comment: str | None
    at: datetime


def _alert(session: Session, alert_pk: int, scope: Scope) -> Alert:
    alert = session.scalar(select(Alert).where(Alert.id == alert_pk, scope.district_filter(Alert.district)))
    if alert is None:
        raise ActionRefused("not_found", alert=alert_pk)
    return alert


def _check(alert: Alert, action: str) -> None:
    if alert.status not in _ALLOWED[action]:
        raise ActionRefused("status", action=action, status=alert.status)


def _apply(session: Session, alert: Alert, values: dict[str, Any], *, group: bool = True) -> None:
    """The alert and, when it heads a storm group (and `group`), the group's other open members."""
    members = Alert.id == alert.id
    if group and alert.group_id is not None:
        members = or_(members, (Alert.group_id == alert.group_id) & (Alert.status != "resolved"))
    session.execute(update(Alert).where(members).values(**values).execution_options(synchronize_session=False))
    session.refresh(alert)


def record(session: Session, alert_pk: int, action: str, user: str, comment: str | None = None,
           at: datetime | None = None) -> None:
    """One audit row in the caller's transaction."""
    session.add(AlertAction(alert_id=alert_pk, action=action, user=user, comment=comment or None,
                            at=at or datetime.now(UTC)))


def _after(target: str, comment: str) -> str:
    """An audit comment naming the action's target in no language: `→ leader:wang: 需协调`."""
    return f"→ {target}" + (f": {comment}" if comment else "")


def acknowledge(session: Session, alert_pk: int, *, user: str, comment: str = "", scope: Scope = CITY_WIDE,
                now: datetime | None = None) -> Alert:
    """Someone has seen it and is on it: stops the escalation timer. `acknowledged_at` keeps the first
    acknowledgement (MTTA's), when an escalated alert is acknowledged again or its storm head later is."""
    now = now or datetime.now(UTC)
    alert = _alert(session, alert_pk, scope)
    _check(alert, ACKNOWLEDGE)
    _apply(session, alert, {"status": "acknowledged", "acknowledged_at": func.coalesce(
                            Alert.acknowledged_at, literal(now, Alert.acknowledged_at.type)),
                            "silenced_until": None, "owner": alert.owner or user})
    record(session, alert.id, ACKNOWLEDGE, user, comment, now)
    return alert


def escalate(session: Session, alert_pk: int, *, user: str, to: str, comment: str = "", scope: Scope = CITY_WIDE,
             now: datetime | None = None, group: bool = True) -> Alert:
    """Hand it up to a department (`dept:<code>`) or a leader (`leader:<name>`), who becomes its owner; with
    `group=False` the alert alone, not its storm group (the escalation timer runs per alert)."""
    if not to.strip():
        raise ActionRefused("escalate_to")
    now = now or datetime.now(UTC)
    alert = _alert(session, alert_pk, scope)
    _check(alert, ESCALATE)
    _apply(session, alert, {"status": "escalated", "escalated_at": now, "owner": to.strip()[:64],
                            "silenced_until": None}, group=group)
    record(session, alert.id, ESCALATE, user, _after(to.strip(), comment), now)
    return alert


def resolve(session: Session, alert_pk: int, *, user: str, comment: str = "", scope: Scope = CITY_WIDE,
            now: datetime | None = None) -> Alert:
    """Done. Allowed while silenced: a silence hides the noise, never the outcome."""
    now = now or datetime.now(UTC)
    alert = _alert(session, alert_pk, scope)
    _check(alert, RESOLVE)
    _apply(session, alert, {"status": "resolved", "resolved_at": now, "silenced_until": None})
    record(session, alert.id, RESOLVE, user, comment, now)
    return alert


def silence(session: Session, alert_pk: int, *, user: str, until: datetime, comment: str = "",
            scope: Scope = CITY_WIDE, now: datetime | None = None) -> Alert:
    """No pop-ups and no escalation until `until`; then it comes back in the status it had."""
    now = now or datetime.now(UTC)
    if until <= now:
        raise ActionRefused("silence_past")
    alert = _alert(session, alert_pk, scope)
    _check(alert, SILENCE)
    _apply(session, alert, {"status": "silenced", "silenced_until": until, "resume_status": alert.status})
    record(session, alert.id, SILENCE, user, _after(until.isoformat(timespec="minutes"), comment), now)
    return alert


def link_event(session: Session, alert_pk: int, *, user: str, event_id: int, scope: Scope = CITY_WIDE,
               now: datetime | None = None) -> Alert:
    """Tie the alert to the incident (事件) that handles it."""
    alert = _alert(session, alert_pk, scope)
    if session.get(Event, event_id) is None:
        raise ActionRefused("no_event", event=event_id)
    alert.event_id = event_id
    record(session, alert.id, LINK, user, _after(f"#{event_id}", ""), now)
    return alert


def unsilence_due(session: Session, *, user: str, now: datetime | None = None) -> list[int]:
    """Silences that have run out: back to the status they interrupted. Returns the alerts woken."""
    now = now or datetime.now(UTC)
    due = session.scalars(select(Alert).where(Alert.status == "silenced", Alert.silenced_until <= now)).all()
    for alert in due:
        alert.status, alert.silenced_until = alert.resume_status or "new", None
        record(session, alert.id, UNSILENCE, user, None, now)
    return [alert.id for alert in due]


def audit_trail(session: Session, alert_pk: int, *, scope: Scope = CITY_WIDE) -> Sequence[AuditRow]:
    """Everything done to the alert, oldest first."""
    rows = session.execute(
        select(AlertAction.action, AlertAction.user, AlertAction.comment, AlertAction.at)
        .join(Alert, Alert.id == AlertAction.alert_id)
        .where(AlertAction.alert_id == alert_pk, scope.district_filter(Alert.district))
        .order_by(AlertAction.at, AlertAction.id)
    ).all()
    return [AuditRow(*row) for row in rows]
