"""A period's briefing (daily or weekly): its movements against the period before and a year earlier, worded in
each language the pack's templates give, the departments' red list (后进榜) over the period, the districts that
lag the city in online applications or on-time completion (数字鸿沟), and 督办 (supervision) still waiting.

Like the daily snapshot it holds numbers, codes, names and the sentences only (no personal data), so a renderer
outside the domain lays it out (dashboards/_leader_briefing.py makes its PDF).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy.orm import Session

from services.access import CITY_WIDE, Scope
from services.approvals import channel_table, district_gaps
from services.briefing.daily import names_of
from services.briefing.movements import Movement, biggest, measure_counts, movements, sentences
from services.briefing.periods import Period
from services.rankings import RankingRule, standings
from services.store import Department, District
from services.supervision import WaitingCounts, waiting_counts

RED_LIST = 5


@dataclass(frozen=True)
class Unit:
    """A department or district on a list, with its place (red list) or its gaps in points (lagging)."""

    key: str
    name_zh: str
    name_en: str
    place: int | None = None
    online_gap: float | None = None
    on_time_gap: float | None = None


@dataclass(frozen=True)
class PeriodReport:
    period: Period
    zone: str
    start: datetime
    end: datetime
    movements: tuple[Movement, ...]  # every measure, MEASURES order
    chosen: tuple[Movement, ...]  # those worded, biggest first
    sentences: Mapping[str, tuple[str, ...]]  # language -> the chosen movements as sentences
    red_list: tuple[Unit, ...]
    lagging: tuple[Unit, ...]
    supervision: WaitingCounts  # 督办 waiting for a reply when the briefing was made
    generated: datetime


def _red_list(session: Session, period: Period, end: datetime, scope: Scope) -> tuple[Unit, ...]:
    rule = RankingRule("red", window_days=period.days)
    table = standings(session=session, by="department", now=end - timedelta(seconds=1), scope=scope, rule=rule)
    table = table[table["ranked"]].head(RED_LIST)
    names = names_of(session, Department, list(table["key"]))
    return tuple(Unit(str(key), *names.get(str(key), (str(key), str(key))), place=int(place))
                 for key, place in zip(table["key"], table["place"], strict=True))


def _lagging(session: Session, start: datetime, end: datetime, scope: Scope) -> tuple[Unit, ...]:
    gaps = district_gaps(channel_table(session=session, start=start, end=end, scope=scope))
    gaps = gaps[gaps["lagging"] & (gaps["district"] != "")]
    names = names_of(session, District, list(gaps["district"]))

    def points(value: object) -> float | None:
        return None if pd.isna(value) else round(float(value), 1)  # type: ignore[arg-type]

    return tuple(Unit(str(key), *names.get(str(key), (str(key), str(key))), online_gap=points(online),
                      on_time_gap=points(on_time))
                 for key, online, on_time in zip(gaps["district"], gaps["online_gap"], gaps["on_time_gap"],
                                                 strict=True))


def highlights(*, session: Session, period: Period, zone: ZoneInfo,
               sentence_words: Mapping[str, Mapping[str, str]], scope: Scope = CITY_WIDE
               ) -> tuple[tuple[Movement, ...], tuple[Movement, ...], dict[str, tuple[str, ...]]]:
    """Every measure's movement over `period`, the chosen ones, and them worded in each language of
    `sentence_words` (the pack's [sentences.<language>] tables) with the scope's district names."""
    counts = [measure_counts(session, *p.window(zone), scope) for p in (period, period.previous(), period.year_before())]
    every = movements(*counts)
    chosen = biggest(every)
    names = names_of(session, District, [m.driver for m in chosen if m.driver])
    said = {lang: sentences(chosen, words, period.kind, {key: zh if lang == "zh-CN" else en
                                                         for key, (zh, en) in names.items()})
            for lang, words in sentence_words.items()}
    return every, chosen, said


def report(*, session: Session, period: Period, zone: ZoneInfo, sentence_words: Mapping[str, Mapping[str, str]],
           scope: Scope = CITY_WIDE, now: datetime | None = None) -> PeriodReport:
    """The briefing of `period` for `scope`, worded in each language of `sentence_words`."""
    now = now or datetime.now(UTC)
    start, end = period.window(zone)
    every, chosen, said = highlights(session=session, period=period, zone=zone, sentence_words=sentence_words,
                                     scope=scope)
    return PeriodReport(period, str(zone), start, end, every, chosen, said, _red_list(session, period, end, scope),
                        _lagging(session, start, end, scope), waiting_counts(session, now=now, scope=scope), now)
