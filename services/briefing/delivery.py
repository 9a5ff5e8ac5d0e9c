"""Scheduled briefings, made and delivered: `BriefingJob` runs in the workers beside the notification loop.

Each pass, for each of the pack's schedules, the latest fire time of its cron (in the city's zone) names the last
complete period before it (`due_period`); that period's deliveries (one per e-mail address and one for the
folder) are written once, unique by briefing, period, channel and target, so a restart or a second worker finds
them there and sends nothing twice. Due deliveries are claimed like the notification outbox's rows, the briefing
is made (`report`) and rendered (`render`, the PDF, given by the composition root since the domain draws
nothing), and each is sent: by e-mail through services/notify's SMTP channel (the sentences in the body, a PDF
per language attached) or written into the folder (a PDF and a text file per language, each written to a
temporary name and renamed, so a reader never sees half a file). A failure is retried with the outbox's backoff
until `MAX_ATTEMPTS`, then kept as failed with its error; every attempt is audited.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from croniter import croniter
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services import audit
from services.briefing.periods import Period, period_before
from services.briefing.report import PeriodReport, report
from services.citypack.briefings import Briefings, Schedule
from services.notify import MAX_ATTEMPTS, Attachment, Channel, DeliveryError, Message, backoff, claim_due
from services.store import BriefingDelivery

log = logging.getLogger(__name__)

ACTOR = "briefings"  # the audit's actor for what the scheduler does
AUDIT_ACTION = "briefing.delivery"
Render = Callable[[PeriodReport, str], bytes]  # (report, language) -> the PDF


def due_period(schedule: Schedule, now: datetime, zone: ZoneInfo) -> Period:
    """The period of `schedule`'s latest fire at or before `now` (its cron read in `zone`)."""
    fired: datetime = croniter(schedule.cron, now.astimezone(zone)).get_prev(datetime)
    return period_before(schedule.period, fired, zone)


def _targets(schedule: Schedule) -> list[tuple[str, str]]:
    return [*(("email", address) for address in schedule.email), *([("folder", schedule.folder)] if schedule.folder else [])]


def _enqueue(session: Session, schedule: Schedule, period: Period, now: datetime) -> int:
    """The period's deliveries not yet written; a concurrent writer's row wins (the unique index). Returns how
    many this call wrote."""
    written = 0
    for channel, target in _targets(schedule):
        exists = session.scalar(select(BriefingDelivery.id).where(
            BriefingDelivery.briefing == schedule.name, BriefingDelivery.period_first == period.first,
            BriefingDelivery.channel == channel, BriefingDelivery.target == target))
        if exists is not None:
            continue
        session.add(BriefingDelivery(briefing=schedule.name, period=period.kind, period_first=period.first,
                                     channel=channel, target=target, state="pending", attempts=0,
                                     next_attempt_at=now, created_at=now))
        try:
            session.commit()
            written += 1
        except IntegrityError:
            session.rollback()
    return written


def _file_name(schedule: Schedule, period: Period, lang: str, suffix: str) -> str:
    return f"{schedule.name}-{period.label}-{lang}.{suffix}"


def _write_atomically(folder: Path, name: str, content: bytes) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, folder / name)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class Made:
    """A briefing made for one period: its report, PDFs and text per language."""

    report: PeriodReport
    pdfs: Mapping[str, bytes]
    subject: str
    body: str


