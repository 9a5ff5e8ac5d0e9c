"""Worst-first (red list, 后进榜) or best-first (honour roll, 红榜) standings of departments or districts.

A unit's score is the mean, over the measures it has volume in, of a Wilson bound (`services.rankings.scoring`):
- red list: the lower bound of each *bad* share (late completions, returns for correction, bad reviews, late
  events or dispatches): how bad the record proves the unit to be;
- honour roll: the lower bound of each *good* share (one minus the upper bound of the bad share).
Two guards against small numbers: a unit is ranked only with at least `min_volume` pieces of timed work (completed
applications with a time limit plus events or dispatches) in the window, and the Wilson bound shrinks what a small
record can prove, so one application at 100 % never outranks 500 at 92 %. Units below the minimum are listed, not
ranked. The window is the last `window_days` days (a rolling week, not "today": at 08:00 today holds a handful of
cases and every unit would tie); the change is against the window `window_days` earlier, as the store holds it now,
judged at that window's end. That window lies wholly in the past, so its places are kept for the hour its end
names, not recomputed after every write (in a live city writes land every few seconds): a correction to last
week's records shows in the change within the hour.
Units whose scores show equal to 0.1 point share a place; among them more overdue work (open and past its limit now)
and then more volume come first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from services.access import CITY_WIDE, Scope
from services.rankings.measures import unit_measures
from services.rankings.scoring import wilson_lower, wilson_upper
from services.store.cache import Namespace, cached_query

MODES = ("red", "honour")
DEFAULT_MIN_VOLUME = 30
DEFAULT_WINDOW_DAYS = 7
# the bad share of each measure: (bad count, out of)
SHARES = {"late_rate": ("late", "completed"), "return_rate": ("returned", "received"), "bad_rate": ("bad", "rated"),
          "case_late_rate": ("cases_late", "cases")}
# keyed to the minute (overdue work is judged at `now`), so an entry may live the minute: screens refreshing once a
# minute at different seconds share one computation instead of each missing a 10 s entry
CACHE = Namespace("rankings", tables=("applications", "matters", "departments", "events", "event_dispatches"),
                  lifetime=60.0)
PAST = Namespace("rankings_past", lifetime=3600.0)  # no tables: writes do not invalidate it (module docstring)
COLUMNS = ["key", "place", "previous_place", "change", "score", "volume", "overdue", "ranked", *SHARES]


@dataclass(frozen=True)
class RankingRule:
    """How a screen ranks: `mode` red (worst first) or honour (best first), the minimum volume before a unit is
    ranked, and the window in days."""

    mode: str = "red"
    min_volume: int = DEFAULT_MIN_VOLUME
    window_days: int = DEFAULT_WINDOW_DAYS

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {self.mode!r}")
        if self.min_volume < 1 or self.window_days < 1:
            raise ValueError("min_volume and window_days must be 1 or more")


def score(measures: pd.DataFrame, mode: str) -> pd.DataFrame:
    """`measures` (unit_measures' columns) with each bad share, `volume`, `overdue`, the `score` and `ranked`
    (volume reaches no minimum here: `rank` applies it)."""
    out = measures.copy()
    bounds = []
    for name, (bad, whole) in SHARES.items():
        out[name] = np.divide(out[bad], out[whole], out=np.full(len(out), np.nan), where=out[whole] > 0)
        bounds.append(wilson_lower(out[bad], out[whole]) if mode == "red"
                      else 1 - wilson_upper(out[bad], out[whole]))
    stacked = np.vstack(bounds) if len(out) else np.empty((len(SHARES), 0))
    with np.errstate(all="ignore"):
        counted = np.sum(~np.isnan(stacked), axis=0)
        out["score"] = np.where(counted > 0, np.nansum(stacked, axis=0) / np.maximum(counted, 1), np.nan)
    out["volume"] = out["completed"] + out["cases"]
    out["overdue"] = out["overdue_apps"] + out["overdue_events"]
    return out


def rank(measures: pd.DataFrame, rule: RankingRule) -> pd.DataFrame:
    """Scored units in list order (ranked ones first, by place), with `place` (None below the minimum volume)."""
    out = score(measures, rule.mode)
    out["ranked"] = (out["volume"] >= rule.min_volume) & out["score"].notna()
    shown = out["score"].round(3)
    ranked = shown[out["ranked"]]
    out["place"] = pd.array([1 + int((ranked > value).sum()) if ok else None
                             for value, ok in zip(shown, out["ranked"], strict=True)], dtype="Int64")
    out = out.reset_index().sort_values(["ranked", "place", "overdue", "volume", "key"],
                                        ascending=[False, True, False, False, True], na_position="last")
    return out.reset_index(drop=True)


def standings(*, session: Session, by: str, now: datetime, scope: Scope = CITY_WIDE,
              rule: RankingRule = RankingRule()) -> pd.DataFrame:
    """The units of `by` (department or district) in list order (columns `COLUMNS`): the window ends with the
    current hour, whose rollup cells are kept live, and overdue work is judged at the minute, so one computation a
    minute serves every wall until a write lands (writes invalidate it). `change` is previous place minus place
    (positive: moved up the list)."""
    end = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return _standings(session=session, by=by, end=end, now=now.replace(second=0, microsecond=0), scope=scope,
                      rule=rule)


@cached_query(CACHE)
def _standings(*, session: Session, by: str, end: datetime, now: datetime, scope: Scope,
               rule: RankingRule) -> pd.DataFrame:
    span = timedelta(days=rule.window_days)
    current = rank(unit_measures(session=session, by=by, start=end - span, end=end, now=now, scope=scope), rule)
    previous = _past_places(session=session, by=by, end=end - span, scope=scope, rule=rule)
    current["previous_place"] = [previous.get(key) for key in current["key"]]
    current["previous_place"] = pd.array(current["previous_place"], dtype="Int64")
    current["change"] = current["previous_place"] - current["place"]
    return current[COLUMNS]


@cached_query(PAST)
def _past_places(*, session: Session, by: str, end: datetime, scope: Scope, rule: RankingRule) -> dict[str, int]:
    """The ranked units' places over the window ending at `end` (an hour), judged at its end; its overdue work is
    not read, as places do not depend on it."""
    span = timedelta(days=rule.window_days)
    before = rank(unit_measures(session=session, by=by, start=end - span, end=end, now=end, scope=scope,
                                overdue=False), rule)
    return {key: int(place) for key, place in zip(before["key"], before["place"], strict=True) if pd.notna(place)}
