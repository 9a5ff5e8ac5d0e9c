"""Working an event, as one domain command: the lifecycle move (or a department's stage) and its audit-log entry,
together.

Every entry point (the /events detail panel today; a department system's API or a CLI next) calls `act`, so none
of them assembles the steps itself. `act` works in the caller's transaction and never commits: the caller commits,
so the move and its audit entry land together or not at all; the runtime's sessions forget the cached views of the
tables a commit wrote once it has happened (services/store/invalidation.py), so no command needs to. A refusal (`TransitionRefused`, with its
code and parameters for a page to word) is raised before anything is written; `record_refusal` then audits the
attempt, in a transaction the caller starts afresh.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from services import audit
from services.access import Principal
from services.events.lifecycle import TransitionRefused, advance_dispatch, transition

# Operator actions on an event and the lifecycle status each one asks for (lifecycle.TRANSITIONS).
ACTIONS: Mapping[str, str] = {
    "register": "registered", "dispatch": "dispatched", "start": "in_progress", "feedback": "feedback",
    "check": "checking", "close": "closed", "rework": "rework", "cancel": "cancelled",
}  # fmt: skip


@dataclass(frozen=True)
class EventCommand:
    """One action on event `event_id`: `action` is an `ACTIONS` key (`departments` for dispatch, `comment` where
    the move needs a reason), or, with `dispatch_id`, a stage of that department's part (lifecycle.DISPATCH_STAGES:
    accept, arrive, finish)."""

    event_id: int
    action: str
    comment: str | None = None
    departments: tuple[str, ...] = ()
    dispatch_id: int | None = None

    @property
    def audit_action(self) -> str:
        return f"event.{self.action}" if self.dispatch_id is None else f"event.dispatch.{self.action}"

    @property
    def target(self) -> str:
        return f"event:{self.event_id}" if self.dispatch_id is None else f"dispatch:{self.dispatch_id}"


def act(session: Session, command: EventCommand, *, principal: Principal, now: datetime | None = None) -> None:
    """Carry out `command` as `principal` and audit it; the map's cache is forgotten when the caller commits.
    Raises TransitionRefused, nothing written (an unknown action is refused as an unknown status)."""
    if command.dispatch_id is None:
        transition(session, command.event_id, ACTIONS.get(command.action, command.action), principal=principal,
                   comment=command.comment, departments=command.departments if command.action == "dispatch" else (),
                   now=now)
    else:
        advance_dispatch(session, command.dispatch_id, command.action, principal=principal, now=now)
    audit.record(session, actor=principal, action=command.audit_action, target=command.target,
                 detail=command.comment or None, at=now)


def record_refusal(session: Session, command: EventCommand, refused: TransitionRefused, *,
                   principal: Principal) -> None:
    """The refused attempt in the audit log (outcome "refused", the English reason); the caller commits."""
    audit.record(session, actor=principal, action=command.audit_action, target=command.target, outcome="refused",
                 detail=refused.reason)
