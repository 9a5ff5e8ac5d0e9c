"""services.indicators.queries on both backends: every rollup is checked against a plain pandas computation on random data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import insert
from sqlalchemy.orm import Session

from services.access import CITY_WIDE, Scope
from services.indicators.queries import (
    compare_districts,
    kpi_strip,
    latest_by_district,
    series,
    status_of,
)
from services.indicators.views import drill_down, indicator_choices
from services.store import District, Indicator, IndicatorReading
from services.store.cache import cache_of

SIMING, HULI, JIMEI = "350203", "350206", "350211"
T0 = datetime(2026, 3, 20, tzinfo=UTC)


@pytest.fixture
def catalog(session: Session) -> Session:
    for adcode, zh in ((SIMING, "思明区"), (HULI, "湖里区"), (JIMEI, "集美区")):
        session.add(District(adcode=adcode, name_zh=zh, name_en=zh, geometry="{}"))
    session.add_all(
        [
            Indicator(code="aqi", name_zh="AQI", name_en="AQI", domain="environment", unit="", direction="lower",
                      warn=100, alarm=200, cadence_minutes=60),
            Indicator(code="water_pressure", name_zh="供水压力", name_en="Water pressure", domain="lifelines",
                      unit="MPa", direction="higher", warn=0.25, alarm=0.2, cadence_minutes=5),
        ]
    )  # fmt: skip
    session.commit()
    return session


def _store(session: Session, frame: pd.DataFrame) -> None:
    rows = [
        {
            "indicator_code": r.code,
            "district": None if pd.isna(r.district) else r.district,
            "ts": r.ts.to_pydatetime(),
            "value": float(r.value),
        }
        for r in frame.itertuples()
    ]
    session.execute(insert(IndicatorReading), rows)
    session.commit()


def _random_readings(rng: np.random.Generator, n: int, start: datetime, days: float) -> pd.DataFrame:
    seconds = rng.uniform(0, days * 86400, n)
    return pd.DataFrame(
        {
            "code": "aqi",
            "district": rng.choice(np.array([None, SIMING, HULI], dtype=object), n),
            "ts": pd.to_datetime(start) + pd.to_timedelta(np.round(seconds, 3), unit="s"),
            "value": rng.normal(120, 40, n).round(2),
        }
    )


@pytest.mark.parametrize(
    ("value", "direction", "expected"),
    [
        (99, "lower", "normal"), (100, "lower", "warn"), (199.9, "lower", "warn"), (200, "lower", "alarm"),
        (0.3, "higher", "normal"), (0.25, "higher", "warn"), (0.21, "higher", "warn"), (0.2, "higher", "alarm"),
        (None, "lower", "nodata"), (float("nan"), "higher", "nodata"),
    ],
)  # fmt: skip
def test_status_of_both_directions(value: float | None, direction: str, expected: str) -> None:
    warn, alarm = (100, 200) if direction == "lower" else (0.25, 0.2)
    assert status_of(value, warn, alarm, direction) == expected


def test_status_of_without_thresholds_and_bad_direction() -> None:
    assert status_of(1e9, None, None, "lower") == "normal"
    assert status_of(150, 100, None, "lower") == "warn"
    with pytest.raises(ValueError, match="direction"):
        status_of(1, 2, 3, "up")


@pytest.mark.parametrize(("bucket", "freq"), [("5min", "5min"), ("hour", "h")])
def test_series_matches_pandas_utc_buckets(catalog: Session, bucket: str, freq: str) -> None:
    data = _random_readings(np.random.default_rng(1), 1500, T0, 2)
    _store(catalog, data)
    start, end = T0 + timedelta(hours=3, minutes=7), T0 + timedelta(days=1, hours=20)
    for district in (None, HULI):
        got = series(session=catalog, code="aqi", district=district, start=start, end=end, bucket=bucket)
        subset = data[(data.district.isna() if district is None else data.district == district)]
        subset = subset[(subset.ts >= start) & (subset.ts < end)]
        expected = subset.groupby(subset.ts.dt.floor(freq))["value"].agg(["mean", "min", "max", "count"])
        assert list(got.bucket_start) == list(expected.index)
        assert str(got.bucket_start.dt.tz) == "UTC"
        np.testing.assert_allclose(got[["avg", "min", "max"]].to_numpy(), expected[["mean", "min", "max"]])
        assert got.n.tolist() == expected["count"].tolist()


@pytest.mark.parametrize("tz", ["Asia/Shanghai", "Europe/Berlin"])
def test_series_day_buckets_are_display_zone_days(catalog: Session, tz: str) -> None:
    # Europe/Berlin switches to summer time on 2026-03-29: its day buckets there are 23 hours long.
    data = _random_readings(np.random.default_rng(2), 2000, T0, 14)
    _store(catalog, data)
    start, end = T0 + timedelta(hours=5), T0 + timedelta(days=13)
    got = series(session=catalog, code="aqi", start=start, end=end, bucket="day", tz=tz)
    city = data[data.district.isna() & (data.ts >= start) & (data.ts < end)]
    local_day = city.ts.dt.tz_convert(tz).dt.normalize().dt.tz_convert("UTC")
    expected = city.groupby(local_day)["value"].agg(["mean", "min", "max", "count"])
    assert list(got.bucket_start) == list(expected.index)
    np.testing.assert_allclose(got[["avg", "min", "max"]].to_numpy(), expected[["mean", "min", "max"]])
    assert got.n.tolist() == expected["count"].tolist()


def test_series_rejects_bad_input(catalog: Session) -> None:
    with pytest.raises(ValueError, match="bucket"):
        series(session=catalog, code="aqi", start=T0, end=T0 + timedelta(days=1), bucket="week")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="naive"):
        series(session=catalog, code="aqi", start=datetime(2026, 1, 1), end=T0, bucket="hour")
    with pytest.raises(ValueError, match="before end"):
        series(session=catalog, code="aqi", start=T0, end=T0, bucket="hour")
    with pytest.raises(ValueError, match="unknown indicator code 'nope'"):
        series(session=catalog, code="nope", start=T0, end=T0 + timedelta(days=1), bucket="hour")


def test_compare_districts_matches_pandas(catalog: Session) -> None:
    data = _random_readings(np.random.default_rng(3), 1200, T0, 3)
    _store(catalog, data)
    start, end = T0 + timedelta(hours=10), T0 + timedelta(days=2)
    got = compare_districts(session=catalog, code="aqi", start=start, end=end)
    window = data[data.district.notna() & (data.ts >= start) & (data.ts < end)].sort_values("ts")
    expected = window.groupby("district")["value"].agg(["mean", "max", "last"])
    assert got.district.tolist() == expected.index.tolist() == [SIMING, HULI]
    np.testing.assert_allclose(got[["avg", "max", "last"]].to_numpy(), expected[["mean", "max", "last"]])


def _hourly_around(
    rng: np.random.Generator, code: str, district: str | None, centre: datetime
) -> pd.DataFrame:
    """Readings about an hour apart (±10 min jitter) from 4 h before `centre` to `centre`."""
    stamps = [centre - timedelta(hours=h, seconds=float(rng.uniform(-600, 600))) for h in range(1, 5)]
    frame = pd.DataFrame(
        {"code": code, "district": district, "ts": pd.to_datetime([*stamps, centre], utc=True)}
    )
    return frame.assign(value=rng.normal(100, 30, len(frame)).round(2))


def test_kpi_strip_latest_deltas_sparkline_match_pandas(catalog: Session) -> None:
    rng = np.random.default_rng(4)
    as_of = datetime(2026, 3, 20, 8, 0, tzinfo=UTC)
    now = as_of + timedelta(minutes=30)
    parts = [_hourly_around(rng, "aqi", None, as_of - offset) for offset in (timedelta(0), timedelta(days=1))]
    parts += [_hourly_around(rng, "aqi", None, as_of - timedelta(days=7, hours=3))]  # no reading near -7 d
    parts += [_hourly_around(rng, "aqi", None, as_of - timedelta(days=364, minutes=-20))]
    parts += [
        _hourly_around(rng, "aqi", HULI, as_of - timedelta(hours=5))
    ]  # a district's readings stay apart
    data = pd.concat(parts, ignore_index=True)
    _store(catalog, data)

    (card,) = kpi_strip(session=catalog, codes=["aqi"], now=now)
    city = data[data.district.isna()].sort_values("ts")
    latest = city.iloc[-1]
    assert (card.value, card.as_of, card.status) == (
        latest.value,
        latest.ts,
        status_of(latest.value, 100, 200, "lower"),
    )

    def nearest(target: datetime) -> float | None:
        near = city[(abs(city.ts - target) <= timedelta(hours=1)) & (city.ts < as_of)]
        return None if near.empty else float(near.loc[abs(near.ts - target).idxmin(), "value"])

    for got, offset in ((card.delta_day, 1), (card.delta_week, 7), (card.delta_year, 364)):
        past = nearest(as_of - timedelta(days=offset))
        assert got == (None if past is None else pytest.approx(latest.value - past))
    assert card.delta_week is None and card.delta_day is not None and card.delta_year is not None

    since = now.replace(minute=0) - timedelta(hours=23)
    recent = city[(city.ts >= since) & (city.ts <= now)]
    expected = recent.groupby(recent.ts.dt.floor("h"))["value"].mean()
    assert card.sparkline == pytest.approx(tuple(expected))
    assert card.stale is False
    assert kpi_strip(session=catalog, codes=["aqi"], now=as_of + timedelta(hours=3))[0].stale is True

    (district_card,) = kpi_strip(session=catalog, codes=["aqi"], district=HULI, now=now)
    huli = data[data.district == HULI].sort_values("ts")
    assert (district_card.value, district_card.as_of) == (huli.iloc[-1].value, huli.iloc[-1].ts)


def test_kpi_strip_order_nodata_and_unknown_codes(catalog: Session) -> None:
    cards = kpi_strip(session=catalog, codes=["water_pressure", "aqi"], now=T0)
    assert [c.code for c in cards] == ["water_pressure", "aqi"]
    assert all(c.status == "nodata" and c.value is None and c.stale and c.sparkline == () for c in cards)
    assert {c.code for c in kpi_strip(session=catalog, now=T0)} == {"aqi", "water_pressure"}
    with pytest.raises(ValueError, match="unknown indicator code"):
        kpi_strip(session=catalog, codes=["aqi", "nope"], now=T0)


def test_kpi_strip_is_cached_per_scope_until_invalidated(catalog: Session) -> None:
    def reading(district: str | None, value: float, minutes: int) -> dict[str, object]:
        ts = T0 + timedelta(minutes=minutes)
        return {"indicator_code": "aqi", "district": district, "ts": ts, "value": value}

    catalog.execute(insert(IndicatorReading), [reading(None, 50.0, 0), reading(SIMING, 250.0, 0)])
    catalog.commit()
    assert kpi_strip(session=catalog, codes=["aqi"])[0].value == 50.0
    assert kpi_strip(session=catalog, codes=["aqi"], district=SIMING)[0].status == "alarm"

    catalog.execute(insert(IndicatorReading), [reading(None, 150.0, 5)])
    assert kpi_strip(session=catalog, codes=["aqi"])[0].value == 50.0, "served from the cache until the commit"
    catalog.commit()  # the session's commit invalidates what it wrote: no writer has to remember to
    assert kpi_strip(session=catalog, codes=["aqi"])[0].value == 150.0
    assert kpi_strip(session=catalog, codes=["aqi"], district=SIMING)[0].value == 250.0


def test_latest_by_district_matches_pandas(catalog: Session) -> None:
    data = _random_readings(np.random.default_rng(5), 300, T0, 1)
    _store(catalog, data)
    got = latest_by_district(session=catalog, code="aqi", now=T0 + timedelta(days=1))
    last = data[data.district.notna()].sort_values("ts").groupby("district").last()
    assert got.district.tolist() == [SIMING, HULI, JIMEI]
    assert got.value.iloc[:2].tolist() == last.value.tolist()
    assert got.as_of.iloc[:2].tolist() == last.ts.tolist()
    assert got.status.tolist() == [status_of(v, 100, 200, "lower") for v in last.value] + ["nodata"]
    assert np.isnan(got.value.iloc[2]) and got.stale.iloc[2]


def test_district_bound_scopes_see_only_their_districts(catalog: Session) -> None:
    data = _random_readings(np.random.default_rng(6), 600, T0, 2)
    _store(catalog, data)
    huli_only, now = Scope.of(districts=[HULI]), T0 + timedelta(days=2)
    start, end = T0, T0 + timedelta(days=2)

    (city_card,) = kpi_strip(session=catalog, codes=["aqi"], now=now, scope=huli_only)
    assert (city_card.value, city_card.status, city_card.sparkline) == (None, "nodata", ())
    (huli_card,) = kpi_strip(session=catalog, codes=["aqi"], district=HULI, now=now, scope=huli_only)
    assert huli_card.value == data[data.district == HULI].sort_values("ts").iloc[-1].value
    (siming_card,) = kpi_strip(session=catalog, codes=["aqi"], district=SIMING, now=now, scope=huli_only)
    assert siming_card.value is None

    assert latest_by_district(session=catalog, code="aqi", now=now, scope=huli_only).district.tolist() == [HULI]
    assert compare_districts(session=catalog, code="aqi", start=start, end=end, scope=huli_only).district.tolist() == [
        HULI
    ]
    assert series(session=catalog, code="aqi", start=start, end=end, bucket="hour", scope=huli_only).empty
    outside = series(session=catalog, code="aqi", district=SIMING, start=start, end=end, bucket="hour",
                     scope=huli_only)  # fmt: skip
    inside = series(session=catalog, code="aqi", district=HULI, start=start, end=end, bucket="hour", scope=huli_only)
    assert outside.empty and inside.n.sum() == (data.district == HULI).sum()


def test_two_scopes_never_share_a_cache_entry(catalog: Session) -> None:
    catalog.execute(
        insert(IndicatorReading),
        [{"indicator_code": "aqi", "district": d, "ts": T0, "value": v} for d, v in ((None, 50.0), (HULI, 250.0))],
    )
    catalog.commit()
    wide = kpi_strip(session=catalog, codes=["aqi"], now=T0)
    bound = kpi_strip(session=catalog, codes=["aqi"], now=T0, scope=Scope.of(districts=[HULI]))
    assert (wide[0].value, bound[0].value) == (50.0, None), "the bound scope must not get the city-wide entry"
    assert kpi_strip(session=catalog, codes=["aqi"], now=T0, scope=CITY_WIDE)[0].value == 50.0
    # Two scopes with the same members in another order are the same scope (same key, same entry).
    a, b = Scope.of(districts=[HULI, SIMING]), Scope.of(districts=[SIMING, HULI])
    first = kpi_strip(session=catalog, codes=["aqi"], district=HULI, now=T0, scope=a)
    assert kpi_strip(session=catalog, codes=["aqi"], district=HULI, now=T0, scope=b)[0] is first[0]
    assert kpi_strip(session=catalog, codes=["aqi"], district=HULI, now=T0, scope=CITY_WIDE)[0] is not first[0]


def test_drill_down_is_the_three_queries_cached_per_scope(catalog: Session) -> None:
    data = _random_readings(np.random.default_rng(7), 800, T0, 2)
    _store(catalog, data)
    start, end = T0 + timedelta(hours=2), T0 + timedelta(days=2)
    view = drill_down(session=catalog, code="aqi", district=HULI, start=start, end=end, bucket="hour")
    pd.testing.assert_frame_equal(
        view.trend, series(session=catalog, code="aqi", district=HULI, start=start, end=end, bucket="hour")
    )
    pd.testing.assert_frame_equal(view.latest, latest_by_district(session=catalog, code="aqi", now=end))
    pd.testing.assert_frame_equal(
        view.comparison, compare_districts(session=catalog, code="aqi", start=start, end=end)
    )
    assert (view.unit, view.warn, view.alarm, view.direction) == ("", 100, 200, "lower")
    again = drill_down(session=catalog, code="aqi", district=HULI, start=start, end=end, bucket="hour")
    bound = drill_down(session=catalog, code="aqi", district=HULI, start=start, end=end, bucket="hour",
                       scope=Scope.of(districts=[HULI]))  # fmt: skip
    assert again is view and bound is not view and bound.latest.district.tolist() == [HULI]
    cache = cache_of(catalog)
    assert cache is not None
    cache.invalidate(["indicator_readings"])  # as the bulk writer of readings does
    assert drill_down(session=catalog, code="aqi", district=HULI, start=start, end=end, bucket="hour") is not view
    with pytest.raises(ValueError, match="unknown indicator code 'nope'"):
        drill_down(session=catalog, code="nope", district=None, start=start, end=end, bucket="hour")


def test_indicator_choices_lists_the_catalog_by_domain(catalog: Session) -> None:
    choices = indicator_choices(session=catalog)
    assert choices[["code", "domain"]].values.tolist() == [["aqi", "environment"], ["water_pressure", "lifelines"]]
