"""One reported event to work on, in 思明区, with the police and medical departments to dispatch to."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from services.store import Department, District, Event

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def reported_event(session: Session) -> int:
    """Adds the district, the departments and the event, commits; the event's id."""
    session.add(District(adcode="350203", name_zh="思明区", name_en="Siming", geometry="{}"))
    session.add_all([Department(code=c, name_zh=c, name_en=c, kind=c) for c in ("police", "medical")])
    event = Event(category="traffic", source="hotline", severity="moderate", status="reported", district="350203",
                  lat=24.45, lon=118.08, reported_at=NOW, sla_due_at=NOW + timedelta(hours=2))
    session.add(event)
    session.commit()
    return event.id
