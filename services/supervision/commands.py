"""督办 (supervision), the steps: a leader instructs a department on a case with a deadline (`supervise`), the
department answers (`reply_supervision`), a leader closes it (`clear_supervision`), and what is still unanswered
at its deadline is escalated (`escalate_overdue`, run by the supervision worker).

Generic over what is supervised: `subject` is `event` (a hotline work order is its event), `application` or
`alert`, and `subject_id` the subject's id as text. Every step is audited in the caller's transaction; nothing is
committed here. A refusal (`SupervisionRefused`) is raised before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from services import audit
from services.access import Action, Principal
from services.citypack.contacts import Contacts
from services.notify import Message, enqueue
from services.store import Alert, Application, Department, Event, Supervision
from services.supervision.refusals import SupervisionRefused

WORKER = "supervision-worker"  # the audit's actor for escalations
OPEN_STATUSES = ("open", "escalated")  # still waiting for the department's reply


def _event_district(session: Session, subject_id: str) -> tuple[bool, str | None]:
    event = session.get(Event, int(subject_id)) if subject_id.isdigit() else None
    return event is not None, event.district if event else None


def _application_district(session: Session, subject_id: str) -> tuple[bool, str | None]:
    application = session.get(Application, int(subject_id)) if subject_id.isdigit() else None
    return application is not None, application.district if application else None


def _alert_district(session: Session, subject_id: str) -> tuple[bool, str | None]:
    district = session.execute(select(Alert.district).where(Alert.stream_id == subject_id).limit(1)).first()
    return district is not None, district[0] if district else None


# What may be supervised, and how to find one (whether it exists, and its district for the caller's scope).
SUBJECTS: Mapping[str, Callable[[Session, str], tuple[bool, str | None]]] = {
    "event": _event_district, "application": _application_district, "alert": _alert_district,
}  # fmt: skip


def supervise(session: Session, *, subject: str, subject_id: str | int, department: str, instruction: str,
              deadline: datetime, principal: Principal, now: datetime | None = None) -> int:
    """Open a supervision of `subject` `subject_id` for `department`; its id. Needs Action.SUPERVISE and the
    subject in the caller's scope; the deadline must be in the future."""
    now = now or datetime.now(UTC)
    if not principal.may(Action.SUPERVISE):
        raise SupervisionRefused("role", role=principal.role.value)
    if subject not in SUBJECTS:
        raise SupervisionRefused("unknown_subject", subject=subject, subjects=tuple(SUBJECTS))
    key = str(subject_id).strip()
    found, district = SUBJECTS[subject](session, key)
    if not found or not principal.scope.allows_district(district):
        raise SupervisionRefused("no_subject", subject=subject, subject_id=key)
    if session.get(Department, department) is None:
        raise SupervisionRefused("unknown_department", department=department)
    if not instruction.strip():
        raise SupervisionRefused("empty_instruction")
    if deadline <= now:
        raise SupervisionRefused("deadline_passed", deadline=deadline.isoformat())
    row = Supervision(subject=subject, subject_id=key, department=department, instruction=instruction.strip(),
                      deadline=deadline, created_by=principal.username[:64], created_at=now, status="open")
    session.add(row)
    session.flush()
    audit.record(session, actor=principal, action="supervision.create", target=f"supervision:{row.id}",
                 detail=f"{subject}:{key} → {department}: {row.instruction}", at=now)
    return row.id


def reply_supervision(session: Session, supervision_id: int, text: str, *, principal: Principal,
                      now: datetime | None = None) -> Supervision:
    """The department's answer: an open or escalated supervision becomes `replied`. Only a caller whose scope
    holds the department (or an unrestricted one) who works cases or supervises may answer."""
    now = now or datetime.now(UTC)
    row = _own(session, supervision_id, principal)
    if not (principal.may(Action.EVENT_ACT) or principal.may(Action.SUPERVISE)):
        raise SupervisionRefused("role", role=principal.role.value)
    if not text.strip():
        raise SupervisionRefused("empty_reply")
    if row.status not in OPEN_STATUSES:
        raise SupervisionRefused("not_open", supervision_id=supervision_id, status=row.status)
    row.status, row.reply, row.replied_at, row.replied_by = "replied", text.strip(), now, principal.username[:64]
    session.flush()
    audit.record(session, actor=principal, action="supervision.reply", target=f"supervision:{row.id}",
                 detail=row.reply, at=now)
    return row


def clear_supervision(session: Session, supervision_id: int, *, principal: Principal, comment: str | None = None,
                      now: datetime | None = None) -> Supervision:
    """A leader closes a supervision (answered or not): `cleared`. Needs Action.SUPERVISE, and not the supervised
    department's own (a caller bound to it)."""
    now = now or datetime.now(UTC)
    if not principal.may(Action.SUPERVISE):
        raise SupervisionRefused("role", role=principal.role.value)
    row = _own(session, supervision_id, principal)
    if row.department in principal.scope.departments:
        raise SupervisionRefused("own_supervision", supervision_id=supervision_id)
    if row.status == "cleared":
        raise SupervisionRefused("cleared", supervision_id=supervision_id)
    row.status = "cleared"
    session.flush()
    audit.record(session, actor=principal, action="supervision.clear", target=f"supervision:{row.id}",
                 detail=(comment or "").strip() or None, at=now)
    return row


# The page that opens a supervised item (the deep links of /events, /approvals and /alerts).
LINKS = {"event": "/events?event={id}", "application": "/approvals?application={id}", "alert": "/alerts?alert={id}"}


def escalate_overdue(session: Session, now: datetime, *, contacts: Contacts | None = None,
                     zone: ZoneInfo | None = None) -> list[int]:
    """Escalate every open supervision past its deadline without a reply; their ids (oldest deadline first). With
    the pack's `contacts`, the department is notified through its channels (the outbox delivers it)."""
    rows = list(session.scalars(select(Supervision).where(Supervision.status == "open", Supervision.deadline < now)
                                .order_by(Supervision.deadline, Supervision.id)))
    for row in rows:
        row.status, row.escalated_at = "escalated", now
        audit.record(session, actor=WORKER, action="supervision.escalate", target=f"supervision:{row.id}",
                     detail=f"no reply from {row.department} by {row.deadline.isoformat()}", at=now)
        if contacts is not None:
            _notify(session, row, contacts, zone or ZoneInfo("UTC"), now)
    session.flush()
    return [row.id for row in rows]


def _notify(session: Session, row: Supervision, contacts: Contacts, zone: ZoneInfo, now: datetime) -> None:
    template = contacts.messages.get("supervision_escalation")
    if template is None or not contacts.of(row.department):
        return
    name = session.scalar(select(Department.name_zh).where(Department.code == row.department)) or row.department
    text = template.format(department=name, instruction=row.instruction, link=LINKS[row.subject].format(
        id=row.subject_id), deadline=row.deadline.astimezone(zone).strftime("%Y-%m-%d %H:%M"))
    enqueue(session, contacts, department=row.department, reason="supervision", now=now,
            message=Message(text[:255], text))


def _own(session: Session, supervision_id: int, principal: Principal) -> Supervision:
    row = session.get(Supervision, supervision_id)
    if row is None or not principal.scope.allows_department(row.department):
        raise SupervisionRefused("no_supervision", supervision_id=supervision_id)
    return row
