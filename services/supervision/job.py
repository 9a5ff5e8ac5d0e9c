"""The supervision worker: escalates what is unanswered at its deadline (notifying the department with the pack's
contacts), every minute
(`python -m services.workers supervise`; in-process in the demo)."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from services.citypack.contacts import Contacts
from services.supervision.commands import escalate_overdue

log = logging.getLogger("onescreen.supervision")


class EscalationJob:
    """Escalates overdue supervisions every `every_seconds` until `stop` is set; a failed run is retried."""

    def __init__(self, sessions: sessionmaker[Session], every_seconds: float = 60.0, *,
                 contacts: Contacts | None = None, zone: ZoneInfo | None = None) -> None:
        self.sessions, self.every_seconds, self.contacts, self.zone = sessions, every_seconds, contacts, zone

    def run_once(self, now: datetime | None = None) -> list[int]:
        with self.sessions() as session:
            escalated = escalate_overdue(session, now or datetime.now(UTC), contacts=self.contacts, zone=self.zone)
            session.commit()
        if escalated:
            log.info("escalated %d overdue supervision(s): %s", len(escalated), escalated)
        return escalated

    def run_forever(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self.run_once()
            except Exception:  # the job must outlive a bad run (a locked store, a dropped connection)
                log.exception("supervision escalation failed; retrying in %.0f s", self.every_seconds)
            stop.wait(self.every_seconds)
