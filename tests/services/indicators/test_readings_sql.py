"""services.indicators.readings_sql: the zone offsets SQLite's day buckets rely on, and nearest-reading lookups."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert
from sqlalchemy.orm import Session

from services.indicators.readings_sql import nearest_values, offset_segments
from services.store import Indicator, IndicatorReading

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_offset_segments_follow_the_zone_transitions() -> None:
    end = T0 + timedelta(days=365)
    assert offset_segments(ZoneInfo("Asia/Shanghai"), T0, end) == [(T0, 8 * 3600)]
    berlin = offset_segments(ZoneInfo("Europe/Berlin"), T0, end)
    assert berlin == [
        (T0, 3600),
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), 7200),
        (datetime(2026, 10, 25, 1, 0, tzinfo=UTC), 3600),
    ]


def test_nearest_values_pick_the_closest_reading_within_tolerance(session: Session) -> None:
    session.add(Indicator(code="aqi", name_zh="AQI", name_en="AQI", domain="environment", unit="",
                          direction="lower", warn=100, alarm=200, cadence_minutes=60))  # fmt: skip
    session.commit()
    stamps = {T0: 1.0, T0 + timedelta(minutes=50): 2.0, T0 + timedelta(minutes=65): 3.0}
    rows = [{"indicator_code": "aqi", "district": None, "ts": ts, "value": v} for ts, v in stamps.items()]
    session.execute(insert(IndicatorReading), rows)
    session.commit()
    hour, upto = timedelta(hours=1), T0 + timedelta(days=1)
    targets = [
        ("aqi", T0 + timedelta(minutes=60), hour, upto),  # 65 min is closer than 50 min
        ("aqi", T0 + timedelta(minutes=54), hour, upto),  # 50 min is closer
        ("aqi", T0 + timedelta(minutes=60), hour, T0 + timedelta(minutes=60)),  # only readings before 60 min
        ("aqi", T0 + timedelta(hours=5), hour, upto),  # nothing within an hour
        ("aqi", T0 - timedelta(minutes=30), timedelta(minutes=10), upto),  # nothing within 10 minutes
    ]
    assert nearest_values(session, None, targets) == [3.0, 2.0, 2.0, None, None]
    assert nearest_values(session, "350203", targets[:1]) == [None]
    assert nearest_values(session, None, []) == []
