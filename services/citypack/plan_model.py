"""An emergency plan (预案) as the city pack writes it: what triggers it, at which response level, which departments
act with which task and time limit, the checklist, what to watch and the notice to send.

Plain frozen data: the loader (services/plans/files.py) builds it from `plans/*.toml`, the matcher reads it, the
response commands copy what they need into the store (a response keeps its tasks even if the file changes later).
"""

from __future__ import annotations

from dataclasses import dataclass

# Response levels of the national framework (国家突发事件总体应急预案): I is the highest.
LEVELS = ("I", "II", "III", "IV")
LEVEL_NAMES = {"I": ("特别重大", "Particularly serious"), "II": ("重大", "Serious"), "III": ("较大", "Major"),
               "IV": ("一般", "General")}
TRIGGER_KINDS = ("cap", "event", "indicator")
ROLES = ("lead", "support")
# What a notice template may name; anything else in braces is refused when the pack is read.
NOTICE_FIELDS = ("plan", "level", "headline", "district", "department", "task", "deadline")


def higher(a: str, b: str) -> str:
    """The higher of two response levels (I above IV)."""
    return min(a, b, key=LEVELS.index)


@dataclass(frozen=True)
class Trigger:
    """One way a plan is set off. `cap`: an alert whose event name holds one of `events` and/or whose CAP category
    is one of `categories`, at `min_severity` or worse; `event`: an incident of `event_category`; `indicator`: a
    reading of `indicator` above `above` (or below `below`). `areas` (district adcodes) limits any kind; empty
    means the whole city. `level` is the response level this trigger asks for (None: the plan's)."""

    kind: str
    events: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    min_severity: str = "minor"
    event_category: str = ""
    indicator: str = ""
    above: float | None = None
    below: float | None = None
    areas: tuple[str, ...] = ()
    level: str | None = None


@dataclass(frozen=True)
class Task:
    """One department's part: lead or support, what it must do (both languages) and within how many minutes."""

    department: str
    role: str
    task_zh: str
    task_en: str
    within_minutes: int


@dataclass(frozen=True)
class CheckItem:
    """One line of the plan's checklist."""

    key: str
    zh: str
    en: str


@dataclass(frozen=True)
class Plan:
    """A plan as read from `plans/<code>.toml`; `tasks` lists the lead department(s) first."""

    code: str
    name_zh: str
    name_en: str
    level: str
    event_category: str
    triggers: tuple[Trigger, ...]
    tasks: tuple[Task, ...]
    checklist: tuple[CheckItem, ...]
    indicators: tuple[str, ...]
    layers: tuple[str, ...]
    notice_zh: str
    notice_en: str

    def name(self, lang: str) -> str:
        return self.name_zh if lang == "zh-CN" else self.name_en

    def notice(self, lang: str) -> str:
        return self.notice_zh if lang == "zh-CN" else self.notice_en
