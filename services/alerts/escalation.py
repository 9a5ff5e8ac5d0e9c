"""Escalation timers: a severe or extreme alert nobody acknowledged in N minutes goes up the chain by itself.

The owner follows one rule: an extreme alert goes to its district's duty leader (`leader:duty-<adcode>`), a severe
one (or an extreme one without a district) to the department the city pack routes its CAP category to (`dept:<code>`,
the pack's emergency.csv). The move
is audited as done by "system", and an `update` entry goes onto the stream so every screen shows it at once.
The same loop wakes silenced alerts whose silence has run out. With the pack's contacts the escalated-to department is
notified (services/notify's outbox, in the same transaction), naming who is on duty for it in the alert's district by
the pack's roster, and the audit comment names that person too.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import redis
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from services.alerts.actions import ESCALATE, SYSTEM_USER, unsilence_due
from services.alerts.commands import AlertCommand, act
from services.alerts.status import announce, signal
from services.alerts.stream import publish
from services.citypack import EmergencyRouting
from services.citypack.contacts import Contacts
from services.citypack.oncall import Roster
from services.config import Settings
from services.notify import Message, enqueue
from services.store import Alert, Department, make_sessionmaker

log = logging.getLogger(__name__)


URGENT = ("extreme", "severe")


def escalation_owner(severity: str, district: str | None, category: str, routing: EmergencyRouting) -> str:
    """Extreme with a district → that district's duty leader; otherwise the department `routing` names."""
    if severity == "extreme" and district:
        return f"leader:duty-{district}"
    return f"dept:{routing.department_for(category)}"


def _notify(session: Session, alert: Alert, department: str, minutes: float, contacts: Contacts,
            duty_line: str, now: datetime) -> None:
    template = contacts.messages.get("alert_escalation")
    if template is None or not contacts.of(department):
        return
    name = session.scalar(select(Department.name_zh).where(Department.code == department)) or department
    subject = template.format(headline=alert.headline, minutes=f"{minutes:g}", department=name)
    enqueue(session, contacts, department=department, reason="escalation", now=now,
            message=Message(subject[:255], "\n".join(part for part in (subject, alert.description or "", duty_line)
                                                     if part)))


def escalate_overdue(session: Session, *, minutes: float, routing: EmergencyRouting, now: datetime | None = None,
                     contacts: Contacts | None = None, roster: Roster | None = None,
                     zone: ZoneInfo | None = None) -> list[Alert]:
    """Escalate every urgent alert still `new` `minutes` after it was received, each by itself (a storm's later
    member runs its own timer), through the same command an operator's escalation takes; with `contacts`, notify
    the department, naming who is on duty by `roster`. The caller commits."""
    now = now or datetime.now(UTC)
    overdue = session.scalars(
        select(Alert).where(Alert.status == "new", Alert.severity.in_(URGENT), Alert.msg_type != "cancel",
                            Alert.received_at <= now - timedelta(minutes=minutes))
        .order_by(Alert.received_at)
    ).all()
    for alert in overdue:
        to = escalation_owner(alert.severity, alert.district, alert.category, routing)
        department = routing.department_for(alert.category)
        duty = roster.on_duty(department, alert.district, now.astimezone(zone).replace(tzinfo=None)) if (
            roster and zone) else None
        comment = f"not acknowledged within {minutes:g} min" + (f"; on duty: {duty.title_en} {duty.name}"
                                                                 if duty else "")
        act(session, alert.id, AlertCommand(ESCALATE, to=to, comment=comment, group=False), actor=SYSTEM_USER,
            now=now)
        if contacts is not None:
            line = contacts.messages.get("duty", "").format(title=duty.title_zh, name=duty.name,
                                                            phone=duty.phone) if duty else ""
            _notify(session, alert, department, minutes, contacts, line, now)
    return list(overdue)


def update_entry(alert: Alert, now: datetime) -> dict[str, str]:
    """The stream entry announcing the escalation: the alert's own content, as an update that references it."""
    fields = {
        "id": f"{alert.alert_id}:escalated:{int(now.timestamp())}"[:128], "source": alert.source,
        "sent": alert.sent_at.isoformat(), "severity": alert.severity, "urgency": alert.urgency, "certainty": alert.certainty,
        "category": alert.category, "event": alert.event, "headline": alert.headline, "msg_type": "update",
        "references": alert.alert_id, "description": alert.description or "", "district": alert.district or "",
    }  # fmt: skip
    if alert.lat is not None and alert.lon is not None:
        fields |= {"lat": repr(alert.lat), "lon": repr(alert.lon)}
    return fields


class EscalationLoop:
    """Checks the timers every `every_s` seconds; run `run_forever` in its own thread beside the persist worker."""

    def __init__(self, settings: Settings, engine: Engine, redis_client: redis.Redis, routing: EmergencyRouting,
                 every_s: float = 15.0, *, contacts: Contacts | None = None, roster: Roster | None = None) -> None:
        self.settings, self.redis, self.routing, self.every_s = settings, redis_client, routing, every_s
        self.contacts, self.roster = contacts, roster
        self.sessions = make_sessionmaker(engine)

    def run_once(self, now: datetime | None = None) -> list[int]:
        """One pass: wake ended silences, escalate the overdue, publish their updates. Returns the escalated ids."""
        now = now or datetime.now(UTC)
        with self.sessions() as session:
            unsilence_due(session, user=SYSTEM_USER, now=now)
            escalated = escalate_overdue(session, minutes=self.settings.alert_escalate_minutes,
                                         routing=self.routing, now=now, contacts=self.contacts, roster=self.roster,
                                         zone=self.settings.zone)
            entries = [update_entry(alert, now) for alert in escalated]
            news = [signal(alert) for alert in escalated]
            session.commit()
        for fields in entries:
            publish(self.redis, self.settings.alerts_stream, fields, self.settings.stream_maxlen)
        announce(self.redis, self.settings.alerts_stream, news)
        return [alert.id for alert in escalated]

    def run_forever(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self.run_once()
            except Exception:
                log.exception("escalation check failed, retrying")
            stop.wait(self.every_s)
