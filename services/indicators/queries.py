"""City-operation indicators: the KPI strip, the district choropleth, time series and the district comparison.

Everything is aggregated in SQL on the (indicator_code, district, ts) index (building blocks in
`services.indicators.readings_sql`), so the cost follows the rows asked for, not the size of the history: a latest value is one
index seek per indicator, a series is a GROUP BY over one index range. The KPI strip is cached (`services.store.cache`,
namespace `CACHE`): a commit through the runtime's sessions that writes readings invalidates it; the bulk writer of
readings (`services.indicators.readings`) invalidates it itself.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from services.access import CITY_WIDE, Scope
from services.indicators.readings_sql import (
    BUCKET_SECONDS,
    R,
    area,
    bucket_expr,
    bucket_starts,
    nearest_values,
    newest_id,
    readings_by_id,
)
from services.store import District, Indicator
from services.store.cache import Namespace, cached, moment_key

Bucket = Literal["5min", "hour", "day"]
CACHE = Namespace("indicators", tables=("indicators", "indicator_readings"))  # a commit writing them invalidates
_DELTAS = (("day", timedelta(days=1)), ("week", timedelta(days=7)), ("year", timedelta(days=364)))


@dataclass(frozen=True)
class KpiValue:
    """One KPI card: the latest value with its status, changes and the last day's shape."""

    code: str
    name_zh: str
    name_en: str
    domain: str
    unit: str
    direction: str
    value: float | None
    status: str
    warn: float | None
    alarm: float | None
    as_of: datetime | None
    delta_day: float | None
    delta_week: float | None
    delta_year: float | None
    sparkline: tuple[float, ...]
    stale: bool


def status_of(value: float | None, warn: float | None, alarm: float | None, direction: str) -> str:
    """'normal' | 'warn' | 'alarm' | 'nodata'. direction 'lower' = lower is better (alarm when value ≥ alarm)."""
    if direction not in ("lower", "higher"):
        raise ValueError(f"direction must be 'lower' or 'higher' (which way is better), got {direction!r}")
    if value is None or math.isnan(value):
        return "nodata"
    sign = 1.0 if direction == "lower" else -1.0
    if alarm is not None and sign * value >= sign * alarm:
        return "alarm"
    if warn is not None and sign * value >= sign * warn:
        return "warn"
    return "normal"


def kpi_strip(
    *,
    session: Session,
    codes: Sequence[str] | None = None,
    district: str | None = None,
    now: datetime | None = None,
    scope: Scope = CITY_WIDE,
) -> list[KpiValue]:
    """The KPI cards of the city (district None) or of one district, in `codes` order (all indicators by default).

    A district-bound `scope` sees only its districts' readings (its city cards show no data). Cached per
    (scope, district) and (codes, `now` to the lifetime) until a commit writes readings or the lifetime ends, so a card is never
    served to another scope, to the city view or to another district.
    """
    wanted = None if codes is None else tuple(codes)
    if now is not None:
        _require_aware("now", now)
    cards = cached(
        session,
        CACHE,
        "kpi_strip",
        (scope.key, district),
        (wanted, moment_key(now)),
        lambda: tuple(_compute_kpi_strip(session, wanted, district, scope, now or datetime.now(UTC))),
    )
    return list(cards)


def latest_by_district(
    *, session: Session, code: str, now: datetime | None = None, scope: Scope = CITY_WIDE
) -> pd.DataFrame:
    """The latest value of `code` in every district of `scope` (for the choropleth): district, value, status,
    as_of, stale."""
    moment = _require_aware("now", now) if now is not None else datetime.now(UTC)
    indicator = _indicator(session, code)
    latest = newest_id(R.indicator_code == code, R.district == District.adcode)
    stmt = select(District.adcode, latest).where(scope.district_filter(District.adcode)).order_by(District.adcode)
    picks = session.execute(stmt).all()
    readings = readings_by_id(session, [rid for _d, rid in picks])
    rows = [
        {
            "district": district,
            "value": value,
            "status": status_of(value, indicator.warn, indicator.alarm, indicator.direction),
            "as_of": ts,
            "stale": _is_stale(ts, indicator.cadence_minutes, moment),
        }
        for district, (ts, value) in ((d, readings.get(rid, (None, None))) for d, rid in picks)
    ]
    frame = pd.DataFrame(rows, columns=["district", "value", "status", "as_of", "stale"])
    frame["as_of"] = pd.to_datetime(frame["as_of"], utc=True)
    frame["value"] = frame["value"].astype(float)
    return frame


def series(
    *,
    session: Session,
    code: str,
    district: str | None = None,
    start: datetime,
    end: datetime,
    bucket: Bucket,
    tz: str = "Asia/Shanghai",
    scope: Scope = CITY_WIDE,
) -> pd.DataFrame:
    """Readings of `code` in [start, end) per bucket: bucket_start (UTC), avg, min, max, n; empty buckets omitted.
    A district-bound `scope` gets no rows for areas outside it (the city included).

    '5min' and 'hour' buckets are aligned in UTC; 'day' buckets are calendar days of `tz` (the display zone).
    """
    if bucket not in BUCKET_SECONDS:
        raise ValueError(f"bucket must be one of {sorted(BUCKET_SECONDS)}, got {bucket!r}")
    _check_range(start, end)
    zone = ZoneInfo(tz)
    _indicator(session, code)
    dialect = session.get_bind().dialect.name
    slot = bucket_expr(dialect, bucket, zone, start, end).label("bucket_start")
    stmt = (
        select(slot, func.avg(R.value), func.min(R.value), func.max(R.value), func.count(R.value))
        .where(R.indicator_code == code, _visible(district, scope), R.ts >= start, R.ts < end)
        .group_by(slot)
        .order_by(slot)
    )
    frame = pd.DataFrame(session.execute(stmt).all(), columns=["bucket_start", "avg", "min", "max", "n"])
    frame["bucket_start"] = bucket_starts(frame["bucket_start"], dialect, bucket, zone)
    return frame.astype({"avg": float, "min": float, "max": float, "n": "int64"})


