"""Rows written by bulk_insert read back through the ORM exactly as the ORM would have written them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import Engine, inspect, select

from services.events.touch import suspended_for_load
from services.store import Department, Event, EventDispatch, Indicator, IndicatorReading, make_sessionmaker
from services.store.bulkload import bulk_insert, next_id, prepared_for_load, sync_id_sequence

T0 = datetime(2026, 11, 23, 6, 30, 15, 123456, tzinfo=UTC)


def _catalog(engine: Engine) -> None:
    with make_sessionmaker(engine)() as session:
        session.add(Department(code="ecology", name_zh="生态环境局", name_en="Ecology", kind="environment"))
        session.add(Indicator(code="aqi", name_zh="AQI", name_en="AQI", domain="environment", unit="AQI",
                              direction="lower", warn=100, alarm=200, source_department="ecology",
                              cadence_minutes=5))
        session.commit()


def test_tuples_and_frames_read_back_equal(engine: Engine) -> None:
    _catalog(engine)
    rows = [("aqi", None, T0 + timedelta(minutes=5 * i), 40.5 + i) for i in range(3)]
    assert bulk_insert(engine, IndicatorReading, ["indicator_code", "district", "ts", "value"], rows) == 3
    frame = pd.DataFrame({"indicator_code": "aqi", "district": None,
                          "ts": pd.to_datetime([T0 + timedelta(hours=1), T0 + timedelta(hours=2)], utc=True),
                          "value": [1.25, 2.5]})
    assert bulk_insert(engine, "indicator_readings", list(frame.columns), frame) == 2
    with make_sessionmaker(engine)() as session:
        got = session.execute(select(IndicatorReading.ts, IndicatorReading.value, IndicatorReading.district)
                              .order_by(IndicatorReading.ts)).all()
    expected = [(r[2], r[3], None) for r in rows] + [(T0 + timedelta(hours=1), 1.25, None),
                                                      (T0 + timedelta(hours=2), 2.5, None)]
    assert [tuple(g) for g in got] == expected
    assert all(g[0].tzinfo is not None for g in got)


def test_a_frame_is_copied_in_pieces_without_losing_a_row(engine: Engine, monkeypatch) -> None:
    """PostgreSQL gets a frame in PIECE-row writes inside one COPY: the pieces' edges lose and repeat nothing."""
    _catalog(engine)
    monkeypatch.setattr("services.store.bulkload.PIECE", 2)
    frame = pd.DataFrame({"indicator_code": "aqi", "district": None, "value": [float(i) for i in range(5)],
                          "ts": pd.to_datetime([T0 + timedelta(minutes=i) for i in range(5)], utc=True)})
    assert bulk_insert(engine, IndicatorReading, list(frame.columns), frame) == 5
    with make_sessionmaker(engine)() as session:
        got = session.scalars(select(IndicatorReading.value).order_by(IndicatorReading.ts)).all()
    assert got == [0.0, 1.0, 2.0, 3.0, 4.0]


def test_explicit_ids_then_orm_inserts_do_not_collide(engine: Engine) -> None:
    first = next_id(engine, Event)
    frame = pd.DataFrame({"id": [first, first + 1], "category": "fire", "source": "patrol", "severity": "minor",
                          "out_of_city": False, "status": "closed",
                          "reported_at": pd.to_datetime([T0, T0], utc=True),
                          "closed_at": pd.Series([T0 + timedelta(hours=1), pd.NaT]).dt.tz_convert(UTC)})
    with prepared_for_load(engine, ["events"]):
        bulk_insert(engine, Event, list(frame.columns), frame)
    sync_id_sequence(engine, Event)
    with make_sessionmaker(engine)() as session:
        session.add(Event(category="fire", source="patrol", severity="minor", status="reported", reported_at=T0))
        session.commit()
        events = session.scalars(select(Event).order_by(Event.id)).all()
    assert [e.id for e in events] == [first, first + 1, first + 2]
    assert events[0].closed_at == T0 + timedelta(hours=1) and events[1].closed_at is None
    assert next_id(engine, Event) == first + 3


