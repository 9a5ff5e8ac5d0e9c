"""Reading `plans/*.toml` of a city pack: one file per plan, checked against the pack's catalogs, every problem one
`file:line: field: reason` line (the pack's convention), so whoever writes a plan fixes all of it in one round.

The checks that matter in an emergency are made here rather than at activation: a department, district, category
or indicator the pack does not know, a time limit that is not a positive number of minutes, a trigger that could
never match, a notice naming a field nobody fills.
"""

from __future__ import annotations

import re
import string
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.citypack.plan_model import (
    LEVELS,
    NOTICE_FIELDS,
    ROLES,
    TRIGGER_KINDS,
    CheckItem,
    Plan,
    Task,
    Trigger,
)
from services.citypack.reading import line_of, read_toml
from services.severity import GRADED

FOLDER = "plans"
CODE = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
ALERT_LAYERS = ("alerts", "area")  # map layers besides the event categories: the alert stream, the incident's area
Problem = tuple[str, int, str, str]  # file, line, field, reason


@dataclass(frozen=True)
class Known:
    """What a plan may name: the pack's codes (None: that file could not be read, so nothing is checked against
    it) and the CAP categories."""

    departments: Collection[str] | None
    categories: Collection[str] | None
    indicators: Collection[str] | None
    districts: Collection[str] | None
    cap_categories: Collection[str]


class _Reader:
    """One plan file's text and the problems found in it."""

    def __init__(self, file: str, text: str, problems: list[Problem]) -> None:
        self.file, self.text, self.problems = file, text, problems

    def table_line(self, name: str, nth: int = 0) -> int:
        return line_of(self.text, rf"\[\[?\s*{re.escape(name)}\s*\]\]?", nth)

    def key_line(self, key: str, after: int) -> int:
        return line_of(self.text, rf"{re.escape(key)}\s*=", 0, after)

    def add(self, line: int, field: str, reason: str) -> None:
        self.problems.append((self.file, line, field, reason))

    def text_of(self, table: dict[str, Any], key: str, field: str, line: int) -> str:
        value = table.get(key)
        if not isinstance(value, str) or not value.strip():
            self.add(self.key_line(key, line) if key in table else line, field, "missing or empty")
            return ""
        return value.strip()

    def words(self, table: dict[str, Any], key: str, field: str, line: int) -> tuple[str, ...]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.add(self.key_line(key, line), field, "must be a list of non-empty strings")
            return ()
        return tuple(v.strip() for v in value)

    def known(self, values: Sequence[str], allowed: Collection[str] | None, field: str, line: int, what: str) -> None:
        for value in values:
            if allowed is not None and value not in allowed:
                self.add(line, field, f"unknown {what} {value!r}")


def _level(reader: _Reader, table: dict[str, Any], field: str, line: int, required: bool) -> str | None:
    value = table.get("level")
    if value is None and not required:
        return None
    if value not in LEVELS:
        reader.add(reader.key_line("level", line) if "level" in table else line, field,
                   f"{value!r} is not a response level (one of {', '.join(LEVELS)})")
        return None
    return str(value)


def _number(reader: _Reader, table: dict[str, Any], key: str, field: str, line: int) -> float | None:
    value = table.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        reader.add(reader.key_line(key, line), field, f"{value!r} is not a number")
        return None
    return float(value)


