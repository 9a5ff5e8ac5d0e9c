"""ingest_events on both backends: stored whole or refused by field, idempotent per sending system, placed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from services.ingest import Refusal, ingest_events
from services.store import Event
from services.store.catalog import load_categories, load_departments

CATEGORIES = load_categories()  # the default pack's
ROW = {"external_id": "WL-1", "source": "water", "category": "waterlogging", "title": "道路积水",
       "reported_at": "2026-12-01T09:30:00+08:00", "lon": 118.0894, "lat": 24.4798, "reporter_name": "张三",
       "reporter_phone": "13812341234", "priority": "high"}


def test_an_event_is_stored_with_its_district_grid_sla_and_reporter(store, city):
    report = ingest_events(store, [ROW], source="water-bureau", city=city, categories=CATEGORIES)
    store.commit()
    assert (report.accepted, report.updated, report.refused) == (1, 0, [])
    event = store.scalar(select(Event))
    assert event.district == "350203" and event.grid.startswith("350203-r") and not event.out_of_city
    assert event.reported_at == datetime(2026, 12, 1, 1, 30, tzinfo=UTC)
    assert event.sla_due_at == datetime(2026, 12, 1, 5, 30, tzinfo=UTC)  # waterlogging: 4 hours
    assert (event.status, event.severity, event.reporter_name, event.title) == ("reported", "severe", "张三", "道路积水")


def test_sending_again_updates_and_another_system_may_reuse_the_id(store, city):
    ingest_events(store, [ROW], source="x", city=city, categories=CATEGORIES)
    again = ingest_events(store, [{**ROW, "title": "积水加深"}, {**ROW, "source": "hotline"}], source="x", city=city, categories=CATEGORIES)
    store.commit()
    assert (again.accepted, again.updated) == (1, 1)
    assert store.scalar(select(func.count()).select_from(Event)) == 2
    assert store.scalar(select(Event.title).where(Event.source == "water")) == "积水加深"


def test_bad_rows_are_refused_by_field_and_the_rest_stored(store, city):
    rows = [ROW, {**ROW, "external_id": "2", "category": "ufo"}, {**ROW, "external_id": "3", "reported_at": "2026-12-01 09:30"},
            {**ROW, "external_id": "4", "lon": None}, {**ROW, "external_id": "5", "district": "999999"},
            {**ROW, "external_id": "6", "lon": None, "lat": None, "address": "思明南路1号", "district": "350203"},
            {**ROW, "external_id": None}]
    report = ingest_events(store, rows, source="x", city=city, categories=CATEGORIES)
    store.commit()
    assert report.accepted == 2
    assert [(r.row, r.field) for r in report.refused] == [(2, "category"), (3, "reported_at"), (4, "lon"),
                                                         (5, "district"), (7, "external_id")]
    assert "offset" in report.refused[1].reason and isinstance(report.refused[0], Refusal)


def test_a_point_outside_the_city_is_kept_and_flagged(store, city):
    ingest_events(store, [{**ROW, "lon": 116.4, "lat": 39.9}], source="x", city=city, categories=CATEGORIES)
    store.commit()
    event = store.scalar(select(Event))
    assert event.out_of_city and event.district is None


def test_the_categories_and_their_time_limits_are_the_city_packs(store, city):
    """Another pack's categories: its own category is taken with its time limit, one it lacks is refused by field."""
    lanshan = load_categories(Path(__file__).resolve().parents[2] / "citypacks" / "lanshan" / "categories.csv",
                              departments=[d.code for d in load_departments()])
    rows = [{**ROW, "category": "flooding"}, {**ROW, "external_id": "2"}]
    report = ingest_events(store, rows, source="x", city=city, categories=lanshan)
    store.commit()
    assert report.accepted == 1 and [(r.row, r.field) for r in report.refused] == [(2, "category")]
    assert "waterlogging" in report.refused[0].reason
    assert store.scalar(select(Event.sla_due_at)) == datetime(2026, 12, 1, 5, 30, tzinfo=UTC)  # flooding: 4 hours
