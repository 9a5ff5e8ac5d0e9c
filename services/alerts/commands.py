"""Acting on an alert, as one domain command: the action, its `alert_actions` row and its audit-log entry together.

Every entry point (the console's buttons, the escalation worker, an API to come) calls `act`, so none of them
assembles the steps itself and none can forget one. `act` works in the caller's transaction and never commits:
the caller commits, so the change, the alert's own trail and the audit log land together or not at all. A refusal
(`ActionRefused`, a reason code with its parameters) is raised before anything is written.

Alerts have no cached views (screens hear of changes from the stream and read the store afresh), so an alert
command has nothing to invalidate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from services import audit
from services.access import CITY_WIDE, Principal
from services.alerts.actions import (
    ACKNOWLEDGE,
    ESCALATE,
    LINK,
    RESOLVE,
    SILENCE,
    ActionRefused,
    acknowledge,
    escalate,
    link_event,
    resolve,
    silence,
)
from services.store import Alert

ACTIONS = (ACKNOWLEDGE, ESCALATE, RESOLVE, SILENCE, LINK)


@dataclass(frozen=True)
class AlertCommand:
    """What to do to an alert: `action` is one of `ACTIONS`; `to` is whom an escalation goes to, `until` when a
    silence ends, `event_id` the event to link. `group=False` acts on the alert alone, not on the storm group it
    heads (the escalation timer runs per alert; an operator acts on the row the console shows)."""

    action: str
    comment: str = ""
    to: str = ""
    until: datetime | None = None
    event_id: int | None = None
    group: bool = True


def act(session: Session, alert_pk: int, command: AlertCommand, *, actor: Principal | str,
        now: datetime | None = None) -> Alert:
    """Carry out `command` on alert `alert_pk` as `actor` (a signed-in Principal, limited to its scope, or a system
    name such as "system", city-wide) and audit it as `alert.<action>`. Raises ActionRefused, nothing written."""
    user, scope = (actor.username, actor.scope) if isinstance(actor, Principal) else (actor, CITY_WIDE)
    comment = command.comment.strip()
    if command.action == ACKNOWLEDGE:
        alert = acknowledge(session, alert_pk, user=user, comment=comment, scope=scope, now=now)
    elif command.action == ESCALATE:
        alert = escalate(session, alert_pk, user=user, to=command.to, comment=comment, scope=scope, now=now,
                         group=command.group)
    elif command.action == RESOLVE:
        alert = resolve(session, alert_pk, user=user, comment=comment, scope=scope, now=now)
    elif command.action == SILENCE:
        if command.until is None:
            raise ActionRefused("silence_until")
        alert = silence(session, alert_pk, user=user, until=command.until, comment=comment, scope=scope, now=now)
    elif command.action == LINK:
        if command.event_id is None:
            raise ActionRefused("link_event")
        alert = link_event(session, alert_pk, user=user, event_id=command.event_id, scope=scope, now=now)
    else:
        raise ActionRefused("unknown_action", action=command.action, actions=", ".join(ACTIONS))
    audit.record(session, actor=actor, action=f"alert.{command.action}", target=alert.alert_id,
                 detail=comment or None, at=now)
    return alert