def compare_districts(
    *, session: Session, code: str, start: datetime, end: datetime, scope: Scope = CITY_WIDE
) -> pd.DataFrame:
    """Per district of `scope` with readings of `code` in [start, end): avg, max and the last value."""
    _check_range(start, end)
    _indicator(session, code)
    # One index range per district (district IN the list), not a scan over every district's rows of the code;
    # per-district correlated aggregates would be as fast but PostgreSQL's estimate for them triggers JIT.
    adcodes = session.scalars(select(District.adcode).where(scope.district_filter(District.adcode))).all()
    window = (R.indicator_code == code, R.ts >= start, R.ts < end)
    agg = (
        select(R.district.label("district"), func.avg(R.value).label("avg"), func.max(R.value).label("max"))
        .where(*window, R.district.in_(adcodes))
        .group_by(R.district)
        .subquery()
    )
    last = (
        select(R.value)
        .where(*window, R.district == agg.c.district)
        .order_by(R.ts.desc())
        .limit(1)
        .scalar_subquery()
    )
    stmt = select(agg.c.district, agg.c.avg, agg.c.max, last).order_by(agg.c.district)
    frame = pd.DataFrame(session.execute(stmt).all(), columns=["district", "avg", "max", "last"])
    return frame.astype({"avg": float, "max": float, "last": float})


def _compute_kpi_strip(
    session: Session, codes: tuple[str, ...] | None, district: str | None, scope: Scope, now: datetime
) -> list[KpiValue]:
    stmt = select(Indicator, newest_id(R.indicator_code == Indicator.code, _visible(district, scope)))
    if codes is not None:
        stmt = stmt.where(Indicator.code.in_(codes))
    picks = session.execute(stmt.order_by(Indicator.domain, Indicator.code)).all()
    readings = readings_by_id(session, [rid for _ind, rid in picks])
    found = {ind.code: (ind, *readings.get(rid, (None, None))) for ind, rid in picks}
    if codes is not None:
        missing = [c for c in codes if c not in found]
        if missing:
            raise ValueError(f"unknown indicator code(s): {', '.join(missing)}")
        found = {c: found[c] for c in codes}
    # Deltas compare with the reading nearest to as_of - 1 d / 7 d / 364 d, within one cadence of that time.
    anchored = [(c, ind, ts) for c, (ind, ts, _v) in found.items() if ts is not None]
    keys = [(c, label) for c, _ind, _ts in anchored for label, _ in _DELTAS]
    targets = [
        (c, ts - offset, timedelta(minutes=max(ind.cadence_minutes, 1)), ts)
        for c, ind, ts in anchored
        for _label, offset in _DELTAS
    ]
    past = dict(zip(keys, nearest_values(session, district, targets), strict=True))
    sparks = _sparklines(session, list(found), _visible(district, scope), now)
    cards = []
    for code, (ind, ts, value) in found.items():
        deltas = {
            label: None if value is None or past.get((code, label)) is None else value - past[(code, label)]
            for label, _ in _DELTAS
        }
        cards.append(
            KpiValue(
                code=code,
                name_zh=ind.name_zh,
                name_en=ind.name_en,
                domain=ind.domain,
                unit=ind.unit,
                direction=ind.direction,
                value=value,
                status=status_of(value, ind.warn, ind.alarm, ind.direction),
                warn=ind.warn,
                alarm=ind.alarm,
                as_of=ts,
                delta_day=deltas["day"],
                delta_week=deltas["week"],
                delta_year=deltas["year"],
                sparkline=sparks.get(code, ()),
                stale=_is_stale(ts, ind.cadence_minutes, now),
            )
        )
    return cards


def _sparklines(
    session: Session, codes: list[str], visible: ColumnElement[bool], now: datetime
) -> dict[str, tuple[float, ...]]:
    """Hourly averages over the 24 UTC hours ending with the current one, oldest first (hours without data omitted)."""
    if not codes:
        return {}
    since = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=23)
    dialect = session.get_bind().dialect.name
    slot = bucket_expr(dialect, "hour", ZoneInfo("UTC"), since, now).label("slot")
    stmt = (
        select(R.indicator_code, slot, func.avg(R.value))
        .where(R.indicator_code.in_(codes), visible, R.ts >= since, R.ts <= now)
        .group_by(R.indicator_code, slot)
        .order_by(R.indicator_code, slot)
    )
    lines: dict[str, list[float]] = {}
    for code, _slot, avg in session.execute(stmt):
        lines.setdefault(code, []).append(float(avg))
    return {code: tuple(values) for code, values in lines.items()}


def _visible(district: str | None, scope: Scope) -> ColumnElement[bool]:
    """The area's rows that `scope` may see: none of the city's rows for a district-bound scope."""
    return and_(area(district), scope.district_filter(R.district))


def _indicator(session: Session, code: str) -> Indicator:
    found = session.get(Indicator, code)
    if found is None:
        raise ValueError(f"unknown indicator code {code!r}")
    return found


def _is_stale(as_of: datetime | None, cadence_minutes: int, now: datetime) -> bool:
    return as_of is None or now - as_of > timedelta(minutes=2 * cadence_minutes)


def _require_aware(name: str, value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware (UTC), got the naive {value.isoformat()}")
    return value


def _check_range(start: datetime, end: datetime) -> None:
    _require_aware("start", start)
    _require_aware("end", end)
    if start >= end:
        raise ValueError(f"start ({start.isoformat()}) must be before end ({end.isoformat()})")
