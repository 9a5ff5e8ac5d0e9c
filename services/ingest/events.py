"""Events from department systems: validated row by row, placed on the city's map, upserted in chunks.

Idempotent on (source system, external id): sending an event again updates it in place (its details, place and
SLA due time; never its lifecycle status, which only `progress` moves). A point is given its district by the
spatial join when the row names none, and its grid cell; a point outside every district is stored and flagged
`out_of_city`, as the simulator's are. Rows are written with one multi-row upsert per chunk, so a bulk load runs
at database speed; the caller commits, and the events caches are dropped once it has.

A chunk is merged while the next one is screened: on PostgreSQL the merge runs in the server's process and psycopg
lets go of the GIL while it waits, so the screen's Python and the database's work overlap (see `upsert.stage`).
The session is only ever used by one thread at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.geo import City, cells_of, grid_origin
from services.ingest.columns import Chunk, column_chunks, iso_moments, plain_numbers, plain_texts
from services.ingest.report import (
    BatchReport,
    Refusal,
    RowRefused,
    moment,
    number,
    one_of,
    present,
    text,
)
from services.ingest.tables import MALFORMED
from services.ingest.upsert import stage
from services.store import District, Event, EventDispatch
from services.store.catalog import CategoryRow
from services.store.invalidation import note_written

# What an events batch writes with SQL the session's hooks cannot see (the staging merge): forgotten on commit.
WRITES = (Event.__tablename__, EventDispatch.__tablename__)

CHUNK = 10_000  # rows validated, placed and upserted together
SEVERITIES = ("extreme", "severe", "moderate", "minor")
PRIORITIES = {"urgent": "extreme", "high": "severe", "normal": "moderate", "low": "minor", "1": "extreme",
              "2": "severe", "3": "moderate", "4": "minor", "特急": "extreme", "紧急": "severe", "一般": "moderate",
              "较低": "minor", **{severity: severity for severity in SEVERITIES}}
# The text fields and their column widths (the row-wise check's limits); category and priority are codes.
TEXT_LIMITS = {"external_id": 64, "source": 32, "category": 64, "subcategory": 48, "title": 128, "description": 4000,
               "priority": 64, "address": 128, "district": 12, "reporter_name": 32, "reporter_phone": 20}
FIELDS = (*TEXT_LIMITS, "lon", "lat", "reported_at")
UPDATED_ON_CONFLICT = ("category", "subcategory", "title", "severity", "description", "address", "district", "grid",
                       "out_of_city", "lat", "lon", "reported_at", "sla_due_at", "reporter_name", "reporter_phone")


def ingest_events(session: Session, rows: Iterable[tuple[int, Mapping[str, Any]]] | Iterable[Mapping[str, Any]],
                  *, source: str, city: City, categories: Sequence[CategoryRow]) -> BatchReport:
    """Store the events of `rows` ((row number, fields) pairs as `parse_table` yields them, or bare field
    mappings numbered from 1); `source` is the sending system for rows that do not name their own. A row's
    category must be one of the city pack's `categories`, whose time limit sets its SLA due time (an unknown one
    is refused with its row and field). The caller commits; the events caches are invalidated after that commit."""
    sla_hours = {category.code: category.time_limit_hours for category in categories}
    adcodes = set(session.scalars(select(District.adcode)))
    report = BatchReport()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="events-merge") as merger:
        merging: Future[BatchReport] | None = None
        for chunk in column_chunks(rows, FIELDS, CHUNK):
            valid = screened(chunk, source, adcodes, sla_hours, report)
            if valid:
                _place(list(valid.values()), city)
            if merging is not None:
                report.add(merging.result())  # one statement at a time: the session has one connection
            merging = merger.submit(_staged(session, valid)) if valid else None
        if merging is not None:
            report.add(merging.result())
    note_written(session, *WRITES)
    return report


def screened(chunk: Chunk, source: str, adcodes: set[str], sla_hours: Mapping[str, float],
             report: BatchReport) -> dict[tuple[str, str], dict[str, Any]]:
    """The events rows of `chunk` by their key, the later row winning (the earlier counts as updated); refused rows
    are noted in `report` in row order. Rows whose cells are plainly valid are taken column-wise; every other row
    gets the row-wise check (`_record`), which alone words the refusals (tests/services/ingest/
    test_events_screen.py holds the two equal)."""
    cells = chunk.frame
    text = {name: plain_texts(cells[name], limit) for name, limit in TEXT_LIMITS.items()}
    vouched = np.logical_and.reduce([ok for _values, ok in text.values()])
    external_id, source_of, category, priority, district, address = (
        text[name][0] for name in ("external_id", "source", "category", "priority", "district", "address"))
    lon, lat = plain_numbers(cells["lon"]), plain_numbers(cells["lat"])
    absent = {name: cells[name].map(lambda item: item is None).to_numpy(bool) for name in ("lon", "lat")}
    placed = ~np.isnan(lon) & ~np.isnan(lat) & (np.abs(lon) <= 180) & (np.abs(lat) <= 90)
    addressed = absent["lon"] & absent["lat"] & np.array([d is not None and a is not None
                                                          for d, a in zip(district, address, strict=True)], bool)
    reported = iso_moments(cells["reported_at"])
    moments = reported.dt.to_pydatetime().tolist()  # datetimes (NaT where not vouched)
    vouched &= (placed | addressed) & reported.notna().to_numpy() & np.array(
        [e is not None and c in sla_hours and (p is None or p in PRIORITIES) and (d is None or d in adcodes)
         for e, c, p, d in zip(external_id, category, priority, district, strict=True)], bool)
    valid: dict[tuple[str, str], dict[str, Any]] = {}
    for position in range(len(cells)):
        number = int(chunk.numbers[position])
        if not vouched[position]:
            try:
                record = _record(chunk.fields(position), source, adcodes, sla_hours)
            except RowRefused as refused:
                report.refused.append(Refusal(number, refused.field, refused.reason))
                continue
        else:
            record = {
                "external_id": external_id[position], "source": source_of[position] or source[:32],
                "category": category[position], "subcategory": text["subcategory"][0][position],
                "title": text["title"][0][position], "description": text["description"][0][position],
                "severity": PRIORITIES.get(priority[position] or "", "moderate"),
                "address": address[position], "district": district[position],
                "lon": None if not placed[position] else float(lon[position]),
                "lat": None if not placed[position] else float(lat[position]),
                "reported_at": (at := moments[position]),
                "sla_due_at": at + timedelta(hours=sla_hours[category[position] or ""]),
                "reporter_name": text["reporter_name"][0][position],
                "reporter_phone": text["reporter_phone"][0][position],
                "status": "reported", "out_of_city": False, "grid": None,
            }  # fmt: skip
        key = (record["source"], record["external_id"])
        if key in valid:
            report.updated += 1
        valid[key] = record
    return valid


def _record(fields: Mapping[str, Any], source: str, adcodes: set[str], sla_hours: Mapping[str, float]) -> dict[str, Any]:
    """The events row for one input row, or RowRefused naming the first field at fault."""
    if MALFORMED in fields:
        raise RowRefused("row", str(fields[MALFORMED]))
    category = one_of(fields, "category", sla_hours.keys(), required=True)
    reported_at = moment(fields, "reported_at", required=True)
    lon, lat = number(fields, "lon"), number(fields, "lat")
    if (lon is None) != (lat is None):
        raise RowRefused("lat" if lat is None else "lon", "lon and lat come together (WGS84 degrees)")
    if lon is not None and lat is not None and not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise RowRefused("lon", f"({lon}, {lat}) is not a WGS84 longitude and latitude")
    district = text(fields, "district", max_length=12)
    if district is not None and district not in adcodes:
        raise RowRefused("district", f"unknown district adcode {district!r}")
    address = text(fields, "address", max_length=128)
    if lon is None and (district is None or address is None):
        raise RowRefused("lon", "give lon and lat, or an address with its district adcode")
    assert category is not None and reported_at is not None
    return {
        "external_id": text(fields, "external_id", max_length=64, required=True),
        "source": text(fields, "source", max_length=32) or source[:32],
        "category": category, "subcategory": text(fields, "subcategory", max_length=48),
        "title": text(fields, "title", max_length=128), "description": text(fields, "description", max_length=4000),
        "severity": one_of(fields, "priority", set(SEVERITIES), aliases=PRIORITIES) if present(fields, "priority")
        else "moderate",
        "address": address, "district": district, "lon": lon, "lat": lat, "reported_at": reported_at,
        "sla_due_at": reported_at + timedelta(hours=sla_hours[category]),
        "reporter_name": text(fields, "reporter_name", max_length=32),
        "reporter_phone": text(fields, "reporter_phone", max_length=20),
        "status": "reported", "out_of_city": False, "grid": None,
    }  # fmt: skip


def _place(records: list[dict[str, Any]], city: City) -> None:
    """District (when not given) and grid cell from the point, one spatial join per chunk; flag strays."""
    located = [record for record in records if record["lon"] is not None]
    if not located:
        return
    lon = np.array([record["lon"] for record in located], float)
    lat = np.array([record["lat"] for record in located], float)
    found = city.district_of(lon, lat)
    districts = [record["district"] or code for record, code in zip(located, found, strict=True)]
    cells = cells_of(grid_origin(city.bounds()), lon, lat, districts)
    for record, district, inside, cell in zip(located, districts, found, cells, strict=True):
        record["district"], record["grid"], record["out_of_city"] = district, cell, inside is None


def _staged(session: Session, records: Mapping[tuple[str, str], dict[str, Any]]) -> Callable[[], BatchReport]:
    """The chunk staged for its merge; the merge returns what it added and updated."""
    merge = stage(session, Event.__table__, list(records.values()), key=("source", "external_id"),
                  updated=UPDATED_ON_CONFLICT)

    def merged() -> BatchReport:
        new = merge()
        return BatchReport(accepted=new, updated=len(records) - new)

    return merged
