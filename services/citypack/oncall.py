"""The on-call roster (值班表): who is on duty for a department, in a district or city-wide, at a given local time,
so an escalation names a person rather than a label nobody receives. Read from the pack's `oncall.toml`.

A shift is a weekly window in the city's time zone (`from`-`to`, crossing midnight when `to` is earlier); a
district's own shift is preferred to the city-wide one. Names and phones are personal data: pages mask them
unless the caller may see them (services/access.py).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path

from services.citypack.reading import line_of, optional_entries

FILE = "oncall.toml"
CLOCK = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
Problem = tuple[str, int, str, str]


@dataclass(frozen=True)
class Duty:
    """One shift: `department` (code), `district` (adcode, "" city-wide), the person, ISO weekdays (1 = Monday;
    empty: every day) and local start and end."""

    department: str
    district: str
    name: str
    phone: str
    title_zh: str
    title_en: str
    weekdays: tuple[int, ...]
    start: time
    end: time

    def covers(self, at: datetime) -> bool:
        """Whether the shift holds at local time `at` (a night shift belongs to the day it starts)."""
        now, day = at.time(), at.isoweekday()
        if self.start == self.end:
            return not self.weekdays or day in self.weekdays
        if self.start < self.end:
            return (not self.weekdays or day in self.weekdays) and self.start <= now < self.end
        started = day if now >= self.start else (day - 2) % 7 + 1  # after midnight: the shift began yesterday
        return (not self.weekdays or started in self.weekdays) and (now >= self.start or now < self.end)


@dataclass(frozen=True)
class Roster:
    duties: tuple[Duty, ...] = ()

    def on_duty(self, department: str, district: str | None, at: datetime) -> Duty | None:
        """Who answers for `department` in `district` at local time `at`: the district's shift, else the city's."""
        covering = [d for d in self.duties if d.department == department and d.covers(at)]
        return (next((d for d in covering if district and d.district == district), None)
                or next((d for d in covering if not d.district), None))


def load_roster(root: Path, departments: Collection[str] | None,
                districts: Collection[str] | None) -> tuple[Roster, list[Problem]]:
    """The roster of the pack at `root` (empty without an `oncall.toml`) and its problems, one per line."""
    problems: list[Problem] = []
    read = optional_entries(root, FILE, "duty", problems)
    if read is None:
        return Roster(), problems
    text, document, entries = read
    duties: list[Duty] = []
    for index, entry in enumerate(entries):
        line, field, before = line_of(text, r"\[\[\s*duty\s*\]\]", index), f"duty[{index + 1}]", len(problems)

        def add(key: str, reason: str, entry_line: int = line, name: str = field) -> None:
            problems.append((FILE, line_of(text, rf"{key}\s*=", 0, entry_line), f"{name}.{key}", reason))

        values = {key: str(entry.get(key, "")).strip() for key in
                  ("department", "district", "name", "phone", "title_zh", "title_en", "from", "to")}
        for key in ("department", "name", "phone", "title_zh", "title_en"):
            if not values[key]:
                add(key, "missing or empty")
        if departments is not None and values["department"] and values["department"] not in departments:
            add("department", f"unknown department {values['department']!r}")
        if districts is not None and values["district"] and values["district"] not in districts:
            add("district", f"unknown district {values['district']!r}")
        for key in ("from", "to"):
            if not CLOCK.fullmatch(values[key]):
                add(key, f"{values[key]!r} is not a time of day HH:MM")
        weekdays = entry.get("weekdays", [])
        if not isinstance(weekdays, list) or not all(isinstance(d, int) and 1 <= d <= 7 for d in weekdays):
            add("weekdays", "must be a list of ISO weekdays, 1 (Monday) to 7")
            weekdays = []
        if len(problems) == before:
            duties.append(Duty(values["department"], values["district"], values["name"], values["phone"],
                               values["title_zh"], values["title_en"], tuple(weekdays),
                               time.fromisoformat(values["from"]), time.fromisoformat(values["to"])))
    return Roster(tuple(duties)), problems
