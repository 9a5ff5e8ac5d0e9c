"""The periods a briefing covers: a local calendar day, or a local Monday-to-Sunday week, with the period just
before it and the same period a year earlier (year on year).

A scheduled briefing covers the last complete period before its fire time: a daily one the local day before, a
weekly one the week before the fire's week. A year earlier is the same calendar date for a day (28 February for
a 29th), and 52 weeks earlier for a week, so the comparison sets Monday against Monday.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from services.briefing.daily import day_window

KINDS = ("daily", "weekly")


@dataclass(frozen=True)
class Period:
    """`days` local calendar days from `first`: 1 (daily) or 7 (weekly, `first` a Monday)."""

    kind: str
    first: date

    @property
    def days(self) -> int:
        return 1 if self.kind == "daily" else 7

    @property
    def last(self) -> date:
        return self.first + timedelta(days=self.days - 1)

    def window(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """[local midnight of the first day, local midnight after the last day) in UTC."""
        return day_window(self.first, zone)[0], day_window(self.last, zone)[1]

    def previous(self) -> Period:
        return Period(self.kind, self.first - timedelta(days=self.days))

    def year_before(self) -> Period:
        if self.kind == "weekly":
            return Period(self.kind, self.first - timedelta(weeks=52))
        try:
            return Period(self.kind, self.first.replace(year=self.first.year - 1))
        except ValueError:  # 29 February
            return Period(self.kind, self.first.replace(year=self.first.year - 1, day=28))

    @property
    def label(self) -> str:
        """The period as a file name and a record key: `2026-11-23` or `2026-11-23_2026-11-29`."""
        return self.first.isoformat() if self.days == 1 else f"{self.first.isoformat()}_{self.last.isoformat()}"


def period_before(kind: str, moment: datetime, zone: ZoneInfo) -> Period:
    """The last complete `kind` period before `moment` (aware), in `zone`'s calendar."""
    if kind not in KINDS:
        raise ValueError(f"period must be one of {', '.join(KINDS)}, got {kind!r}")
    today = moment.astimezone(zone).date()
    if kind == "daily":
        return Period(kind, today - timedelta(days=1))
    return Period(kind, today - timedelta(days=today.weekday() + 7))
