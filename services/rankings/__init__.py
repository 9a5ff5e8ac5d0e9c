"""Rankings of departments and districts (red list 后进榜, honour roll 红榜), with a minimum volume and Wilson
bounds so small units neither top nor tail a list by chance, and the change since the window before."""

from __future__ import annotations

from services.rankings.measures import UNITS, unit_measures
from services.rankings.scoring import wilson_lower, wilson_upper
from services.rankings.standings import (
    DEFAULT_MIN_VOLUME,
    DEFAULT_WINDOW_DAYS,
    MODES,
    RankingRule,
    rank,
    standings,
)

__all__ = [
    "DEFAULT_MIN_VOLUME",
    "DEFAULT_WINDOW_DAYS",
    "MODES",
    "UNITS",
    "RankingRule",
    "rank",
    "standings",
    "unit_measures",
    "wilson_lower",
    "wilson_upper",
]
