"""The audit log on SQLite and PostgreSQL: entries are appended with who, what, when, and can never be changed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from services import audit
from services.access import Principal, Role
from services.store import AuditEntry


def test_entries_say_who_did_what_when_newest_first(session: Session) -> None:
    operator = Principal("wang", Role.OPERATOR)
    audit.record(session, actor="mallory", action=audit.LOGIN_FAILED, outcome="refused", ip="10.0.0.9")
    audit.record(session, actor=operator, action="alert.acknowledge", target="alert:1710000000000-0",
                 at=datetime(2026, 11, 23, 1, 2, tzinfo=UTC))  # fmt: skip
    session.commit()
    newest, oldest = audit.recent(session)
    assert (newest.actor, newest.role, newest.action, newest.target, newest.outcome) == (
        "wang", "operator", "alert.acknowledge", "alert:1710000000000-0", "ok")
    assert newest.at == datetime(2026, 11, 23, 1, 2, tzinfo=UTC)
    assert (oldest.actor, oldest.role, oldest.outcome, oldest.ip) == ("mallory", None, "refused", "10.0.0.9")
    assert [entry.actor for entry in audit.recent(session, action=audit.LOGIN_FAILED)] == ["mallory"]
    assert [entry.action for entry in audit.recent(session, actor="wang")] == ["alert.acknowledge"]


@pytest.mark.parametrize(
    "change",
    [update(AuditEntry).values(actor="someone-else"), delete(AuditEntry), text("DELETE FROM audit_log")],
    ids=["update", "delete", "raw-delete"],
)
def test_the_log_is_append_only_in_the_database_itself(session: Session, change) -> None:  # type: ignore[no-untyped-def]
    audit.record(session, actor="wang", action="export.events")
    session.commit()
    with pytest.raises(DBAPIError, match="append-only"):
        session.execute(change)
        session.commit()
    session.rollback()
    assert [entry.actor for entry in audit.recent(session)] == ["wang"]
