"""The data-source registry: every source is a record, and every delivery is counted against it.

`record_delivery` is the one call every ingest path makes (the push API's handlers, the connectors, the simulator),
in the caller's transaction, so a delivery is counted exactly when its rows are committed. A source nobody declared
(a push token sending for the first time) is registered on its first delivery, owner unknown until declared.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from sqlalchemy import case, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from services.store import DataSource, SourceVolume

Freshness = Literal["on_time", "late", "silent"]
LATE_AFTER = 1.5  # cadences without a delivery before a source is late: half a cadence of grace
SILENT_AFTER = 4.0  # … and before it is silent
UNDECLARED_CADENCE_S = 86_400  # a push source nobody declared is expected at least daily


class Delivered(Protocol):
    """What an ingest service answers for a batch (services.ingest.BatchReport)."""

    @property
    def accepted(self) -> int: ...

    @property
    def updated(self) -> int: ...

    @property
    def refused(self) -> Sequence[Any]: ...


@dataclass(frozen=True)
class Counted:
    """A delivery known by its row counts alone (the simulator's bulk writes, which bypass the ingest services)."""

    accepted: int
    updated: int = 0
    refused: tuple[Any, ...] = ()


@dataclass(frozen=True)
class SourceInfo:
    """How a source describes itself to the registry."""

    id: str
    name_zh: str
    name_en: str
    department: str | None
    kind: str
    target: str
    cadence_s: int | None
    indicators: tuple[str, ...] = ()


def _upsert(session: Session, table: type, values: dict[str, Any], keys: Sequence[str],
            update_columns: Iterable[str], increments: Iterable[str] = ()) -> None:
    """INSERT … ON CONFLICT DO UPDATE on SQLite and PostgreSQL alike, so concurrent writers never race."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table).values(**values)
    changes: dict[str, Any] = {name: getattr(stmt.excluded, name) for name in update_columns}
    changes |= {name: getattr(table, name) + getattr(stmt.excluded, name) for name in increments}
    session.execute(stmt.on_conflict_do_update(index_elements=list(keys), set_=changes) if changes
                    else stmt.on_conflict_do_nothing(index_elements=list(keys)))


def register_sources(session: Session, sources: Iterable[SourceInfo]) -> None:
    """Declare `sources` (the sources file's, the simulator): their description is updated, their history kept."""
    for info in sources:
        values = {"id": info.id, "name_zh": info.name_zh, "name_en": info.name_en, "department": info.department,
                  "kind": info.kind, "target": info.target, "cadence_s": info.cadence_s,
                  "indicators": " ".join(info.indicators)}
        _upsert(session, DataSource, values, ["id"], [name for name in values if name != "id"])


def _hour(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def record_delivery(session: Session, source: str, target: str, report: Delivered, *,
                    at: datetime | None = None) -> None:
    """Count one delivered batch of `source` for `target` (events, readings, applications), in the caller's
    transaction. A batch whose rows were all refused is a delivery that failed: its first reason becomes the
    source's last error."""
    at = at or datetime.now(UTC)
    refused = len(report.refused)
    _upsert(session, DataSource, {"id": source, "name_zh": source, "name_en": source, "department": None,
                                  "kind": "push", "target": target, "cadence_s": None, "indicators": ""},
            ["id"], [])
    latest = DataSource.last_delivery_at
    changes: dict[str, Any] = {"last_delivery_at": case((latest.is_(None) | (latest < at), at), else_=latest)}
    if refused and not (report.accepted or report.updated):
        first = report.refused[0]
        changes |= {"last_error": f"{refused} rows refused; row {getattr(first, 'row', '?')} "
                                  f"{getattr(first, 'field', '')}: {getattr(first, 'reason', first)}",
                    "last_error_at": at}
    session.execute(update(DataSource).where(DataSource.id == source).values(**changes))
    _upsert(session, SourceVolume, {"source_id": source, "target": target, "hour": _hour(at), "deliveries": 1,
                                    "accepted": report.accepted, "updated": report.updated, "refused": refused},
            ["source_id", "target", "hour"], [], increments=["deliveries", "accepted", "updated", "refused"])


def record_run(session: Session, source: str, *, at: datetime, error: str | None = None) -> None:
    """A connector's run ended (with `error`, or cleanly, which clears the last error)."""
    values: dict[str, Any] = {"last_run_at": at}
    values |= {"last_error": error[:2000], "last_error_at": at} if error else {"last_error": None}
    session.execute(update(DataSource).where(DataSource.id == source).values(**values))


def freshness(last_delivery_at: datetime | None, cadence_s: int | None, now: datetime) -> Freshness:
    """On time while deliveries keep their cadence; late after 1.5 cadences without one; silent after 4 (or never)."""
    if last_delivery_at is None:
        return "silent"
    cadences = (now - last_delivery_at).total_seconds() / (cadence_s or UNDECLARED_CADENCE_S)
    return "on_time" if cadences <= LATE_AFTER else "late" if cadences <= SILENT_AFTER else "silent"


def info_of(spec: Any) -> SourceInfo:
    """The registry's description of a sources-file entry (services.sources.spec)."""
    return SourceInfo(id=spec.id, name_zh=spec.name_zh, name_en=spec.name_en, department=spec.department,
                      kind=spec.kind, target=spec.target, cadence_s=spec.cadence, indicators=tuple(spec.indicators))
