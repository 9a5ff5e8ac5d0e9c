"""Event map queries against hand-made events, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import select

from services.access import CITY_WIDE, Scope
from services.config import DEFAULT_CITY
from services.events.lifecycle import STATUSES
from services.events.points import map_points, points
from services.events.queries import (
    SEVERITIES,
    EventFilter,
    count_matching,
    counts_by_district,
    detail,
    export_rows,
    grid_counts,
    open_by_district,
    recent_points,
    table_page,
)
from services.geo import load_city, locate_events
from services.store import (
    Department,
    District,
    Event,
    EventDispatch,
)

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _event(district: str, status: str, hours_ago: float, due_in_hours: float) -> Event:
    return Event(category="道路交通", source="video", severity="moderate", status=status, district=district,
                 lat=24.45, lon=118.08, reported_at=NOW - timedelta(hours=hours_ago),
                 sla_due_at=NOW + timedelta(hours=due_in_hours))


def test_open_and_overdue_per_district(session):
    session.add_all([District(adcode=code, name_zh=code, name_en=code, geometry="{}") for code in ("A", "B")])
    session.add_all([
        _event("A", "dispatched", 1, 2), _event("A", "in_progress", 30, -1), _event("A", "closed", 2, -5),
        _event("B", "cancelled", 1, -1), _event("B", "reported", 1, -0.5),
    ])
    session.commit()
    frame = open_by_district(session=session, now=NOW).set_index("district")
    assert frame.loc["A", "open"] == 2 and frame.loc["A", "overdue"] == 1
    assert frame.loc["B", "open"] == 1 and frame.loc["B", "overdue"] == 1


def test_recent_points_are_open_newest_first_within_the_window(session):
    session.add(District(adcode="A", name_zh="A", name_en="A", geometry="{}"))
    session.add_all([_event("A", "dispatched", h, 1) for h in (0.5, 3, 30)] + [_event("A", "closed", 0.2, 1)])
    session.commit()
    points = recent_points(session=session, hours=24, now=NOW)
    newest_first = session.scalars(select(Event.id).where(Event.status == "dispatched",
                                                          Event.reported_at >= NOW - timedelta(hours=24))
                                   .order_by(Event.reported_at.desc())).all()
    assert list(points["id"]) == newest_first and len(newest_first) == 2
    assert list(points.columns) == ["id", "lat", "lon", "severity"]
    assert recent_points(session=session, hours=24, limit=1, now=NOW).shape[0] == 1


# --- issue 4: filters, scope, paging, grid counts, detail ---

def _linked(session) -> list[Event]:
    """Three districts' events, two with dispatches, on the real Xiamen grid coordinates."""
    session.add_all([District(adcode=c, name_zh=c, name_en=c, geometry="{}") for c in ("350203", "350206", "350211")])
    session.add_all([Department(code=c, name_zh=c, name_en=c, kind=c) for c in ("police", "medical", "water")])
    rows = [("350203", "traffic", "dispatched", 1, 118.067, 24.447), ("350203", "water", "closed", 5, 118.09, 24.46),
            ("350206", "traffic", "reported", 2, 118.12, 24.51), ("350211", "fire", "in_progress", 30, 118.07, 24.63)]
    made = [Event(category=cat, source="app", severity="minor", status=status, district=district, lon=lon, lat=lat,
                  reported_at=NOW - timedelta(hours=h), sla_due_at=NOW + timedelta(hours=1), closed_at=None)
            for district, cat, status, h, lon, lat in rows]
    session.add_all(made)
    session.flush()
    session.add_all([EventDispatch(event_id=made[0].id, department="police", dispatched_at=NOW, status="accepted"),
                     EventDispatch(event_id=made[0].id, department="medical", dispatched_at=NOW, status="accepted"),
                     EventDispatch(event_id=made[3].id, department="water", dispatched_at=NOW, status="finished")])
    session.commit()
    return made


def test_filter_round_trips_through_the_url_and_names_bad_fields():
    filters = EventFilter(status=("open",), category=("traffic", "fire"), department=("police",),
                          start=datetime(2026, 11, 1, tzinfo=UTC))
    assert EventFilter.from_query(filters.to_query()) == filters
    assert "closed" not in filters.statuses and "rework" in filters.statuses
    with pytest.raises(ValueError, match="^status: unknown value"):
        EventFilter.from_query({"status": "open,bogus"})
    with pytest.raises(ValueError, match="^start: "):
        EventFilter.from_query({"start": "yesterday"})


