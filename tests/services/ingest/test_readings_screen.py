"""The column-wise screen of a readings chunk agrees with the row-wise check on every input: the same readings
stored (keys, values, the later row winning), the same rows refused with the same field and reason, the same
count of updates. Pure: no database."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.ingest.columns import column_chunks
from services.ingest.readings import FIELDS, _reading, screened
from services.ingest.report import BatchReport, keyed_chunks
from services.ingest.tables import MALFORMED

CODES = {"aqi", "pm25", "rainfall"}
ADCODES = {"350203", "350205"}

codes = st.sampled_from(["aqi", "pm25", " aqi ", "AQI", "nope", "", None, 7, ["aqi"]])
areas = st.sampled_from(["city", "350203", "350205", " 350203", "350203-r3c4", "999999", "", None, 350203])
times = st.one_of(
    st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31),
                 timezones=st.sampled_from([UTC, None])).map(lambda moment: moment.isoformat()),
    st.sampled_from(["2026-12-01T02:00:00+08:00", "2026-12-01 02:00Z", "2026-12-01T02:00:00.5-05:30",
                     "2026/12/01 02:00:00+08:00", "2026-02-30T01:00:00+08:00", "2026-12-01T24:00:00+08:00",
                     "2026-12-01T02:00:00+0800", "2026-12-01", "yesterday", "", None,
                     datetime(2026, 12, 1, 2, tzinfo=UTC), datetime(2026, 12, 1, 2)]))
values = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**6, 10**6),
                   st.sampled_from(["80", " 12.5 ", "1_000", "NaN", "inf", "1e3", "", "abc", None, True, [1]]))
rows = st.lists(st.one_of(st.fixed_dictionaries({"indicator": codes, "area": areas, "time": times, "value": values}),
                          st.just({MALFORMED: "line 9 has 3 cells; the header has 4"})), max_size=40)


def _row_wise(chunk):  # type: ignore[no-untyped-def]
    report = BatchReport()
    stored = {}
    for valid in keyed_chunks(chunk, lambda fields: _reading(fields, CODES, ADCODES), report, len(chunk) or 1):
        stored.update(valid)
    return stored, report


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows)
def test_the_screen_stores_and_refuses_exactly_what_the_row_wise_check_does(fields):  # type: ignore[no-untyped-def]
    chunk = list(enumerate(fields, start=1))
    expected, expected_report = _row_wise(chunk)
    report = BatchReport()
    frames = [screened(part, CODES, ADCODES, report) for part in column_chunks(chunk, FIELDS, len(chunk) or 1)]
    frame = frames[0] if frames else pd.DataFrame()
    got = {(code, district, ts.to_pydatetime()): value
           for code, district, ts, value in frame.itertuples(index=False)} if len(frame) else {}
    assert got == expected
    assert report.refused == expected_report.refused
    assert report.updated == expected_report.updated


def test_plain_readings_never_take_the_row_wise_path(monkeypatch):  # type: ignore[no-untyped-def]
    def refuse(*_args):  # type: ignore[no-untyped-def]
        raise AssertionError("a plainly valid reading was checked row by row")

    monkeypatch.setattr("services.ingest.readings._reading", refuse)
    chunk = [(n, {"indicator": "aqi", "area": "city" if n % 2 else "350203", "time": f"2026-12-01T02:{n:02d}:00+08:00",
                  "value": str(n) if n % 3 else n * 1.5}) for n in range(1, 41)]
    report = BatchReport()
    (part,) = column_chunks(chunk, FIELDS, 100)
    frame = screened(part, CODES, ADCODES, report)
    assert len(frame) == 40 and not report.refused
    assert frame["ts"].min() == pd.Timestamp("2026-11-30T18:01:00Z")
