"""Indicator test helpers shared by the rules, readings, indicators and wall-KPI tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from services.store import cache


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


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    """A fresh in-process query cache for each test of a module that imports this fixture."""
    cache.set_default_cache(cache.LocalQueryCache())
    yield
    cache.set_default_cache(None)
