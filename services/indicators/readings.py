"""Storing indicator readings: the one path the simulator and every ingest take.

`record_readings` checks the whole batch first (nothing is written when any reading is bad), stores it in one bulk
transaction, invalidates the cached indicator results (the bulk load bypasses the session hooks, so it does so
itself in the `cache` it is given: the runtime's), and only then runs the threshold rules and publishes their
crossings and recoveries to the alert stream: so a page that reacts to an alert already finds the reading.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
import redis
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from services.config import Settings
from services.indicators.rules import Reading, ThresholdRules, publish_crossings
from services.store import District, Indicator, IndicatorReading, bulkload
from services.store.cache import QueryCache

COLUMNS = ["indicator_code", "district", "ts", "value"]
# The readings index's order: most of PostgreSQL's work in a bulk store is that index, and rows in its order reach
# its pages in turn instead of at random.
INDEX_ORDER = ["indicator_code", "district", "ts"]


@dataclass(frozen=True)
class Recorded:
    """What one batch did: rows stored and the stream ids of the threshold alerts it raised or resolved."""

    stored: int
    alert_ids: tuple[str, ...]


def load_rules(engine: Engine, settings: Settings) -> ThresholdRules:
    """Threshold rules named for the city's districts, with their open alerts rebuilt from the alerts table.

    Hold one per process and pass it to every `record_readings` call, so an indicator and area has one open alert.
    """
    with Session(engine) as session:
        names = {code: name for code, name in session.execute(select(District.adcode, District.name_zh))}
        rules = ThresholdRules(district_names=names, city_name=settings.city_name_zh, zone=settings.timezone)
        rules.load_open(session)
    return rules


def record_readings(
    readings: pd.DataFrame | Iterable[tuple[str, str | None, datetime, float]],
    *,
    engine: Engine,
    redis_client: redis.Redis,
    settings: Settings,
    rules: ThresholdRules,
    newest_only: bool = False,
    cache: QueryCache | None = None,
) -> Recorded:
    """Store `readings` (a frame with indicator_code, district, ts, value, or (code, district, ts, value) tuples),
    then judge them and publish the alerts.

    `newest_only` judges only the newest reading of each indicator and area (a catch-up after downtime must not
    replay a day of crossings onto the wall). Raises ValueError naming the reading when any is invalid.
    """
    frame = _frame(readings)
    if frame.empty:
        return Recorded(0, ())
    with Session(engine) as session:
        indicators = {ind.code: ind for ind in session.scalars(select(Indicator))}
        adcodes = set(session.scalars(select(District.adcode)))
        for ind in indicators.values():
            session.expunge(ind)
    _check(frame, indicators.keys(), adcodes)
    stored = bulkload.bulk_insert(engine, IndicatorReading, COLUMNS, frame.sort_values(INDEX_ORDER, kind="stable"))
    if cache is not None:
        cache.invalidate([IndicatorReading.__tablename__])
    judged = frame
    if newest_only:
        newest = frame.groupby(["indicator_code", frame["district"].fillna("")])["ts"].transform("max")
        judged = frame[frame["ts"] == newest]
    batch = [
        Reading(code, district if isinstance(district, str) else None, ts.to_pydatetime(), float(value))
        for code, district, ts, value in judged[COLUMNS].itertuples(index=False)
    ]
    ids = publish_crossings(rules, batch, indicators, redis_client, settings)
    return Recorded(stored, tuple(ids))


def _frame(readings: pd.DataFrame | Iterable[tuple[str, str | None, datetime, float]]) -> pd.DataFrame:
    if isinstance(readings, pd.DataFrame):
        missing = [c for c in COLUMNS if c not in readings.columns]
        if missing:
            raise ValueError(f"readings lack column(s) {', '.join(missing)}")
        frame = readings[COLUMNS].copy()
    else:
        frame = pd.DataFrame(list(readings), columns=COLUMNS)
    if frame.empty:
        return frame
    if not isinstance(frame["ts"].dtype, pd.DatetimeTZDtype):
        naive = next((ts for ts in frame["ts"] if getattr(ts, "tzinfo", None) is None), None)
        if naive is not None:
            raise ValueError(f"reading ts must be timezone-aware, got {naive!r}")
        frame["ts"] = pd.to_datetime(frame["ts"], utc=True)
    frame["district"] = frame["district"].astype(object).where(frame["district"].notna(), None)
    return frame


def _check(frame: pd.DataFrame, codes: Iterable[str], adcodes: set[str]) -> None:
    """The first bad reading, named with its position, stops the batch before anything is written. A batch of
    plain numbers is screened column-wise; only the rows the screen cannot clear are looked at one by one."""
    known = set(codes)
    suspects: Iterable[int] = range(len(frame))
    value = frame["value"]
    if pd.api.types.is_float_dtype(value) or pd.api.types.is_integer_dtype(value):
        district = frame["district"]
        fine = (frame["indicator_code"].isin(known) & (district.isna() | district.isin(adcodes))
                & np.isfinite(value.to_numpy(float)))
        suspects = np.flatnonzero(~fine.to_numpy()).tolist()
    rows = frame[COLUMNS]
    for position in suspects:
        code, district, ts, value = rows.iloc[position]
        problem = _problem(code, district, value, known, adcodes)
        if problem:
            raise ValueError(f"reading {position} ({code}, {district}, {ts.isoformat()}): {problem}")


def _problem(code: Any, district: Any, value: Any, codes: set[str], adcodes: set[str]) -> str | None:
    if code not in codes:
        return f"unknown indicator code {code!r}"
    if district is not None and district not in adcodes:
        return f"unknown district {district!r}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        return f"value must be a finite number, got {value!r}"
    return None
