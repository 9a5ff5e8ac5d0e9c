"""The column-wise screen of an events chunk agrees with the row-wise check on every input: the same rows stored
(by key, the later row winning, field for field), the same rows refused with the same field and reason, the same
count of updates. Pure: no database."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.ingest.columns import column_chunks
from services.ingest.events import FIELDS, _record, screened
from services.ingest.report import BatchReport, keyed_chunks
from services.ingest.tables import MALFORMED

ADCODES = {"350203", "350205"}
SLA = {"traffic": 2.0, "fire": 0.5, "waterlogging": 24.0}

texts = st.sampled_from([None, "", "  ", "积水", " 道路积水 ", "x" * 130, 7, 1.5, True])
rows = st.fixed_dictionaries(
    {"external_id": st.sampled_from(["E-1", "E-2", " E-3 ", "", None, "e" * 70, 12]),
     "category": st.sampled_from(["traffic", "fire", " fire ", "Traffic", "nope", "", None]),
     "reported_at": st.one_of(
         st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31),
                      timezones=st.sampled_from([UTC, None])).map(lambda moment: moment.isoformat()),
         st.sampled_from(["2026-12-01T02:00:00+08:00", "2026-12-01 02:00Z", "yesterday", "", None,
                          "2026-12-01T02:00:00+0800", datetime(2026, 12, 1, 2, tzinfo=UTC)])),
     "lon": st.sampled_from([None, "", 118.09, "118.09", 200, "abc", True, float("nan")]),
     "lat": st.sampled_from([None, "", 24.45, "24.45", -95, "x"]),
     "district": st.sampled_from([None, "", "350203", " 350205", "999999", 350203]),
     "address": st.sampled_from([None, "", "思明路1号", "a" * 130]),
     "priority": st.sampled_from([None, "", "high", "HIGH", "紧急", "severe", "weird", 1]),
     "source": st.sampled_from([None, "", "water", " water ", "s" * 40]),
     "description": texts, "subcategory": texts, "reporter_name": texts,
     "reporter_phone": st.sampled_from([None, "13812341234", 13812341234, "1" * 25])},
    optional={"title": texts})
batches = st.lists(st.one_of(rows, st.just({MALFORMED: "line 9 has 3 cells; the header has 4"})), max_size=30)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batches)
def test_the_screen_stores_and_refuses_exactly_what_the_row_wise_check_does(fields):  # type: ignore[no-untyped-def]
    chunk = list(enumerate(fields, start=1))
    expected_report, expected = BatchReport(), {}
    for valid in keyed_chunks(chunk, lambda row: _key(_record(row, "bench", ADCODES, SLA)), expected_report,
                              len(chunk) or 1):
        expected.update(valid)
    report, got = BatchReport(), {}
    for part in column_chunks(chunk, FIELDS, len(chunk) or 1):
        got.update(screened(part, "bench", ADCODES, SLA, report))
    assert got == expected
    assert report.refused == expected_report.refused
    assert report.updated == expected_report.updated


def _key(record):  # type: ignore[no-untyped-def]
    return (record["source"], record["external_id"]), record


def test_plain_events_never_take_the_row_wise_path(monkeypatch):  # type: ignore[no-untyped-def]
    def refuse(*_args):  # type: ignore[no-untyped-def]
        raise AssertionError("a plainly valid event was checked row by row")

    monkeypatch.setattr("services.ingest.events._record", refuse)
    chunk = [(n, {"external_id": f"E-{n}", "category": "fire", "reported_at": "2026-12-01T02:00:00+08:00",
                  "lon": "118.09", "lat": 24.45, "priority": "紧急", "reporter_phone": "13812341234"})
             for n in range(1, 21)]
    chunk.append((21, {"external_id": "E-21", "category": "traffic", "reported_at": "2026-12-01T02:00:00Z",
                       "district": "350203", "address": "思明路1号"}))
    report = BatchReport()
    (part,) = column_chunks(chunk, FIELDS, 100)
    valid = screened(part, "bench", ADCODES, SLA, report)
    assert len(valid) == 21 and not report.refused
    assert valid[("bench", "E-1")]["severity"] == "severe"
    assert valid[("bench", "E-21")]["sla_due_at"] == datetime(2026, 12, 1, 4, tzinfo=UTC)
