"""Event map queries against hand-made events, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.db import District, Event
from services.events import open_by_district, recent_points

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
    assert len(points) == 2
    assert list(points["reported_at"]) == sorted(points["reported_at"], reverse=True)
    assert recent_points(session=session, hours=24, limit=1, now=NOW).shape[0] == 1
