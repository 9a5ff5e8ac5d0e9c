"""The hotline's calls: what the telephone system reports, checked row by row, and the figures a command center
watches, computed from them: answer rate (接通率), the share answered within 15 seconds (15秒接通率, the
service-level figure call centers are held to), mean pick-up time and talk time, by hour.

A row is a call: `call_id`, `started_at` (when it reached the queue; without an offset it is read in the city's
time zone), `wait_s` (seconds in the queue until answered or hung up), `answered` (true/false, 1/0, 是/否,
answered/abandoned), `talk_s` (needed when answered), `agent`, `queue`, `caller` (the number: stored only as a
keyed hash, so a repeat caller is recognised and the number is never kept). Sending a call again updates it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from sqlalchemy import Integer, case, cast, func, select
from sqlalchemy.orm import Session

from services.ingest import applicant_key
from services.ingest.report import BatchReport, RowRefused, keyed_chunks, moment, number, present, text
from services.ingest.tables import MALFORMED
from services.ingest.upsert import upsert
from services.store import HotlineCall

CHUNK = 10_000
SERVICE_LEVEL_S = 15  # "answered within 15 seconds", the hotline's service-level threshold
ANSWERED = {"true": True, "1": True, "yes": True, "是": True, "answered": True, "接通": True, "已接通": True,
            "false": False, "0": False, "no": False, "否": False, "abandoned": False, "放弃": False, "未接通": False}
UPDATED_ON_CONFLICT = ("started_at", "wait_s", "answered", "talk_s", "agent", "queue", "caller_key")


@dataclass(frozen=True)
class CallFigures:
    calls: int
    answered: int
    within_service_level: int  # answered within SERVICE_LEVEL_S
    pickup_mean_s: float | None  # mean wait of the answered calls
    talk_mean_s: float | None

    @property
    def answer_rate(self) -> float | None:
        return self.answered / self.calls if self.calls else None

    @property
    def service_level(self) -> float | None:
        return self.within_service_level / self.calls if self.calls else None


def ingest_calls(session: Session, rows: Iterable[Any], *, source: str, secret_key: str,
                 zone: tzinfo) -> BatchReport:
    """Store the calls of `rows` ((row number, fields) pairs or bare mappings). The caller commits."""
    report = BatchReport()
    def check(fields: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        record = _record(fields, source, secret_key, zone)
        return record["external_id"], record

    for valid in keyed_chunks(rows, check, report, CHUNK):
            new = upsert(session, HotlineCall.__table__, list(valid.values()), key=("source", "external_id"),
                         updated=UPDATED_ON_CONFLICT)
            report.add(BatchReport(accepted=new, updated=len(valid) - new))
    return report


def call_figures(session: Session, start: datetime, end: datetime) -> CallFigures:
    """The figures of the calls that reached the queue in [start, end)."""
    answered = cast(HotlineCall.answered, Integer)
    row = session.execute(
        select(func.count(), func.coalesce(func.sum(answered), 0),
               func.coalesce(func.sum(case((HotlineCall.answered & (HotlineCall.wait_s <= SERVICE_LEVEL_S), 1),
                                           else_=0)), 0),
               func.avg(case((HotlineCall.answered, HotlineCall.wait_s))),
               func.avg(case((HotlineCall.answered, HotlineCall.talk_s))))
        .where(HotlineCall.started_at >= start, HotlineCall.started_at < end)).one()
    return CallFigures(calls=int(row[0]), answered=int(row[1]), within_service_level=int(row[2]),
                       pickup_mean_s=None if row[3] is None else float(row[3]),
                       talk_mean_s=None if row[4] is None else float(row[4]))


def _record(fields: Mapping[str, Any], source: str, secret_key: str, zone: tzinfo) -> dict[str, Any]:
    if MALFORMED in fields:
        raise RowRefused("row", str(fields[MALFORMED]))
    wait = number(fields, "wait_s", required=True)
    assert wait is not None
    if wait < 0:
        raise RowRefused("wait_s", f"must be 0 or more seconds, got {fields['wait_s']!r}")
    answered = _answered(fields)
    talk = number(fields, "talk_s")
    if answered and talk is None:
        raise RowRefused("talk_s", "an answered call needs its talk time in seconds")
    if talk is not None and (talk < 0 or not answered):
        raise RowRefused("talk_s", "must be 0 or more seconds, and only for an answered call")
    caller = text(fields, "caller", max_length=32)
    return {"source": source[:32], "external_id": text(fields, "call_id", max_length=64, required=True),
            "started_at": moment(fields, "started_at", zone=zone, required=True), "wait_s": wait,
            "answered": answered, "talk_s": talk, "agent": text(fields, "agent", max_length=32),
            "queue": text(fields, "queue", max_length=32),
            "caller_key": None if caller is None else applicant_key(caller, secret_key)}


def _answered(fields: Mapping[str, Any]) -> bool:
    if not present(fields, "answered"):
        raise RowRefused("answered", "is required: true (answered) or false (abandoned)")
    value = fields["answered"]
    if isinstance(value, bool):
        return value
    found = ANSWERED.get(str(value).strip().lower())
    if found is None:
        raise RowRefused("answered", f"unknown value {value!r}; use true/false (or 1/0, 是/否, answered/abandoned)")
    return found
