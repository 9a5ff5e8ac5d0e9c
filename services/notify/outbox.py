"""The outbox: notifications are rows written in the same transaction as the action that causes them, then sent by
a worker that retries with growing backoff. Durable: a restart, or a receiver down for an hour, loses nothing, and
a message is sent once however many workers run (each claims a row by moving its next attempt forward first).

States: `pending` (to send, at `next_attempt_at`), `sent`, `failed` (gave up after `MAX_ATTEMPTS`; the console shows
it with its last error). The error text names no secret (services/notify/channels.py).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.citypack.contacts import Contacts
from services.notify.channels import Channel, DeliveryError, Message
from services.store import BriefingDelivery, Delivery

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
FIRST_BACKOFF_S, MAX_BACKOFF_S = 15.0, 1800.0
CLAIM_S = 120.0  # a claimed row is retried by another worker if its sender died mid-send
REASONS = ("dispatch", "escalation", "deadline")
Row = TypeVar("Row", Delivery, BriefingDelivery)


def backoff(attempts: int) -> timedelta:
    """The wait before attempt `attempts + 1`: 15 s, 30 s, 1 min … at most 30 min."""
    return timedelta(seconds=min(MAX_BACKOFF_S, FIRST_BACKOFF_S * 2 ** max(0, attempts - 1)))


def enqueue(session: Session, contacts: Contacts, *, department: str, reason: str, message: Message,
            response_id: int | None = None, now: datetime | None = None) -> list[Delivery]:
    """One pending delivery per contact of `department`, in the caller's transaction (none without contacts)."""
    now = now or datetime.now(UTC)
    rows = [Delivery(channel=contact.channel, target=contact.target, department=department, reason=reason,
                     response_id=response_id, subject=message.subject[:255], body=message.body, state="pending",
                     attempts=0, next_attempt_at=now, created_at=now)
            for contact in contacts.of(department)]
    session.add_all(rows)
    return rows


def claim_due(session: Session, model: type[Row], now: datetime, limit: int) -> list[Row]:
    """Due rows of an outbox table (`state`, `next_attempt_at`), each moved out of the others' reach (next attempt
    pushed by CLAIM_S) and committed first."""
    due = session.scalars(select(model).where(model.state == "pending", model.next_attempt_at <= now)
                          .order_by(model.next_attempt_at, model.id).limit(limit)).all()
    claimed = []
    for row in due:
        moved = session.execute(update(model).where(model.id == row.id,
                                                    model.next_attempt_at == row.next_attempt_at)
                                .values(next_attempt_at=now + timedelta(seconds=CLAIM_S)))
        if moved.rowcount:  # type: ignore[attr-defined]
            claimed.append(row)
    session.commit()
    return claimed


def deliver_due(session: Session, channels: Mapping[str, Channel], *, now: datetime | None = None,
                limit: int = 50) -> list[Delivery]:
    """Send what is due; each outcome is committed as it happens. Returns the rows attempted."""
    now = now or datetime.now(UTC)
    attempted = claim_due(session, Delivery, now, limit)
    for row in attempted:
        channel = channels.get(row.channel)
        try:
            if channel is None:
                raise DeliveryError(f"no {row.channel} channel is configured")
            channel.send(row.target, Message(row.subject, row.body))
        except DeliveryError as exc:
            row.attempts += 1
            row.last_error = str(exc)
            gave_up = row.attempts >= MAX_ATTEMPTS
            row.state, row.next_attempt_at = ("failed", None) if gave_up else ("pending", now + backoff(row.attempts))
            log.warning("delivery %s (%s %s) failed, attempt %d: %s", row.id, row.channel, row.department,
                        row.attempts, exc)
        else:
            row.attempts += 1
            row.state, row.sent_at, row.next_attempt_at, row.last_error = "sent", now, None, None
        session.commit()
    return list(attempted)


@dataclass(frozen=True)
class DeliveryView:
    """A delivery as the console shows it: the target is the address or the variable's name, never a secret."""

    id: int
    channel: str
    target: str
    department: str | None
    reason: str
    state: str
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


def deliveries(session: Session, response_id: int) -> Sequence[DeliveryView]:
    """A response's notifications, oldest first."""
    rows = session.scalars(select(Delivery).where(Delivery.response_id == response_id).order_by(Delivery.id)).all()
    return [DeliveryView(r.id, r.channel, r.target, r.department, r.reason, r.state, r.attempts, r.last_error,
                         r.created_at, r.sent_at) for r in rows]


class NotifyLoop:
    """Sends due deliveries every `every_s` seconds; run `run_forever` in a thread or a worker process."""

    def __init__(self, sessions: Callable[[], Session], channels: Mapping[str, Channel],
                 every_s: float = 5.0) -> None:
        self.sessions, self.channels, self.every_s = sessions, channels, every_s

    def run_once(self, now: datetime | None = None) -> int:
        with self.sessions() as session:
            return len(deliver_due(session, self.channels, now=now))

    def run_forever(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self.run_once()
            except Exception:
                log.exception("notification pass failed, retrying")
            stop.wait(self.every_s)
