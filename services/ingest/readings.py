"""Indicator readings from department systems: checked, then stored the one way every reading is.

Valid rows go through `services.indicators.readings.record_readings` (bulk store, cache invalidation, threshold
rules on the newest reading of each indicator and area), exactly as the simulator's do, so late and out-of-order
readings leave the rollups, the KPI cards and the alerts right: the rules skip a reading older than the last one
they judged. A reading sent again (same indicator, area and time) updates its value instead of adding a twin.

Readings come by the hundred thousand, so a chunk is screened column-wise first (pandas): a row whose four fields
are plainly valid (a known code and area, an ISO 8601 time with its offset, a finite number) is taken as it is;
every other row gets the row-wise check (`_reading`), which alone words the refusals. The screen only ever vouches
for rows the row-wise check accepts the same way (tests/services/ingest/test_readings_screen.py holds them equal).
A chunk is stored on a second thread while the next one is parsed and screened: the store waits on PostgreSQL
(psycopg lets go of the GIL), so both cores work. Chunks are still stored one after the other, in order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
import redis
from sqlalchemy import ColumnElement, Engine, bindparam, select, update
from sqlalchemy.orm import Session

from services.config import Settings
from services.indicators.readings import COLUMNS, load_rules, record_readings
from services.indicators.rules import ThresholdRules
from services.ingest.columns import Chunk, column_chunks, iso_moments, plain_numbers, texts
from services.ingest.report import BatchReport, Refusal, RowRefused, moment, number, text
from services.ingest.tables import MALFORMED
from services.store import District, Indicator, IndicatorReading
from services.store.cache import cache_of

CHUNK = 50_000
CITY = "city"
GRID_CELL = re.compile(r"^\d{6}-r-?\d+c-?\d+$")
FIELDS = ("indicator", "area", "time", "value")
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
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="readings-store") as storer:
        storing: Future[BatchReport] | None = None
        for chunk in column_chunks(rows, FIELDS, CHUNK):
            frame = screened(chunk, codes, adcodes, report)
            if storing is not None:  # chunks are stored in order: a key twice in the batch is found stored
                report.add(storing.result())
            storing = storer.submit(_store, session, frame, sink) if not frame.empty else None
        if storing is not None:
            report.add(storing.result())
    return report


def screened(chunk: Chunk, codes: set[str], adcodes: set[str], report: BatchReport) -> pd.DataFrame:
    """The valid readings of `chunk` as a frame (COLUMNS), one per key, the later row winning (the earlier one
    counts as updated, as in every batch); refused rows are noted in `report` in row order."""
    cells, numbers = chunk.frame, chunk.numbers
    code, area = (texts(cells[name]) for name in FIELDS[:2])
    stamps, values = iso_moments(cells["time"]), plain_numbers(cells["value"])
    clean = (code.isin(codes) & (area.eq(CITY) | area.isin(adcodes)) & stamps.notna()).to_numpy() & ~np.isnan(values)
    parts = [pd.DataFrame({"indicator_code": code[clean], "district": area[clean].where(area[clean] != CITY, None),
                           "ts": stamps[clean], "value": values[clean], "row": numbers[clean]})]
    checked = []
    for position in np.flatnonzero(~clean):
        try:
            (indicator, district, ts), reading = _reading(chunk.fields(int(position)), codes, adcodes)
        except RowRefused as refused:
            report.refused.append(Refusal(int(numbers[position]), refused.field, refused.reason))
            continue
        checked.append((indicator, district, ts, reading, int(numbers[position])))
    if checked:
        late = pd.DataFrame(checked, columns=[*COLUMNS, "row"])
        late["ts"] = pd.to_datetime(late["ts"], utc=True)
        parts.append(late)
    frame = pd.concat(parts, ignore_index=True).sort_values("row", kind="stable") if checked else parts[0]
    twice = frame.assign(area=frame["district"].fillna("")).duplicated(["indicator_code", "area", "ts"], keep="last")
    report.updated += int(twice.sum())
    frame = frame.loc[~twice, COLUMNS].reset_index(drop=True)
    frame["district"] = frame["district"].astype(object).where(frame["district"].notna(), None)
    return frame


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


def _store(session: Session, frame: pd.DataFrame, sink: ReadingSink) -> BatchReport:
    """Correct the readings already stored (one statement for all of them), hand the new ones to
    `record_readings`."""
    stored = _stored_keys(session, frame)
    keyed = frame.assign(area=frame["district"].fillna(""))
    again = keyed.merge(stored, on=["indicator_code", "area", "ts"], how="left", indicator=True)["_merge"].eq("both")
    again = again.to_numpy()
    if again.any():
        _correct(sink.engine, frame[again])
        if (cache := cache_of(session)) is not None:
            cache.invalidate([IndicatorReading.__tablename__])
    fresh = frame[~again]
    if not fresh.empty:
        record_readings(fresh, engine=sink.engine, redis_client=sink.redis_client, settings=sink.settings,
                        rules=sink.rules, newest_only=True, cache=cache_of(session))
    return BatchReport(accepted=len(fresh), updated=int(again.sum()))


def _stored_keys(session: Session, frame: pd.DataFrame) -> pd.DataFrame:
    """The keys of `frame` already in the store (indicator_code, area '' for the city, ts), read by the readings
    index: the frame's indicators and areas over its time span."""
    districts = frame["district"].dropna().unique().tolist()
    area: ColumnElement[bool] = (IndicatorReading.district.in_(districts) if districts
                                 else IndicatorReading.district.is_(None))
    if districts and frame["district"].isna().any():
        area = area | IndicatorReading.district.is_(None)
    query = select(IndicatorReading.indicator_code, IndicatorReading.district, IndicatorReading.ts).where(
        IndicatorReading.indicator_code.in_(frame["indicator_code"].unique().tolist()), area,
        IndicatorReading.ts.between(frame["ts"].min().to_pydatetime(), frame["ts"].max().to_pydatetime()))
    stored = pd.DataFrame(session.execute(query).all(), columns=["indicator_code", "area", "ts"])
    stored["area"] = stored["area"].fillna("")
    stored["ts"] = pd.to_datetime(stored["ts"], utc=True)
    return stored.drop_duplicates()


def _correct(engine: Engine, corrections: pd.DataFrame) -> None:
    """New values for stored readings: one executemany per kind of area (the city's readings have no district),
    so each row is found through the readings index."""
    code, ts = IndicatorReading.indicator_code == bindparam("c"), IndicatorReading.ts == bindparam("t")
    city = corrections["district"].isna()
    with engine.begin() as conn:
        for part, where in ((corrections[city], IndicatorReading.district.is_(None)),
                            (corrections[~city], IndicatorReading.district == bindparam("d"))):
            if not part.empty:
                conn.execute(update(IndicatorReading).where(code, where, ts).values(value=bindparam("v")),
                             [{"c": c, "d": d, "t": t.to_pydatetime(), "v": float(v)}
                              for c, d, t, v in part[COLUMNS].itertuples(index=False)])
