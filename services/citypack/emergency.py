"""Emergency routing: which of the city's departments answers for each CAP category (the pack's emergency.csv).

A severe alert nobody acknowledged escalates to its category's department (services/alerts/escalation.py); the
codes differ from city to city, so the routing is the pack's. `other` must have a row: its department takes every
category without one.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from services.alerts.schema import CATEGORIES as CAP_CATEGORIES

FILE = "emergency.csv"
FALLBACK = "other"
Problem = tuple[str, int, str, str]  # file, line, field, reason


@dataclass(frozen=True)
class EmergencyRouting:
    """CAP category → department code; a category without a row goes to `other`'s department."""

    departments: Mapping[str, str]

    def department_for(self, category: str) -> str:
        return self.departments.get(category, self.departments[FALLBACK])


def load_emergency(root: Path, departments: set[str] | None) -> tuple[EmergencyRouting | None, list[Problem]]:
    """The routing of the pack at `root` and its problems; departments are checked only when departments.csv could
    be read (None: not). A missing file is reported by the pack's file check."""
    problems: list[Problem] = []
    routes: dict[str, str] = {}
    try:
        handle = (root / FILE).open(encoding="utf-8-sig", newline="")
    except OSError:
        return None, problems
    with handle:
        reader = csv.DictReader(handle)
        missing = [c for c in ("cap_category", "department") if c not in (reader.fieldnames or [])]
        if missing:
            return None, [(FILE, 1, "header", f"lacks column(s) {', '.join(missing)}")]
        for row in reader:
            line = reader.line_num
            category, department = (row.get("cap_category") or "").strip(), (row.get("department") or "").strip()
            if category not in CAP_CATEGORIES:
                problems.append((FILE, line, "cap_category", f"unknown CAP category {category!r} (allowed: "
                                                             f"{', '.join(CAP_CATEGORIES)})"))
            elif category in routes:
                problems.append((FILE, line, "cap_category", f"duplicate {category!r}"))
            if departments is not None and department not in departments:
                problems.append((FILE, line, "department", f"unknown department {department!r}"))
            routes.setdefault(category, department)
    if FALLBACK not in routes:
        problems.append((FILE, reader.line_num, "cap_category", f"needs a row for {FALLBACK!r}: its department "
                                                                 "takes every category without one"))
    return (None if problems else EmergencyRouting(routes)), problems
