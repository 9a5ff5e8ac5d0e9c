"""The 一网共享 exchange monitor's reads: each source's state, the volume exchanged per day and department, and
which wall panels and indicators depend on which source (so a stale panel can name the source that is late)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.sources.registry import Freshness, freshness
from services.store import DataSource, Department, SourceVolume
from services.store.cache import Namespace, cached

# The wall panels each target feeds (their `panel-<name>` ids; readings also feed their indicators' `kpi-<code>`).
PANELS_OF_TARGET: dict[str, tuple[str, ...]] = {"events": ("map", "focus"), "readings": ("kpis", "focus"),
                                                "applications": ("approvals",)}


def _panels(targets: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(panel for target in targets for panel in PANELS_OF_TARGET.get(target, ())))


@dataclass(frozen=True)
class SourceStatus:
    id: str
    name_zh: str
    name_en: str
    department: str | None
    department_zh: str | None
    department_en: str | None
    kind: str
    targets: tuple[str, ...]
    cadence_s: int | None
    last_delivery_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    rows_today: int
    rows_7d: int
    refused_7d: int
    state: Freshness
    indicators: tuple[str, ...]

    @property
    def panels(self) -> tuple[str, ...]:
        return _panels(self.targets)

    @property
    def failing(self) -> bool:
        return self.last_error is not None


def _local_midnight(now: datetime, zone: ZoneInfo) -> datetime:
    return now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)


def source_statuses(session: Session, *, now: datetime, zone: ZoneInfo) -> list[SourceStatus]:
    """Every registered source with its counts and freshness, by department then id."""
    today, week = _local_midnight(now, zone), _local_midnight(now, zone) - timedelta(days=6)
    rows = SourceVolume.accepted + SourceVolume.updated
    volume = (select(SourceVolume.source_id,
                     func.sum(rows).filter(SourceVolume.hour >= today).label("today"),
                     func.sum(rows).label("week"), func.sum(SourceVolume.refused).label("refused"))
              .where(SourceVolume.hour >= week).group_by(SourceVolume.source_id).subquery())
    stmt = (select(DataSource, Department.name_zh, Department.name_en, volume.c.today, volume.c.week,
                   volume.c.refused)
            .outerjoin(Department, Department.code == DataSource.department)
            .outerjoin(volume, volume.c.source_id == DataSource.id)
            .order_by(DataSource.department, DataSource.id))
    return [SourceStatus(id=src.id, name_zh=src.name_zh, name_en=src.name_en, department=src.department,
                         department_zh=dept_zh, department_en=dept_en, kind=src.kind,
                         targets=tuple(src.target.split()), cadence_s=src.cadence_s,
                         last_delivery_at=src.last_delivery_at, last_error=src.last_error,
                         last_error_at=src.last_error_at, rows_today=int(today_rows or 0), rows_7d=int(week_rows or 0),
                         refused_7d=int(refused or 0), state=freshness(src.last_delivery_at, src.cadence_s, now),
                         indicators=tuple(src.indicators.split()))
            for src, dept_zh, dept_en, today_rows, week_rows, refused in session.execute(stmt)]


def daily_volume(session: Session, *, now: datetime, zone: ZoneInfo, days: int = 7) -> pd.DataFrame:
    """Rows exchanged per local day and owner department over `days` days: columns day, department, rows."""
    since = _local_midnight(now, zone) - timedelta(days=days - 1)
    stmt = (select(SourceVolume.hour, DataSource.department,
                   func.sum(SourceVolume.accepted + SourceVolume.updated).label("rows"))
            .join(DataSource, DataSource.id == SourceVolume.source_id)
            .where(SourceVolume.hour >= since).group_by(SourceVolume.hour, DataSource.department))
    frame = pd.DataFrame(session.execute(stmt).all(), columns=["hour", "department", "rows"])
    if frame.empty:
        return pd.DataFrame(columns=["day", "department", "rows"])
    frame["day"] = pd.to_datetime(frame["hour"], utc=True).dt.tz_convert(zone).dt.strftime("%Y-%m-%d")
    frame["department"] = frame["department"].fillna("")
    return frame.groupby(["day", "department"], as_index=False)["rows"].sum().astype({"rows": int})


@dataclass(frozen=True)
class LateSource:
    id: str
    name_zh: str
    name_en: str
    state: Freshness


# The registry's delivery times change only through writes to data_sources (which invalidate this namespace); the
# wall reads them on every KPI refresh of every screen, so they are shared from the cache, freshness computed per call.
REGISTRY = Namespace("sources", tables=("data_sources",), lifetime=60.0)


@dataclass(frozen=True)
class _Delivering:
    id: str
    name_zh: str
    name_en: str
    cadence_s: int | None
    last_delivery_at: datetime
    keys: tuple[str, ...]  # the panels and `kpi-<code>` it feeds


def _delivering(session: Session) -> tuple[_Delivering, ...]:
    """Every source that has delivered at least once (a feed that stopped; one never started is /sources' concern),
    by id."""
    def read() -> tuple[_Delivering, ...]:
        found = []
        for src in session.scalars(select(DataSource).where(DataSource.last_delivery_at.is_not(None))
                                   .order_by(DataSource.id)):
            codes = src.indicators.split() or (["*"] if "readings" in src.target.split() else [])
            keys = (*_panels(src.target.split()), *(f"kpi-{code}" for code in codes))
            assert src.last_delivery_at is not None  # selected so
            found.append(_Delivering(src.id, src.name_zh, src.name_en, src.cadence_s, src.last_delivery_at, keys))
        return tuple(found)

    return cached(session, REGISTRY, "delivering", None, (), read)


def late_sources(session: Session, *, now: datetime) -> dict[str, list[LateSource]]:
    """The late or silent sources each wall panel (its name) and indicator (`kpi-<code>`; `kpi-*` for readings
    sources that declare no indicators, so feed any) depends on: from the cached registry, for the wall's refreshes."""
    late: dict[str, list[LateSource]] = {}
    for src in _delivering(session):
        state = freshness(src.last_delivery_at, src.cadence_s, now)
        if state != "on_time":
            for key in src.keys:
                late.setdefault(key, []).append(LateSource(src.id, src.name_zh, src.name_en, state))
    return late
