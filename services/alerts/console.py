"""What the operator console (/alerts) lists: alerts filtered, searched and paged, one row per storm group.

Filters run in SQL and the caller's scope limits the districts, so a district operator never sees, counts or pages
through another district's alerts. A storm group shows as its first alert with the group's count.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from services.access import CITY_WIDE, Scope
from services.alerts.actions import STATUSES
from services.alerts.schema import CATEGORIES
from services.severity import SEVERITIES
from services.store import Alert, AlertGroup

PAGE_SIZE = 50


@dataclass(frozen=True)
class AlertFilter:
    """Every field optional; `text` searches headline, event, description and the producer's id."""

    severity: str | None = None
    status: str | None = None
    district: str | None = None
    category: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    text: str | None = None

    def __post_init__(self) -> None:
        for name, allowed in (("severity", SEVERITIES), ("status", STATUSES), ("category", CATEGORIES)):
            value = getattr(self, name)
            if value is not None and value not in allowed:
                raise ValueError(f"{name}: {value!r} is not one of {', '.join(allowed)}")


@dataclass(frozen=True)
class ConsoleRow:
    id: int
    stream_id: str
    alert_id: str
    source: str  # the sender: the rules' and the simulator's headlines are rebuilt in the page's language
    sent_at: datetime
    severity: str
    category: str
    event: str
    headline: str
    district: str | None
    status: str
    owner: str | None
    event_id: int | None
    count: int
    silenced_until: datetime | None


@dataclass(frozen=True)
class ConsolePage:
    rows: Sequence[ConsoleRow]
    total: int
    page: int
    pages: int


def _conditions(flt: AlertFilter, scope: Scope) -> list[ColumnElement[bool]]:
    where = [scope.district_filter(Alert.district), Alert.msg_type == "alert",
             or_(Alert.group_id.is_(None), AlertGroup.head_alert_id == Alert.id)]
    for column, value in ((Alert.severity, flt.severity), (Alert.status, flt.status),
                          (Alert.district, flt.district), (Alert.category, flt.category)):
        if value:
            where.append(column == value)
    if flt.since:
        where.append(Alert.sent_at >= flt.since)
    if flt.until:
        where.append(Alert.sent_at < flt.until)
    if flt.text and flt.text.strip():
        pattern = f"%{flt.text.strip().lower()}%"
        where.append(or_(*(func.lower(column).like(pattern) for column in
                           (Alert.headline, Alert.event, Alert.description, Alert.alert_id))))
    return where


def list_alerts(session: Session, flt: AlertFilter = AlertFilter(), *, page: int = 1, page_size: int = PAGE_SIZE,
                scope: Scope = CITY_WIDE) -> ConsolePage:
    """Newest first; `page` counts from 1 and is clamped to the pages there are."""
    where = _conditions(flt, scope)
    base = select(Alert).outerjoin(AlertGroup, AlertGroup.id == Alert.group_id).where(*where)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    return ConsolePage(_rows(session, where, (page - 1) * page_size, page_size), total, page, pages)


def newest(session: Session, flt: AlertFilter = AlertFilter(), *, limit: int, scope: Scope = CITY_WIDE
           ) -> list[ConsoleRow]:
    """The list's first `limit` rows without counting the rest: a tile that shows the latest few reads them
    through the sent-time index, while counting every stored alert costs as much as the store is large."""
    return _rows(session, _conditions(flt, scope), 0, limit)


def _rows(session: Session, where: list[ColumnElement[bool]], offset: int, limit: int) -> list[ConsoleRow]:
    rows = session.execute(
        select(Alert, func.coalesce(AlertGroup.count, 1))
        .outerjoin(AlertGroup, AlertGroup.id == Alert.group_id).where(*where)
        .order_by(Alert.sent_at.desc(), Alert.id.desc())
        .offset(offset).limit(limit)
    ).all()
    return [_row(alert, count) for alert, count in rows]


def get_alert(session: Session, alert_pk: int, *, scope: Scope = CITY_WIDE) -> ConsoleRow | None:
    """One alert for the detail panel, or None when it does not exist or lies outside the scope."""
    found = session.execute(
        select(Alert, func.coalesce(AlertGroup.count, 1)).outerjoin(AlertGroup, AlertGroup.id == Alert.group_id)
        .where(Alert.id == alert_pk, scope.district_filter(Alert.district))
    ).first()
    return _row(*found) if found else None


def _row(alert: Alert, count: int) -> ConsoleRow:
    return ConsoleRow(alert.id, alert.stream_id, alert.alert_id, alert.source, alert.sent_at, alert.severity, alert.category,
                      alert.event, alert.headline, alert.district, alert.status, alert.owner, alert.event_id,
                      int(count), alert.silenced_until)


def latest(session: Session, *, status: str | None = None, since: datetime | None = None,
           limit: int = 100) -> Sequence[Alert]:
    """Stored alerts newest first, every message (updates and cancels too) and no storm folding: the API's list
    for integrators, who read back exactly what was persisted."""
    query = select(Alert).order_by(Alert.sent_at.desc(), Alert.id.desc()).limit(limit)
    if status is not None:
        query = query.where(Alert.status == status)
    if since is not None:
        query = query.where(Alert.sent_at >= since)
    return session.scalars(query).all()


def find(session: Session, stream_id: str, *, scope: Scope = CITY_WIDE) -> ConsoleRow | None:
    """The alert a console row (keyed by stream id, as pushed rows are) stands for."""
    alert_pk = session.scalar(select(Alert.id).where(Alert.stream_id == stream_id))
    return None if alert_pk is None else get_alert(session, alert_pk, scope=scope)


def matches(fields: dict[str, str], flt: AlertFilter, scope: Scope = CITY_WIDE) -> bool:
    """Whether a new stream entry belongs in a list filtered by `flt` for `scope` (the live list's push)."""
    district = fields.get("district") or None
    if fields.get("msg_type", "alert") != "alert" or not scope.allows_district(district):
        return False
    if flt.status not in (None, "new"):
        return False
    for name, value in (("severity", flt.severity), ("district", flt.district), ("category", flt.category)):
        if value and fields.get(name) != value:
            return False
    needle = (flt.text or "").strip().lower()
    return not needle or any(needle in (fields.get(name) or "").lower()
                             for name in ("headline", "event", "description", "id"))
