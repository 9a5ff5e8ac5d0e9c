"""The hotline's time limits (办理时限) of a city: by category and urgency, how long until the citizen must have an
answer (the reply limit) and until the order must be closed (the close limit). The pack's optional
`hotline_limits.csv` holds them: one row per category (or `*` for every category without a row) and urgency,
each limit in hours on the clock (`2h`) or working days (`5wd`). A pack without the file takes `DEFAULT_ROWS`
(urgent 2 h / 24 h, ordinary 5 working days); a file with mistakes is reported one line per error, as the pack's
other files are.

Working days skip Saturdays and Sundays in the city's time zone and keep the wall-clock time: an order taken on
Friday at 10:00 with one working day is due on Monday at 10:00; one taken on a Saturday starts counting on Monday
at 00:00. Public holidays are not in the pack (yet), so they count as working days.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

URGENCIES = ("urgent", "ordinary")
ANY_CATEGORY = "*"
Unit = Literal["h", "wd"]
_SPAN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(h|wd)\s*$")


@dataclass(frozen=True)
class Span:
    """A time limit: `amount` hours (`h`) or whole working days (`wd`)."""

    amount: float
    unit: Unit

    @classmethod
    def parse(cls, text: str) -> Span:
        """`2h`, `0.5h`, `5wd`; ValueError saying what is accepted otherwise."""
        found = _SPAN.match(text or "")
        if not found or float(found[1]) <= 0:
            raise ValueError(f"{text!r} is not a time limit: write hours as 2h or working days as 5wd (more than 0)")
        amount, unit = float(found[1]), found[2]
        if unit == "wd" and not amount.is_integer():
            raise ValueError(f"{text!r}: working days are whole days (5wd); write part of a day in hours")
        return cls(amount, "h" if unit == "h" else "wd")

    def after(self, start: datetime, zone: ZoneInfo) -> datetime:
        """When a limit started at `start` runs out (UTC)."""
        if self.unit == "h":
            return (start + timedelta(hours=self.amount)).astimezone(UTC)
        local = start.astimezone(zone).replace(tzinfo=None)
        if local.weekday() >= 5:  # taken at a weekend: the clock starts on Monday morning
            local = datetime.combine(local.date() + timedelta(days=7 - local.weekday()), datetime.min.time())
        days = int(self.amount)
        while days:
            local += timedelta(days=1)
            if local.weekday() < 5:
                days -= 1
        return local.replace(tzinfo=zone).astimezone(UTC)

    def __str__(self) -> str:
        return f"{self.amount:g}{self.unit}"


@dataclass(frozen=True)
class LimitRow:
    """One row of the limits table: a category code (or `*`) and urgency, and its reply and close limits."""

    category: str
    urgency: str
    reply: Span
    close: Span


DEFAULT_ROWS = (LimitRow(ANY_CATEGORY, "urgent", Span(2, "h"), Span(24, "h")),
                LimitRow(ANY_CATEGORY, "ordinary", Span(5, "wd"), Span(5, "wd")))


@dataclass(frozen=True)
class HotlineLimits:
    """The limits table of a city, with its time zone (where working days are counted)."""

    rows: tuple[LimitRow, ...] = DEFAULT_ROWS
    timezone: str = "Asia/Shanghai"

    def row(self, category: str, urgency: str) -> LimitRow:
        """The category's own row for `urgency`, else the `*` row, else the default's."""
        for candidates in (self.rows, DEFAULT_ROWS):
            for wanted in (category, ANY_CATEGORY):
                found = next((row for row in candidates if row.category == wanted and row.urgency == urgency), None)
                if found is not None:
                    return found
        raise ValueError(f"unknown urgency {urgency!r}: use one of {', '.join(URGENCIES)}")

    def due(self, category: str, urgency: str, start: datetime) -> tuple[datetime, datetime]:
        """(reply due, close due) of an order of `category` and `urgency` taken at `start`."""
        row, zone = self.row(category, urgency), ZoneInfo(self.timezone)
        return row.reply.after(start, zone), row.close.after(start, zone)


def limits_of(rows: Sequence[LimitRow], timezone: str) -> HotlineLimits:
    """A city's limits: its rows (the defaults when it has none) in its zone."""
    return HotlineLimits(tuple(rows) or DEFAULT_ROWS, timezone)


FILE = "hotline_limits.csv"
COLUMNS = ("category", "urgency", "reply_limit", "close_limit")
Problem = tuple[str, int, str, str]  # file, line, field, reason


def load_hotline_limits(root: Path, categories: set[str] | None, timezone: str
                        ) -> tuple[HotlineLimits | None, list[Problem]]:
    """The limits of the pack at `root` and their problems; categories are checked only when categories.csv could
    be read (None: not)."""
    if not (root / FILE).is_file():
        return limits_of((), timezone), []
    problems: list[Problem] = []
    rows: list[LimitRow] = []
    with (root / FILE).open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            return None, [(FILE, 1, "header", f"lacks column(s) {', '.join(missing)}")]
        seen: set[tuple[str, str]] = set()
        for record in reader:
            line = reader.line_num
            values = {c: (record.get(c) or "").strip() for c in COLUMNS}
            before = len(problems)
            if not values["category"] or (values["category"] != ANY_CATEGORY and categories is not None
                                          and values["category"] not in categories):
                problems.append((FILE, line, "category", f"unknown category {values['category']!r} "
                                                         f"(a code of categories.csv, or {ANY_CATEGORY})"))
            if values["urgency"] not in URGENCIES:
                problems.append((FILE, line, "urgency", f"unknown urgency {values['urgency']!r} "
                                                        f"(allowed: {', '.join(URGENCIES)})"))
            elif (values["category"], values["urgency"]) in seen:
                problems.append((FILE, line, "urgency", f"duplicate row for {values['category']} "
                                                        f"{values['urgency']}"))
            spans: list[Span] = []
            for column in ("reply_limit", "close_limit"):
                try:
                    spans.append(Span.parse(values[column]))
                except ValueError as exc:
                    problems.append((FILE, line, column, str(exc)))
            if len(problems) == before:
                seen.add((values["category"], values["urgency"]))
                rows.append(LimitRow(values["category"], values["urgency"], *spans))
    return (None if problems else limits_of(rows, timezone)), problems
