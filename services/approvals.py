"""Government-service (一网通办) approval queries: throughput of applications received and completed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.db import Application


def hourly_throughput(*, session: Session, hours: int = 24, now: datetime | None = None) -> pd.DataFrame:
    """Applications received and completed in each of the last `hours` whole hours (columns hour, received,
    completed), with empty hours as zeros so a quiet night reads as a flat line, not a gap."""
    now = now or datetime.now(UTC)
    end = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    start = end - timedelta(hours=hours)
    received = session.scalars(
        select(Application.submitted_at).where(Application.submitted_at >= start, Application.submitted_at < end)
    ).all()
    completed = session.scalars(
        select(Application.completed_at).where(Application.completed_at >= start, Application.completed_at < end)
    ).all()
    hours_index = pd.date_range(start, end, freq="h", inclusive="left", tz=UTC)

    def per_hour(stamps: list[datetime | None]) -> pd.Series:
        floored = pd.Series(pd.to_datetime(stamps, utc=True)).dt.floor("h")
        return floored.value_counts().reindex(hours_index, fill_value=0)

    return pd.DataFrame({"hour": hours_index, "received": per_hour(list(received)).to_numpy(),
                         "completed": per_hour(list(completed)).to_numpy()})