def test_filters_and_scope_apply_in_sql(session):
    made = _linked(session)

    def ids(filters: EventFilter, scope: Scope = CITY_WIDE) -> set[int]:
        return set(points(session=session, filters=filters, scope=scope)["id"])

    assert ids(EventFilter()) == {e.id for e in made}
    assert ids(EventFilter(status=("open",))) == {made[0].id, made[2].id, made[3].id}
    assert ids(EventFilter(category=("traffic",), district=("350203",))) == {made[0].id}
    assert ids(EventFilter(department=("police",))) == {made[0].id}
    assert ids(EventFilter(start=NOW - timedelta(hours=3))) == {made[0].id, made[2].id}
    assert ids(EventFilter(end=NOW - timedelta(hours=3))) == {made[1].id, made[3].id}
    assert ids(EventFilter(), Scope.of(districts=["350206"])) == {made[2].id}
    assert ids(EventFilter(), Scope.of(departments=["water"])) == {made[3].id}
    counts = counts_by_district(session=session, scope=Scope.of(districts=["350203"]), now=NOW)
    assert counts.to_dict("records") == [{"district": "350203", "events": 2, "open": 1, "overdue": 0}]


def test_table_pages_sort_in_sql_and_refuse_unknown_columns(session):
    made = _linked(session)
    first = table_page(session=session, offset=0, limit=3, sort_by="reported_at", descending=True)
    second = table_page(session=session, offset=3, limit=3, sort_by="reported_at", descending=True)
    assert first.total == second.total == 4
    assert list(first.rows["id"]) + list(second.rows["id"]) == [made[i].id for i in (0, 2, 1, 3)]
    by_category = table_page(session=session, sort_by="category", descending=False).rows
    assert list(by_category["category"]) == sorted(by_category["category"])
    with pytest.raises(ValueError, match="^sort_by: 'reporter_phone' is not a column"):
        table_page(session=session, sort_by="reporter_phone")
    assert len(export_rows(session=session, filters=EventFilter(status=("closed",)))) == 1


def test_grid_counts_group_by_the_cell_each_event_was_given(session):
    made = _linked(session)
    city = load_city(DEFAULT_CITY)
    assert locate_events(session, city) == len(made)  # the cell ids a writer gives events without one
    session.commit()
    counts = grid_counts(session=session, district="350203")
    expected = city.grid.cell_of([made[0].lon, made[1].lon], [made[0].lat, made[1].lat], ["350203", "350203"])
    assert dict(zip(counts["cell"], counts["events"], strict=True)) == pd.Series(expected).value_counts().to_dict()
    assert set(counts["cell"]) <= set(city.grid.cells.index)
    open_only = grid_counts(session=session, district="350203", filters=EventFilter(status=("open",)))
    assert open_only.to_dict("records") == [{"cell": expected[0], "events": 1}]


def test_map_points_are_cached_until_events_change_and_say_when_capped(session):
    made = _linked(session)
    shown = map_points(session=session, limit=3)
    assert shown.capped and len(shown.frame) == 3
    assert list(shown.frame["id"]) == [made[i].id for i in (0, 2, 1)]  # the newest
    assert str(shown.frame["status"].iloc[0]) == "dispatched" and str(shown.frame["severity"].iloc[0]) == "minor"
    assert count_matching(session=session) == 4
    assert not map_points(session=session, limit=4).capped
    session.get(Event, made[0].id).status = "in_progress"
    session.flush()
    assert str(map_points(session=session, limit=3).frame["status"].iloc[0]) == "dispatched"  # cached
    session.commit()  # invalidates the views of what it wrote: no writer has to remember to
    assert str(map_points(session=session, limit=3).frame["status"].iloc[0]) == "in_progress"


def test_detail_has_dispatches_history_card_and_respects_scope(session):
    made = _linked(session)
    shown = detail(session=session, event_id=made[0].id, now=NOW + timedelta(minutes=55))
    assert shown is not None and shown.event["category"] == "traffic"
    assert sorted(shown.dispatches["department"]) == ["medical", "police"]
    assert shown.card == "yellow"  # 1 h 55 min of a 2 h limit
    assert detail(session=session, event_id=made[0].id, scope=Scope.of(districts=["350206"])) is None
    assert detail(session=session, event_id=999_999) is None


def test_points_unpack_every_status_and_severity_code_exactly(session):
    """`points` gets id, status and severity packed into one number: each comes back as stored ("other" for a
    value outside the known codes), and coordinates are the stored floats."""
    session.add(District(adcode="A", name_zh="A", name_en="A", geometry="{}"))
    made = [Event(category="traffic", source="video", severity=severity, status=status, district="A",
                  lat=24.45 + n * 1e-7, lon=118.08 - n * 1e-7, reported_at=NOW - timedelta(minutes=n))
            for n, (status, severity) in enumerate((s, v) for s in (*STATUSES, "odd")
                                                   for v in (*SEVERITIES, "bogus"))]
    session.add_all(made)
    session.commit()
    frame = points(session=session).set_index("id")
    for event in made:
        row = frame.loc[event.id]
        assert str(row["status"]) == (event.status if event.status in STATUSES else "other")
        assert str(row["severity"]) == (event.severity if event.severity in SEVERITIES else "other")
        assert (row["lon"], row["lat"]) == (event.lon, event.lat)