def _trigger(reader: _Reader, table: dict[str, Any], index: int, known: Known) -> Trigger | None:
    line, field = reader.table_line("trigger", index), f"trigger[{index + 1}]"
    before = len(reader.problems)
    kind = table.get("kind")
    if kind not in TRIGGER_KINDS:
        reader.add(reader.key_line("kind", line) if "kind" in table else line, f"{field}.kind",
                   f"{kind!r} is not a trigger kind (one of {', '.join(TRIGGER_KINDS)})")
        return None
    areas = reader.words(table, "areas", f"{field}.areas", line)
    reader.known(areas, known.districts, f"{field}.areas", reader.key_line("areas", line), "district")
    level = _level(reader, table, f"{field}.level", line, required=False)
    trigger = Trigger(kind=str(kind), areas=areas, level=level)
    if kind == "cap":
        events = reader.words(table, "events", f"{field}.events", line)
        categories = reader.words(table, "categories", f"{field}.categories", line)
        reader.known(categories, known.cap_categories, f"{field}.categories", reader.key_line("categories", line),
                     "CAP category")
        severity = table.get("min_severity", "minor")
        if severity not in GRADED:
            reader.add(reader.key_line("min_severity", line), f"{field}.min_severity",
                       f"{severity!r} is not a CAP severity (one of {', '.join(GRADED)})")
        if not events and not categories and len(reader.problems) == before:
            reader.add(line, field, "a cap trigger needs events or categories")
        trigger = Trigger("cap", events=events, categories=categories, min_severity=str(severity), areas=areas,
                          level=level)
    elif kind == "event":
        category = reader.text_of(table, "category", f"{field}.category", line)
        reader.known([category] if category else [], known.categories, f"{field}.category",
                     reader.key_line("category", line), "event category")
        trigger = Trigger("event", event_category=category, areas=areas, level=level)
    else:
        indicator = reader.text_of(table, "indicator", f"{field}.indicator", line)
        reader.known([indicator] if indicator else [], known.indicators, f"{field}.indicator",
                     reader.key_line("indicator", line), "indicator")
        above, below = (_number(reader, table, key, f"{field}.{key}", line) for key in ("above", "below"))
        if (above is None) == (below is None) and len(reader.problems) == before:
            reader.add(line, field, "an indicator trigger needs exactly one of above or below")
        trigger = Trigger("indicator", indicator=indicator, above=above, below=below, areas=areas, level=level)
    return trigger if len(reader.problems) == before else None


def _task(reader: _Reader, table: dict[str, Any], index: int, known: Known) -> Task | None:
    line, field = reader.table_line("department", index), f"department[{index + 1}]"
    before = len(reader.problems)
    code = reader.text_of(table, "code", f"{field}.code", line)
    reader.known([code] if code else [], known.departments, f"{field}.code", reader.key_line("code", line),
                 "department")
    role = table.get("role", "support")
    if role not in ROLES:
        reader.add(reader.key_line("role", line), f"{field}.role", f"{role!r} is not one of {', '.join(ROLES)}")
    task_zh = reader.text_of(table, "task_zh", f"{field}.task_zh", line)
    task_en = reader.text_of(table, "task_en", f"{field}.task_en", line)
    minutes = table.get("within_minutes")
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0:
        minutes = 0
        reader.add(reader.key_line("within_minutes", line) if "within_minutes" in table else line,
                   f"{field}.within_minutes",
                   f"{table.get('within_minutes')!r} is not a positive whole number of minutes")
    if len(reader.problems) > before:
        return None
    return Task(code, str(role), task_zh, task_en, minutes)


def _notice(reader: _Reader, table: dict[str, Any], lang: str, line: int) -> str:
    template = reader.text_of(table, lang, f"notice.{lang}", line)
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as exc:
        reader.add(reader.key_line(lang, line), f"notice.{lang}", f"not a template: {exc}")
        return ""
    for name in sorted(names - set(NOTICE_FIELDS)):
        reader.add(reader.key_line(lang, line), f"notice.{lang}",
                   f"unknown field {{{name}}} (allowed: {', '.join(NOTICE_FIELDS)})")
    return template


def _tables(reader: _Reader, document: dict[str, Any], name: str) -> list[dict[str, Any]]:
    value = document.get(name, [])
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        reader.add(reader.table_line(name), name, f"must be [[{name}]] entries")
        return []
    return value


