"""The audit log: who did what, when — sign-ins (and failed ones), sign-outs, alert and event actions, exports.

Append-only: this module only inserts and reads, and the migration's triggers refuse UPDATE and DELETE on the
table, so not even a bug elsewhere can rewrite history. `record` joins the caller's transaction, so an action and
its audit row commit (or roll back) together.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.access import Principal
from services.store import AuditEntry

# The actions the app records; pages use these names (`alert.<action>`, `event.<action>`, `export.<what>`).
LOGIN = "login"
LOGIN_FAILED = "login.failed"
LOGOUT = "logout"
WALL_DEVICE = "wall.device"


def record(
    session: Session, *, actor: Principal | str, action: str, target: str | None = None, outcome: str = "ok",
    detail: str | None = None, ip: str | None = None, at: datetime | None = None,
) -> AuditEntry:  # fmt: skip
    """Append one entry to the caller's transaction (the caller commits). `actor` is a Principal or, for a
    failed sign-in, the name that was tried."""
    name, role = (actor.username, actor.role.value) if isinstance(actor, Principal) else (actor, None)
    entry = AuditEntry(at=at or datetime.now(UTC), actor=name[:64], role=role, action=action,
                       target=None if target is None else target[:128], outcome=outcome, detail=detail,
                       ip=ip)  # fmt: skip
    session.add(entry)
    return entry


def recent(
    session: Session, *, actor: str | None = None, action: str | None = None, limit: int = 100
) -> Sequence[AuditEntry]:
    """The newest entries first, optionally for one actor or one action."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if actor is not None:
        query = query.where(AuditEntry.actor == actor)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    return session.scalars(query).all()