class BriefingJob:
    """Makes and delivers the pack's scheduled briefings; `run_forever` in a thread or a worker process."""

    def __init__(self, sessions: Callable[[], Session], briefings: Briefings, zone: ZoneInfo,
                 channels: Mapping[str, Channel], render: Render, every_s: float = 60.0) -> None:
        self.sessions, self.briefings, self.zone = sessions, briefings, zone
        self.channels, self.render, self.every_s = channels, render, every_s

    def run_once(self, now: datetime | None = None) -> list[BriefingDelivery]:
        """Write the due periods' deliveries, then attempt the due ones. Returns the rows attempted."""
        now = now or datetime.now(UTC)
        schedules = {schedule.name: schedule for schedule in self.briefings.schedules}
        with self.sessions() as session:
            for schedule in schedules.values():
                _enqueue(session, schedule, due_period(schedule, now, self.zone), now)
            attempted = claim_due(session, BriefingDelivery, now, limit=50)
            made: dict[tuple[str, str], Made] = {}
            for row in attempted:
                try:
                    wanted = schedules.get(row.briefing)
                    if wanted is None:
                        raise DeliveryError(f"briefing {row.briefing!r} is no longer in briefings.toml")
                    period = Period(row.period, row.period_first)
                    if (wanted.name, period.label) not in made:
                        made[wanted.name, period.label] = self._make(session, wanted, period, now)
                    self._send(row, wanted, made[wanted.name, period.label])
                except (DeliveryError, OSError) as exc:
                    self._failed(session, row, str(exc), now)
                else:
                    row.attempts += 1
                    row.state, row.attempted_at, row.delivered_at = "sent", now, now
                    row.next_attempt_at, row.last_error = None, None
                    audit.record(session, actor=ACTOR, action=AUDIT_ACTION, target=f"{row.briefing} {row.period_first}",
                                 detail=f"{row.channel} {row.target}", at=now)
                session.commit()
            return list(attempted)

    def _make(self, session: Session, schedule: Schedule, period: Period, now: datetime) -> Made:
        words = {lang: self.briefings.sentences[lang] for lang in schedule.languages}
        made = report(session=session, period=period, zone=self.zone, sentence_words=words, now=now)
        pdfs = {lang: self.render(made, lang) for lang in schedule.languages}
        subject = " / ".join(f"{words[lang][period.kind]} {period.label}" for lang in schedule.languages)
        body = "\n\n".join("\n".join(made.sentences[lang]) for lang in schedule.languages)
        return Made(made, pdfs, subject, body)

    def _send(self, row: BriefingDelivery, schedule: Schedule, made: Made) -> None:
        period = made.report.period
        if row.channel == "folder":
            for lang, pdf in made.pdfs.items():
                _write_atomically(Path(row.target), _file_name(schedule, period, lang, "pdf"), pdf)
                text = "\n".join(made.report.sentences[lang]) + "\n"
                _write_atomically(Path(row.target), _file_name(schedule, period, lang, "txt"), text.encode())
            return
        channel = self.channels.get(row.channel)
        if channel is None:
            raise DeliveryError(f"no {row.channel} channel is configured (set ONESCREEN_SMTP_HOST)")
        attachments = tuple(Attachment(_file_name(schedule, period, lang, "pdf"), pdf) for lang, pdf in made.pdfs.items())
        channel.send(row.target, Message(made.subject, made.body, attachments))

    def _failed(self, session: Session, row: BriefingDelivery, error: str, now: datetime) -> None:
        row.attempts += 1
        row.attempted_at, row.last_error = now, error[:500]
        gave_up = row.attempts >= MAX_ATTEMPTS
        row.state, row.next_attempt_at = ("failed", None) if gave_up else ("pending", now + backoff(row.attempts))
        audit.record(session, actor=ACTOR, action=AUDIT_ACTION, target=f"{row.briefing} {row.period_first}",
                     outcome="failed", detail=f"{row.channel} {row.target}: {row.last_error}", at=now)
        log.warning("briefing %s %s to %s %s failed, attempt %d: %s", row.briefing, row.period_first, row.channel,
                    row.target, row.attempts, error)

    def run_forever(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self.run_once()
            except Exception:
                log.exception("briefing pass failed, retrying")
            stop.wait(self.every_s)


def briefing_deliveries(session: Session, briefing: str | None = None) -> Sequence[BriefingDelivery]:
    """The deliveries recorded, newest period first (of one briefing when given)."""
    query = select(BriefingDelivery)
    if briefing is not None:
        query = query.where(BriefingDelivery.briefing == briefing)
    return session.scalars(query.order_by(BriefingDelivery.period_first.desc(), BriefingDelivery.id)).all()
