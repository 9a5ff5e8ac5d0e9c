"""Event (incident) queries for the map: open events per district and the points to draw.

Open means not yet closed or cancelled. Overdue means past its SLA due time while still open (the red card).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from services.db import Event

FINISHED = ("closed", "cancelled")


def open_by_district(*, session: Session, now: datetime | None = None) -> pd.DataFrame:
    """Per district: open events and how many of them are overdue (columns district, open, overdue)."""
    now = now or datetime.now(UTC)
    overdue = func.sum(case((Event.sla_due_at < now, 1), else_=0))
    query = (
        select(Event.district, func.count().label("open"), overdue.label("overdue"))
        .where(Event.status.not_in(FINISHED), Event.district.is_not(None))
        .group_by(Event.district)
    )
    frame = pd.DataFrame(session.execute(query).all(), columns=["district", "open", "overdue"])
    return frame.astype({"open": "int64", "overdue": "int64"})


def recent_points(
    *, session: Session, hours: int = 24, limit: int = 20_000, now: datetime | None = None
) -> pd.DataFrame:
    """Open events reported in the last `hours`, newest first, capped at `limit` points for the wall map."""
    now = now or datetime.now(UTC)
    query = (
        select(Event.id, Event.lat, Event.lon, Event.category, Event.severity, Event.status, Event.reported_at,
               Event.sla_due_at)
        .where(Event.reported_at >= now - timedelta(hours=hours), Event.status.not_in(FINISHED),
               Event.lat.is_not(None))
        .order_by(Event.reported_at.desc())
        .limit(limit)
    )
    columns = ["id", "lat", "lon", "category", "severity", "status", "reported_at", "sla_due_at"]
    return pd.DataFrame(session.execute(query).all(), columns=columns)
