"""The rows of a ranking (red list or honour roll) from `services.rankings.standings`' frame: place, name, score,
the change since last week and the volume, then a line for ties beyond the cut and one for units too small to rank.

Pure: the caller passes the standings, display names and the page's language; the wall and the leader's card
draw the same rows (assets/onescreen.css and assets/leader.css size them).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from dash import html

from components.html_attrs import data_attributes
from components.i18n import translator


def percent(value: float) -> str:
    return "—" if pd.isna(value) else f"{value * 100:.1f}%"


def _change(change: object, mode: str, text: Mapping[str, str]) -> html.Span:
    """▲n / ▼n / = / new; on a red list moving up is worse (alarm colour), on an honour roll better."""
    if change is None or pd.isna(change):
        return html.Span(text["rank.change.new"], className="rank-change new", title=text["rank.change.new_long"],
                         **data_attributes(change="new"))
    n = int(change)  # type: ignore[call-overload]
    if n == 0:
        return html.Span("=", className="rank-change same", title=text["rank.change.same"],
                         **data_attributes(change="0"))
    worse = (n > 0) == (mode == "red")
    return html.Span(f"{'▲' if n > 0 else '▼'}{abs(n)}", title=text["rank.change.up" if n > 0 else
                                                                     "rank.change.down"].format(n=abs(n)),
                     className=f"rank-change {'worse' if worse else 'better'}", **data_attributes(change=str(n)))


def ranking_rows(standings: pd.DataFrame, names: Mapping[str, str], *, mode: str, unit: str, lang: str,
                 limit: int, min_volume: int) -> list[html.Li]:
    """The first `limit` ranked units as `li.rank-row` (data-unit, data-department or data-district, data-place,
    data-score, data-overdue), then the notes; one `rank-more` line when nothing is ranked."""
    text = translator(lang)
    ranked = standings[standings["ranked"]]
    unranked = int((~standings["ranked"]).sum())
    rows: list[html.Li] = []
    for row in ranked.head(limit).itertuples():
        key = str(row.key)
        name = names.get(key) or (text["rank.no_district"] if key == "" else key)
        rows.append(html.Li([
            html.Span(str(row.place), className="rank-place"),
            html.Span(name, className="rank-name"),
            html.Span(percent(row.score), className="rank-rate", title=text[f"rank.score.{mode}"]),
            _change(row.change, mode, text),
            html.Span(f"{int(row.volume)}", className="rank-count",
                      title=f"{text['rank.volume']} · {text['rank.overdue'].format(n=int(row.overdue))}"),
        ], className="rank-row", **data_attributes(unit=key, place=str(row.place), score=f"{row.score:.4f}",
                                                   overdue=str(int(row.overdue)), **{unit: key})))
    if len(ranked) > limit:
        last = ranked["score"].round(3).iloc[limit - 1]
        tied = int((ranked["score"].round(3).iloc[limit:] == last).sum())
        if tied:
            rows.append(html.Li(text[f"rank.tied_more.{unit}"].format(n=tied, rate=percent(last)),
                                className="rank-more"))
    if unranked:
        rows.append(html.Li(text[f"rank.unranked.{unit}"].format(n=unranked, min=min_volume), className="rank-more"))
    if not rows:
        rows.append(html.Li(text["rank.empty"], className="rank-more"))
    return rows