def _plan(reader: _Reader, code: str, document: dict[str, Any], known: Known) -> Plan | None:
    before = len(reader.problems)
    head = document.get("plan")
    if not isinstance(head, dict):
        reader.add(1, "plan", "missing [plan] table")
        return None
    line = reader.table_line("plan")
    name_zh = reader.text_of(head, "name_zh", "plan.name_zh", line)
    name_en = reader.text_of(head, "name_en", "plan.name_en", line)
    level = _level(reader, head, "plan.level", line, required=True)
    category = reader.text_of(head, "event_category", "plan.event_category", line)
    reader.known([category] if category else [], known.categories, "plan.event_category",
                 reader.key_line("event_category", line), "event category")
    triggers = [_trigger(reader, table, i, known) for i, table in enumerate(_tables(reader, document, "trigger"))]
    if not triggers:
        reader.add(line, "trigger", "a plan needs at least one [[trigger]]")
    tasks = [_task(reader, table, i, known) for i, table in enumerate(_tables(reader, document, "department"))]
    if not tasks:
        reader.add(line, "department", "a plan needs at least one [[department]]")
    elif all(task and task.role != "lead" for task in tasks):
        reader.add(reader.table_line("department"), "department", "no department has role = \"lead\"")
    codes = [task.department for task in tasks if task]
    for duplicate in sorted({c for c in codes if codes.count(c) > 1}):
        reader.add(reader.table_line("department"), "department", f"{duplicate!r} is listed more than once")
    checklist = []
    for index, item in enumerate(_tables(reader, document, "checklist")):
        item_line = reader.table_line("checklist", index)
        zh = reader.text_of(item, "zh", f"checklist[{index + 1}].zh", item_line)
        en = reader.text_of(item, "en", f"checklist[{index + 1}].en", item_line)
        checklist.append(CheckItem(f"c{index + 1}", zh, en))
    watch = document.get("watch", {})
    watch_line = reader.table_line("watch")
    indicators = reader.words(watch, "indicators", "watch.indicators", watch_line) if isinstance(watch, dict) else ()
    reader.known(indicators, known.indicators, "watch.indicators", reader.key_line("indicators", watch_line),
                 "indicator")
    layers = reader.words(watch, "layers", "watch.layers", watch_line) if isinstance(watch, dict) else ()
    layer_names = None if known.categories is None else {*known.categories, *ALERT_LAYERS}
    reader.known(layers, layer_names, "watch.layers", reader.key_line("layers", watch_line),
                 "layer (an event category, alerts or area)")
    notice = document.get("notice")
    notice_line = reader.table_line("notice")
    if not isinstance(notice, dict):
        reader.add(1, "notice", "missing [notice] table with zh and en templates")
        notice = {}
    notice_zh, notice_en = (_notice(reader, notice, lang, notice_line) for lang in ("zh", "en"))
    if len(reader.problems) > before or level is None:
        return None
    return Plan(code, name_zh, name_en, level, category, tuple(t for t in triggers if t),
                tuple(sorted((t for t in tasks if t), key=lambda t: ROLES.index(t.role))), tuple(checklist),
                indicators, layers, notice_zh, notice_en)


def load_plans(root: Path, known: Known) -> tuple[tuple[Plan, ...], list[Problem]]:
    """The plans of the pack at `root` (none when it has no `plans/` folder), in file-name order, and every
    problem found; a plan with a problem is left out."""
    folder = root / FOLDER
    plans: list[Plan] = []
    problems: list[Problem] = []
    for path in sorted(folder.glob("*.toml")) if folder.is_dir() else ():
        file = f"{FOLDER}/{path.name}"
        if not CODE.fullmatch(path.stem):
            problems.append((file, 1, "-", "the file name must be a lower-case plan code (a-z, 0-9, _ or -)"))
            continue
        read = read_toml(path, file, lambda f, line, field, reason: problems.append((f, int(line), field, reason)))
        if read is None:
            continue
        text, document = read
        plan = _plan(_Reader(file, text, problems), path.stem, document, known)
        if plan:
            plans.append(plan)
    return tuple(plans), problems
