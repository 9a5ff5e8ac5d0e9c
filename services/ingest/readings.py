"""Indicator readings from department systems: checked row by row, then stored the one way every reading is.

Valid rows go through `services.indicators.readings.record_readings` (bulk store, cache invalidation, threshold
rules on the newest reading of each indicator and area), exactly as the simulator's do, so late and out-of-order
readings leave the rollups, the KPI cards and the alerts right: the rules skip a reading older than the last one
they judged. A reading sent again (same indicator, area and time) updates its value instead of adding a twin.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
import redis
from sqlalchemy import Engine, select, tuple_, update
from sqlalchemy.orm import Session

from services.config import Settings
from services.indicators.readings import load_rules, record_readings
from services.indicators.rules import ThresholdRules
from services.ingest.report import BatchReport, RowRefused, keyed_chunks, moment, number, text
from services.ingest.tables import MALFORMED
from services.store import District, Indicator, IndicatorReading
from services.store.cache import cache_of

CHUNK = 50_000
CITY = "city"
GRID_CELL = re.compile(r"^\d{6}-r-?\d+c-?\d+$")
Key = tuple[str, str | None, datetime]


@dataclass(frozen=True)
class ReadingSink:
    """What storing readings needs besides the session: the rules are one per process (they hold the open
    threshold alerts), the engine and Redis are the runtime's."""

    engine: Engine
    redis_client: redis.Redis
    settings: Settings
    rules: ThresholdRules


def open_sink(engine: Engine, redis_client: redis.Redis, settings: Settings) -> ReadingSink:
    """A sink with the threshold rules rebuilt from the alerts table: build one per process and keep it."""
    return ReadingSink(engine, redis_client, settings, load_rules(engine, settings))


def ingest_readings(session: Session, rows: Iterable[Any], *, source: str, sink: ReadingSink) -> BatchReport:
    """Store the readings of `rows` ((row number, fields) pairs or bare mappings with indicator, area, time,
    value). `session` only reads the catalog: readings are committed as they are stored, chunk by chunk, by
    `record_readings` (the rules must see them stored before they alert) and corrections in a transaction of
    their own, so a caller's open transaction never holds a lock they wait for. `source` is the delivering
    system (for the registry)."""
    codes = set(session.scalars(select(Indicator.code)))
    adcodes = set(session.scalars(select(District.adcode)))
    report = BatchReport()
    for valid in keyed_chunks(rows, lambda fields: _reading(fields, codes, adcodes), report, CHUNK):
        report.add(_store(session, valid, sink))
    return report


def _reading(fields: Mapping[str, Any], codes: set[str], adcodes: set[str]) -> tuple[Key, float]:
    if MALFORMED in fields:
        raise RowRefused("row", str(fields[MALFORMED]))
    code = text(fields, "indicator", max_length=48, required=True)
    if code not in codes:
        raise RowRefused("indicator", f"unknown indicator code {code!r}")
    area = text(fields, "area", max_length=32, required=True)
    if area is not None and GRID_CELL.match(area):
        raise RowRefused("area", f"grid cell {area!r}: readings are kept per district and city; send the "
                         "district adcode (the part before '-')")
    if area != CITY and area not in adcodes:
        raise RowRefused("area", f"unknown area {area!r}: use 'city' or a district adcode")
    ts = moment(fields, "time", required=True)
    value = number(fields, "value", required=True)
    assert code is not None and ts is not None and value is not None
    return (code, None if area == CITY else area, ts), value


def _store(session: Session, readings: dict[Key, float], sink: ReadingSink) -> BatchReport:
    """Correct the readings already stored, hand the new ones to `record_readings`."""
    stamps = [ts for _code, _area, ts in readings]
    query = select(IndicatorReading.indicator_code, IndicatorReading.district, IndicatorReading.ts).where(
        IndicatorReading.indicator_code.in_({code for code, _area, _ts in readings}),
        IndicatorReading.ts.between(min(stamps), max(stamps)))
    stored = {(code, area, ts) for code, area, ts in session.execute(query)} & readings.keys()
    if stored:
        with sink.engine.begin() as conn:
            for code, area, ts in stored:
                conn.execute(update(IndicatorReading).where(
                    tuple_(IndicatorReading.indicator_code, IndicatorReading.ts) == (code, ts),
                    IndicatorReading.district.is_(None) if area is None else IndicatorReading.district == area,
                ).values(value=readings[(code, area, ts)]))
        if (cache := cache_of(session)) is not None:
            cache.invalidate([IndicatorReading.__tablename__])
    fresh = [(code, area, ts, value) for (code, area, ts), value in readings.items() if (code, area, ts) not in stored]
    if fresh:
        frame = pd.DataFrame(fresh, columns=["indicator_code", "district", "ts", "value"])
        frame["ts"] = pd.to_datetime(frame["ts"], utc=True)
        record_readings(frame, engine=sink.engine, redis_client=sink.redis_client, settings=sink.settings,
                        rules=sink.rules, newest_only=True, cache=cache_of(session))
    return BatchReport(accepted=len(fresh), updated=len(stored))
