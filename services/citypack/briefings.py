"""The scheduled briefings (定期简报) of the pack's `briefings.toml`: each `[[briefing]]` names a period (daily or
weekly), a cron expression in the city's time zone, its languages, and where it goes (e-mail addresses and/or a
folder of the intranet's file exchange); `[sentences.<language>]` holds the wording of the movements it reports
(services/briefing/movements.py), the city's own words, checked here field by field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from croniter import croniter

from services.citypack.reading import line_of, optional_entries, template_problems

FILE = "briefings.toml"
PERIODS = ("daily", "weekly")
LANGUAGES = ("zh-CN", "en")
MEASURES = ("work_orders", "events", "approvals", "alerts")
NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,31}")
ADDRESS = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
MOVEMENT_FIELDS = ("period", "previous_period", "measure", "current", "previous", "change", "year_ago",
                   "year_change", "driver", "driver_change")
# Each sentence key and the fields it may name; the words for the periods and the measures name none.
SENTENCES: dict[str, tuple[str, ...]] = {
    "rise": MOVEMENT_FIELDS, "fall": MOVEMENT_FIELDS, "steady": ("period", "previous_period"),
    **{word: () for word in ("daily", "daily_previous", "weekly", "weekly_previous", *MEASURES)},
}
Problem = tuple[str, int, str, str]


@dataclass(frozen=True)
class Schedule:
    """One scheduled briefing: `cron` in the city's zone; at least one of `email` and `folder`."""

    name: str
    period: str
    cron: str
    languages: tuple[str, ...]
    email: tuple[str, ...] = ()
    folder: str = ""


@dataclass(frozen=True)
class Briefings:
    schedules: tuple[Schedule, ...] = ()
    sentences: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # language -> SENTENCES' templates


def load_briefings(root: Path) -> tuple[Briefings, list[Problem]]:
    """The scheduled briefings of the pack at `root` (none without a `briefings.toml`) and their problems."""
    problems: list[Problem] = []
    read = optional_entries(root, FILE, "briefing", problems)
    if read is None:
        return Briefings(), problems
    text, document, entries = read
    schedules, names = [], set[str]()
    for index, entry in enumerate(entries):
        line, name, before = line_of(text, r"\[\[\s*briefing\s*\]\]", index), f"briefing[{index + 1}]", len(problems)

        def add(key: str, reason: str, entry_line: int = line, label: str = name) -> None:
            problems.append((FILE, line_of(text, rf"{key}\s*=", 0, entry_line), f"{label}.{key}", reason))

        title, period, cron = (str(entry.get(key, "")).strip() for key in ("name", "period", "cron"))
        if not NAME.fullmatch(title):
            add("name", f"{title!r} is not a short lower-case name")
        elif title in names:
            add("name", f"duplicate {title!r}")
        names.add(title)
        if period not in PERIODS:
            add("period", f"{period!r} is not one of {', '.join(PERIODS)}")
        if not croniter.is_valid(cron):
            add("cron", f"{cron!r} is not a cron expression (minute hour day month weekday)")
        languages, email, folder = entry.get("languages", list(LANGUAGES)), entry.get("email", []), entry.get("folder", "")
        if not isinstance(languages, list) or not languages or any(lang not in LANGUAGES for lang in languages):
            add("languages", f"must be a list of {', '.join(LANGUAGES)}")
        if not isinstance(email, list) or any(not isinstance(a, str) or not ADDRESS.fullmatch(a) for a in email):
            add("email", "must be a list of e-mail addresses")
        if not isinstance(folder, str):
            add("folder", "must be a folder path")
        elif not email and not folder.strip():
            add("email", "a briefing needs e-mail addresses or a folder to go to")
        if len(problems) == before:
            schedules.append(Schedule(title, period, cron, tuple(languages), tuple(email), folder.strip()))
    sentences = _sentences(text, document.get("sentences"), problems) if entries else {}
    return Briefings(tuple(schedules), sentences), problems


def _sentences(text: str, table: object, problems: list[Problem]) -> dict[str, dict[str, str]]:
    if not isinstance(table, dict):
        problems.append((FILE, 1, "sentences", f"missing [sentences.<language>] tables ({', '.join(LANGUAGES)})"))
        return {}
    found: dict[str, dict[str, str]] = {}
    for lang in LANGUAGES:
        line = line_of(text, rf"\[\s*sentences\.\"?{re.escape(lang)}\"?\s*\]")
        words = table.get(lang)
        if not isinstance(words, dict):
            problems.append((FILE, 1, f"sentences.{lang}", "missing table"))
            continue
        found[lang] = {}
        for key, allowed in SENTENCES.items():
            where, value = line_of(text, rf"\"?{key}\"?\s*=", 0, line), words.get(key)
            if not isinstance(value, str) or not value.strip():
                problems.append((FILE, where if key in words else line, f"sentences.{lang}.{key}", "missing or empty"))
                continue
            problems.extend((FILE, where, f"sentences.{lang}.{key}", wrong)
                            for wrong in template_problems(value, allowed))
            found[lang][key] = value
    return found
