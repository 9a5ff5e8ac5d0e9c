"""The registry on both stores: deliveries counted per hour and target, freshness, the monitor's reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from services.sources import (
    SourceInfo,
    daily_volume,
    freshness,
    late_sources,
    record_delivery,
    register_sources,
    source_statuses,
)
from services.store import make_sessionmaker
from services.store.cache import LocalQueryCache
from services.store.catalog import install_catalog

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 1, 4, 30, tzinfo=UTC)  # 12:30 in Xiamen


@dataclass
class Report:
    accepted: int = 0
    updated: int = 0
    refused: list[object] = field(default_factory=list)


@dataclass
class Refusal:
    row: int
    field: str
    reason: str


AQI = SourceInfo("ecology-aqi", "空气质量监测", "Air quality", "ecology", "sql", "readings", 300, ("aqi",))


def test_freshness_is_on_time_then_late_after_a_cadence_and_a_half_then_silent() -> None:
    assert freshness(NOW - timedelta(minutes=7), 300, NOW) == "on_time"
    assert freshness(NOW - timedelta(minutes=8), 300, NOW) == "late"
    assert freshness(NOW - timedelta(minutes=21), 300, NOW) == "silent"
    assert freshness(None, 300, NOW) == "silent"


def test_deliveries_are_counted_per_source_day_and_department(session: Session) -> None:
    install_catalog(session, districts=[])
    register_sources(session, [AQI])
    record_delivery(session, "ecology-aqi", "readings", Report(accepted=10, updated=2), at=NOW - timedelta(hours=1))
    record_delivery(session, "ecology-aqi", "readings", Report(accepted=5), at=NOW)
    record_delivery(session, "ecology-aqi", "readings", Report(accepted=7), at=NOW - timedelta(days=1))
    session.commit()
    (aqi,) = source_statuses(session, now=NOW, zone=ZONE)
    assert (aqi.rows_today, aqi.rows_7d, aqi.refused_7d, aqi.state) == (17, 24, 0, "on_time")
    assert (aqi.department_zh, aqi.panels, aqi.indicators) == ("厦门市生态环境局", ("kpis", "focus"), ("aqi",))
    volume = daily_volume(session, now=NOW, zone=ZONE)
    assert volume.to_dict("records") == [{"day": "2026-11-30", "department": "ecology", "rows": 7},
                                         {"day": "2026-12-01", "department": "ecology", "rows": 17}]


def test_a_push_source_registers_itself_and_an_all_refused_batch_is_its_last_error(session: Session) -> None:
    record_delivery(session, "city-brain", "events", Report(refused=[Refusal(3, "lat", "must be a number")]), at=NOW)
    session.commit()
    (brain,) = source_statuses(session, now=NOW, zone=ZONE)
    assert (brain.kind, brain.department, brain.refused_7d, brain.failing) == ("push", None, 1, True)
    assert brain.last_error == "1 rows refused; row 3 lat: must be a number"


def test_late_sources_name_the_panels_and_indicators_that_depend_on_them(session: Session) -> None:
    install_catalog(session, districts=[])
    register_sources(session, [AQI])
    record_delivery(session, "ecology-aqi", "readings", Report(accepted=1), at=NOW - timedelta(minutes=10))
    session.commit()
    late = late_sources(session, now=NOW)
    assert sorted(late) == ["focus", "kpi-aqi", "kpis"]
    assert [(s.id, s.name_zh, s.state) for s in late["kpi-aqi"]] == [("ecology-aqi", "空气质量监测", "late")]
    assert late_sources(session, now=NOW - timedelta(minutes=9)) == {}


def test_a_declared_source_that_never_delivered_is_silent_on_the_page_but_names_no_wall_panel(session: Session) -> None:
    install_catalog(session, districts=[])
    register_sources(session, [AQI])
    session.commit()
    assert [s.state for s in source_statuses(session, now=NOW, zone=ZONE)] == ["silent"]
    assert late_sources(session, now=NOW) == {}


def test_late_sources_read_the_registry_once_per_write_and_judge_freshness_at_every_call(engine: Engine) -> None:
    """The wall asks on every KPI refresh of every screen: the registry comes from the cache until a delivery
    writes data_sources, while lateness still moves with `now`."""
    sessions = make_sessionmaker(engine, LocalQueryCache())
    with sessions() as session:
        install_catalog(session, districts=[])
        register_sources(session, [AQI])
        record_delivery(session, "ecology-aqi", "readings", Report(accepted=1), at=NOW - timedelta(minutes=10))
        session.commit()
    statements: list[str] = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731  (conn, cursor, statement, ...)
    event.listen(engine, "before_cursor_execute", listen)
    try:
        with sessions() as session:
            assert late_sources(session, now=NOW)["kpi-aqi"][0].state == "late"
            assert late_sources(session, now=NOW - timedelta(minutes=9)) == {}, "freshness is judged at `now`"
        read = len(statements)
        with sessions() as session:
            late_sources(session, now=NOW)
        assert len(statements) == read, "the second screen's refresh read the registry from the cache"
        with sessions() as session:
            record_delivery(session, "ecology-aqi", "readings", Report(accepted=1), at=NOW)
            session.commit()
        with sessions() as session:
            assert late_sources(session, now=NOW) == {}, "a delivery invalidates the cached registry"
    finally:
        event.remove(engine, "before_cursor_execute", listen)
