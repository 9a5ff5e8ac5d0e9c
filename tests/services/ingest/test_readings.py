"""ingest_readings on both backends: checked by row, stored through record_readings, corrections update in place,
late readings never flip the threshold state back; FIWARE notifications mapped to readings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from services.alerts.stream import recent
from services.config import DEFAULT_PACK
from services.indicators.readings import load_rules
from services.ingest import ReadingSink, ingest_readings, load_mapping, notification_rows
from services.store import IndicatorReading

T0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


@pytest.fixture
def sink(store, engine, settings, redis_client) -> ReadingSink:
    return ReadingSink(engine, redis_client, settings, load_rules(engine, settings))


def _at(minutes: int) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


def test_readings_are_stored_corrected_and_refused_by_field(store, sink):
    rows = [{"indicator": "aqi", "area": "city", "time": _at(0), "value": "80"},
            {"indicator": "aqi", "area": "350203", "time": _at(0), "value": 90},
            {"indicator": "nope", "area": "city", "time": _at(0), "value": 1},
            {"indicator": "aqi", "area": "350203-r3c4", "time": _at(0), "value": 1},
            {"indicator": "aqi", "area": "city", "time": "yesterday", "value": 1},
            {"indicator": "aqi", "area": "city", "time": _at(5), "value": "NaN"}]
    report = ingest_readings(store, rows, source="ecology", sink=sink)
    assert (report.accepted, report.updated) == (2, 0)
    assert [(r.row, r.field) for r in report.refused] == [(3, "indicator"), (4, "area"), (5, "time"), (6, "value")]
    again = ingest_readings(store, [{"indicator": "aqi", "area": "city", "time": _at(0), "value": 85}],
                            source="ecology", sink=sink)
    store.commit()
    assert (again.accepted, again.updated) == (0, 1)
    values = store.execute(select(IndicatorReading.district, IndicatorReading.value)).all()
    assert sorted(values, key=str) == sorted([(None, 85.0), ("350203", 90.0)], key=str)


def test_a_late_reading_does_not_undo_a_newer_alarm(store, sink, redis_client, settings):
    ingest_readings(store, [{"indicator": "aqi", "area": "city", "time": _at(10), "value": 250}], source="e",
                    sink=sink)
    ingest_readings(store, [{"indicator": "aqi", "area": "city", "time": _at(0), "value": 20}], source="e", sink=sink)
    entries = recent(redis_client, settings.alerts_stream, 10)
    assert [fields["msg_type"] for _id, fields in entries] == ["alert"]


def test_chunks_stored_while_the_next_is_screened_keep_the_batch_right(store, sink, redis_client, settings,
                                                                      monkeypatch):
    """A chunk is stored while the next one is screened: a key sent again in a later chunk is still an update of
    the stored reading, and a late reading in a later chunk leaves the newer reading's alarm alone."""
    monkeypatch.setattr("services.ingest.readings.CHUNK", 2)
    rows = [{"indicator": "aqi", "area": "city", "time": _at(10), "value": 250},
            {"indicator": "aqi", "area": "350203", "time": _at(0), "value": 90},
            {"indicator": "aqi", "area": "350203", "time": _at(0), "value": 95},
            {"indicator": "aqi", "area": "city", "time": _at(0), "value": 20},
            {"indicator": "nope", "area": "city", "time": _at(0), "value": 1}]
    report = ingest_readings(store, rows, source="ecology", sink=sink)
    store.commit()
    assert (report.accepted, report.updated) == (3, 1)
    assert [(r.row, r.field) for r in report.refused] == [(5, "indicator")]
    values = store.execute(select(IndicatorReading.district, IndicatorReading.ts, IndicatorReading.value)).all()
    assert sorted(values, key=str) == sorted([(None, T0 + timedelta(minutes=10), 250.0), ("350203", T0, 95.0),
                                              (None, T0, 20.0)], key=str)
    entries = recent(redis_client, settings.alerts_stream, 10)
    assert [fields["msg_type"] for _id, fields in entries] == ["alert"]


def test_ngsi_v2_and_ld_notifications_become_readings(store, sink, city):
    mapping = load_mapping(DEFAULT_PACK / "ngsi_mapping.toml")
    v2 = {"subscriptionId": "s1", "data": [{
        "id": "AirQualityObserved:1", "type": "AirQualityObserved",
        "aqi": {"type": "Number", "value": 70, "metadata": {"TimeInstant": {"type": "DateTime", "value": _at(0)}}},
        "location": {"type": "geo:json", "value": {"type": "Point", "coordinates": [118.0894, 24.4798]}}}]}
    ld = {"id": "urn:n:1", "type": "Notification", "subscriptionId": "s2", "notifiedAt": _at(1), "data": [{
        "id": "urn:ngsi-ld:WeatherObserved:1", "type": "https://smartdatamodels.org/dataModel.Weather/WeatherObserved",
        "temperature": {"type": "Property", "value": 31.5, "observedAt": _at(1)},
        "precipitation": {"type": "Property", "value": 2.0}}]}
    rows = [*notification_rows(v2, mapping, city), *notification_rows(ld, mapping, city)]
    assert rows[0] == (1, {"indicator": "aqi", "value": 70, "area": "350203", "time": _at(0)})
    assert {fields["indicator"] for _n, fields in rows[1:]} == {"temperature", "rainfall"}
    assert all(fields["area"] == "city" and fields["time"] == _at(1) for _n, fields in rows[1:])
    report = ingest_readings(store, rows, source="orion", sink=sink)
    assert (report.accepted, report.refused) == (3, [])
