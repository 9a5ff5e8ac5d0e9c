"""The movements of a period: four counts (12345 work orders, reported events, applications received, alerts
issued) in the period, the period before and the same period a year earlier, per district, and the biggest
changes worded from the pack's templates.

The rule that picks what is worth a sentence: a measure moves when it had at least `MIN_BASE` in the period
before and changed by at least `MIN_CHANGE` of it; the moving measures are told biggest relative change first
(ties in `MEASURES` order), at most `TOP_MOVEMENTS`. Its driver is the district whose own count moved most the
same way (ties by adcode). Nothing moving is said in one steady sentence.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from services.access import CITY_WIDE, Scope
from services.store import Alert, Application, Event, WorkOrder

MEASURES = ("work_orders", "events", "approvals", "alerts")
MIN_BASE, MIN_CHANGE, TOP_MOVEMENTS = 20, 0.05, 3
NO_DISTRICT = ""


@dataclass(frozen=True)
class Movement:
    """One measure over the period: its counts, the change on the period before (a fraction; None under
    `MIN_BASE`), the change on a year earlier (None without a year-earlier count) and its driver district."""

    measure: str
    current: int
    previous: int
    year_ago: int
    change: float | None
    year_change: float | None
    driver: str
    driver_change: int

    @property
    def moved(self) -> bool:
        return self.change is not None and abs(self.change) >= MIN_CHANGE


def _counted(column: InstrumentedAttribute[datetime], district: InstrumentedAttribute[str | None],
             start: datetime, end: datetime, scope: Scope, *where: ColumnElement[bool]) -> Select[str | None, int]:
    return (select(district, func.count()).where(column >= start, column < end, scope.district_filter(district),
                                                 *where).group_by(district))


def measure_counts(session: Session, start: datetime, end: datetime, scope: Scope = CITY_WIDE) -> pd.DataFrame:
    """Per measure and district ('' for none) the count in [start, end): columns measure, district, n."""
    queries: Mapping[str, Select[str | None, int]] = {
        "work_orders": _counted(Event.reported_at, Event.district, start, end, scope)
        .join(WorkOrder, WorkOrder.event_id == Event.id),
        "events": _counted(Event.reported_at, Event.district, start, end, scope),
        "approvals": _counted(Application.submitted_at, Application.district, start, end, scope),
        "alerts": _counted(Alert.sent_at, Alert.district, start, end, scope, Alert.msg_type == "alert"),
    }
    rows = [(measure, district or NO_DISTRICT, int(n))
            for measure, query in queries.items() for district, n in session.execute(query).all()]
    return pd.DataFrame(rows, columns=["measure", "district", "n"])


def _change(now: int, before: int, base: int) -> float | None:
    return (now - before) / before if before >= base and before > 0 else None


def movements(current: pd.DataFrame, previous: pd.DataFrame, year_ago: pd.DataFrame) -> tuple[Movement, ...]:
    """Every measure's movement (`measure_counts` of the three periods), in `MEASURES` order."""
    out = []
    for measure in MEASURES:
        now, before, year = (frame[frame["measure"] == measure].groupby("district")["n"].sum()
                             for frame in (current, previous, year_ago))
        deltas = now.sub(before, fill_value=0).astype(int)
        total, total_before = int(now.sum()), int(before.sum())
        sign = 1 if total >= total_before else -1
        ranked = sorted(((sign * int(d), key) for key, d in deltas.items() if sign * d > 0), key=lambda x: (-x[0], x[1]))
        driver, driver_change = (ranked[0][1], sign * ranked[0][0]) if ranked else (NO_DISTRICT, 0)
        out.append(Movement(measure, total, total_before, int(year.sum()), _change(total, total_before, MIN_BASE),
                            _change(total, int(year.sum()), 1), driver, driver_change))
    return tuple(out)


def biggest(all_movements: tuple[Movement, ...]) -> tuple[Movement, ...]:
    """The movements worth a sentence, by the rule of the module docstring."""
    moving = [m for m in all_movements if m.moved]
    return tuple(sorted(moving, key=lambda m: -abs(m.change or 0.0))[:TOP_MOVEMENTS])


def sentences(chosen: tuple[Movement, ...], words: Mapping[str, str], kind: str,
              district_names: Mapping[str, str]) -> tuple[str, ...]:
    """The chosen movements worded by one language's templates (`words`: the pack's [sentences.<lang>])."""
    period, previous_period = words[kind], words[f"{kind}_previous"]
    if not chosen:
        return (words["steady"].format(period=period, previous_period=previous_period),)
    said = []
    for m in chosen:
        template = words["rise" if (m.change or 0) > 0 else "fall"]
        said.append(template.format(
            period=period, previous_period=previous_period, measure=words[m.measure], current=m.current,
            previous=m.previous, change=f"{abs(m.change or 0) * 100:.0f}", year_ago=m.year_ago,
            year_change="—" if m.year_change is None else f"{m.year_change * 100:+.0f}%",
            driver=district_names.get(m.driver, m.driver) or "—", driver_change=f"{m.driver_change:+d}"))
    return tuple(said)