def test_bad_input_is_refused(engine: Engine) -> None:
    _catalog(engine)
    with pytest.raises(ValueError, match="naive datetime"):
        bulk_insert(engine, IndicatorReading, ["indicator_code", "ts", "value"], [("aqi", datetime(2026, 1, 1), 1.0)])
    with pytest.raises(ValueError, match="no column"):
        bulk_insert(engine, IndicatorReading, ["indicator_code", "nope"], [("aqi", 1)])


def test_text_survives_the_copy_format(engine: Engine) -> None:
    """PostgreSQL loads frames as CSV: an empty string must stay empty, a missing value NULL, and commas, quotes,
    new lines, backslashes and Chinese must come back as written."""
    first = next_id(engine, Event)
    texts = ["", None, '带,逗号 "引号"\n换行', r"C:\N \\ 反斜杠", "普通"]
    frame = pd.DataFrame({"id": range(first, first + len(texts)), "category": "fire", "source": "patrol",
                          "severity": "minor", "out_of_city": [True, False, True, False, True], "status": "closed",
                          "reported_at": pd.to_datetime([T0] * len(texts), utc=True), "description": texts,
                          "lat": [24.5, None, 24.25, 24.125, 24.0625]})
    bulk_insert(engine, Event, list(frame.columns), frame)
    with make_sessionmaker(engine)() as session:
        got = session.execute(select(Event.description, Event.out_of_city, Event.lat, Event.reported_at)
                              .order_by(Event.id)).all()
    assert [g[0] for g in got] == texts
    assert [g[1] for g in got] == [True, False, True, False, True]
    assert [g[2] for g in got] == [24.5, None, 24.25, 24.125, 24.0625]
    assert all(g[3] == T0 for g in got)


def _shape(engine: Engine, table: str) -> tuple[list, list]:
    found = inspect(engine)
    keys = sorted((k["name"], tuple(k["constrained_columns"]), k["referred_table"], k["options"].get("ondelete"))
                  for k in found.get_foreign_keys(table))
    return keys, sorted((i["name"], tuple(i["column_names"])) for i in found.get_indexes(table))


def test_a_load_gets_its_indexes_and_foreign_keys_back(engine: Engine) -> None:
    """The load drops them (foreign keys on PostgreSQL only); afterwards they are as before, and enforced."""
    _catalog(engine)
    before = {table: _shape(engine, table) for table in ("events", "event_dispatches")}
    assert before["event_dispatches"][0], "the dispatches table has foreign keys to put back"
    first = next_id(engine, Event)
    frame = pd.DataFrame({"id": [first], "category": "fire", "source": "patrol", "severity": "minor",
                          "out_of_city": False, "status": "closed", "reported_at": pd.to_datetime([T0], utc=True)})
    with prepared_for_load(engine, ["events", "event_dispatches"]):
        bulk_insert(engine, Event, list(frame.columns), frame)
    assert {table: _shape(engine, table) for table in before} == before
    with make_sessionmaker(engine)() as session, pytest.raises(Exception, match="(?i)foreign key"):
        session.add(EventDispatch(event_id=first + 1000, department="ecology", dispatched_at=T0,
                                  status="dispatched"))
        session.commit()


def test_events_loaded_with_the_touch_suspended_are_stamped_after_the_load(engine: Engine) -> None:
    """The points cache fetches rows changed after its mark: rows a bulk load wrote must carry the load's time."""
    _catalog(engine)
    with make_sessionmaker(engine)() as session:
        session.add(Event(category="fire", source="patrol", severity="minor", status="reported", reported_at=T0))
        session.commit()
        mark = session.scalar(select(Event.updated_at))
    first = next_id(engine, Event)
    frame = pd.DataFrame({"id": [first, first + 1], "category": "fire", "source": "patrol", "severity": "minor",
                          "out_of_city": False, "status": "closed",
                          "reported_at": pd.to_datetime([T0, T0], utc=True)})
    with suspended_for_load(engine):
        bulk_insert(engine, Event, list(frame.columns), frame)
    with make_sessionmaker(engine)() as session:
        stamps = session.scalars(select(Event.updated_at).where(Event.id >= first)).all()
        assert len(stamps) == 2 and all(stamp >= mark for stamp in stamps)
        event = session.get(Event, first)
        event.status = "reported"
        session.commit()
        assert session.scalar(select(Event.updated_at).where(Event.id == first)) > max(stamps), "touch is back"
