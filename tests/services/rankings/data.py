"""Events and dispatches for the rankings and response-time tests, over the approvals tests' catalog (departments d1–d3, two
districts), and the frames the pandas references compute from."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from services.store import Event, EventDispatch
from tests.services.approvals.data import DISTRICTS

DEPARTMENTS = ("d1", "d2", "d3")
STATUSES = ("reported", "dispatched", "in_progress", "closed", "closed", "cancelled")


def events(session: Session, now: datetime, n: int = 300, days: float = 16, seed: int = 7
           ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`n` events over the `days` before `now` with one or two dispatches each, stored; (events, dispatches)."""
    rng = np.random.default_rng(seed)
    end = now.timestamp()
    stamp = lambda s: datetime.fromtimestamp(float(s), now.tzinfo)  # noqa: E731
    rows, dispatch_rows = [], []
    for _ in range(n):
        reported = end - rng.uniform(0, days * 86400)
        due = reported + rng.uniform(1, 72) * 3600 if rng.random() < 0.9 else None
        status = str(rng.choice(STATUSES))
        closed = min(reported + rng.uniform(1, 96) * 3600, end - 1) if status == "closed" else None
        district = str(rng.choice(DISTRICTS)) if rng.random() < 0.95 else None
        event = Event(category="c", source="test", severity="minor", status=status, district=district,
                      reported_at=stamp(reported), sla_due_at=stamp(due) if due else None,
                      closed_at=stamp(closed) if closed else None)
        session.add(event)
        session.flush()
        rows.append({"id": event.id, "district": district, "reported_at": reported, "sla_due_at": due,
                     "status": status, "closed_at": closed})
        for department in rng.choice(DEPARTMENTS, size=int(rng.integers(1, 3)), replace=False):
            dispatched = reported + rng.uniform(0, 2) * 3600
            finished = min(dispatched + rng.uniform(1, 80) * 3600, end - 1) if rng.random() < 0.6 else None
            arrived = min(dispatched + rng.uniform(-0.1, 3) * 3600, end - 1) if rng.random() < 0.7 else None
            session.add(EventDispatch(event_id=event.id, department=str(department), dispatched_at=stamp(dispatched),
                                      arrived_at=stamp(arrived) if arrived else None,
                                      finished_at=stamp(finished) if finished else None,
                                      status="finished" if finished else "dispatched"))
            dispatch_rows.append({"event_id": event.id, "department": str(department), "dispatched_at": dispatched,
                                  "arrived_at": arrived, "finished_at": finished})
    session.commit()
    return pd.DataFrame(rows), pd.DataFrame(dispatch_rows)
