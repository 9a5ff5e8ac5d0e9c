"""督办 (supervision), the reads: the supervisions of some subjects (an order's detail, a list's flags) and the
ones still waiting for an answer (a department's to-do list, a leader's overview), as plain frozen views."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from services.access import CITY_WIDE, Scope
from services.store import Supervision
from services.supervision.commands import OPEN_STATUSES


@dataclass(frozen=True)
class SupervisionView:
    id: int
    subject: str
    subject_id: str
    department: str
    instruction: str
    deadline: datetime
    created_by: str
    created_at: datetime
    status: str  # open | replied | escalated | cleared
    reply: str | None
    replied_at: datetime | None
    replied_by: str | None
    escalated_at: datetime | None

    @property
    def waiting(self) -> bool:
        """Still waiting for the department's reply (open or escalated)."""
        return self.status in OPEN_STATUSES


def _view(row: Supervision) -> SupervisionView:
    return SupervisionView(id=row.id, subject=row.subject, subject_id=row.subject_id, department=row.department,
                           instruction=row.instruction, deadline=row.deadline, created_by=row.created_by,
                           created_at=row.created_at, status=row.status, reply=row.reply, replied_at=row.replied_at,
                           replied_by=row.replied_by, escalated_at=row.escalated_at)


def supervisions_for(session: Session, subject: str, subject_ids: Iterable[str | int]
                     ) -> dict[str, list[SupervisionView]]:
    """Each asked-for subject id (as text) that has supervisions → them, oldest first."""
    ids = sorted({str(subject_id) for subject_id in subject_ids})
    found: dict[str, list[SupervisionView]] = {}
    for start in range(0, len(ids), 1000):
        query = (select(Supervision).where(Supervision.subject == subject,
                                           Supervision.subject_id.in_(ids[start:start + 1000]))
                 .order_by(Supervision.created_at, Supervision.id))
        for row in session.scalars(query):
            found.setdefault(row.subject_id, []).append(_view(row))
    return found


def open_supervisions(session: Session, *, department: str | None = None, subject: str | None = None,
                      created_by: str | None = None, limit: int | None = None, scope: Scope = CITY_WIDE
                      ) -> list[SupervisionView]:
    """The supervisions still waiting for a reply (escalated ones first, then by deadline), at most `limit`, of
    one department, subject kind and leader when given, within the scope's departments. Ordered and cut in SQL: a
    city can hold thousands waiting, and a card shows a dozen."""
    query = select(Supervision).where(*_waiting(scope))
    for column, value in ((Supervision.department, department), (Supervision.subject, subject),
                          (Supervision.created_by, created_by)):
        if value is not None:
            query = query.where(column == value)
    query = query.order_by(case((Supervision.status == "escalated", 0), else_=1), Supervision.deadline,
                           Supervision.id).limit(limit)
    return [_view(row) for row in session.scalars(query)]


@dataclass(frozen=True)
class WaitingCounts:
    """Supervisions waiting for a reply: `open` (not escalated), `escalated`, and `overdue` (either, past its
    deadline)."""

    open: int
    escalated: int
    overdue: int


def waiting_counts(session: Session, *, now: datetime, scope: Scope = CITY_WIDE) -> WaitingCounts:
    """How many supervisions wait for a reply, counted in SQL (a wall's marker and a briefing need no rows)."""
    escalated = Supervision.status == "escalated"
    total, raised, overdue = session.execute(select(
        func.count(), func.sum(case((escalated, 1), else_=0)),
        func.sum(case((Supervision.deadline < now, 1), else_=0))).where(*_waiting(scope))).one()
    return WaitingCounts(open=int(total) - int(raised or 0), escalated=int(raised or 0), overdue=int(overdue or 0))


def _waiting(scope: Scope) -> list[ColumnElement[bool]]:
    return [Supervision.status.in_(OPEN_STATUSES), scope.department_filter(Supervision.department)]
