"""Indicator test helpers shared by the rules, readings, indicators and wall-KPI tests."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Def:
    """An indicator definition as the threshold rules read it, without a database row."""

    code: str
    name_zh: str
    domain: str
    unit: str
    direction: str
    warn: float | None
    alarm: float | None


