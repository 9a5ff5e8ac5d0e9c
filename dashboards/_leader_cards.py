"""The leader's cards that press departments: the red lists of departments and districts (services.rankings).

Each card is built whole on a page load and its lists rewritten on the page's refresh interval; the lists are the
wall's rows (components.rankings) in the caller's scope, with the minimum volume of the pack's default screen (its
approvals panel), so the leader and the wall agree on who is ranked.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from dash import Input, Output, State, callback, html

from components.i18n import translator
from components.panel import as_of_stamp, panel
from components.rankings import ranking_rows
from dashboards._auth import current_principal
from dashboards._present import local_time
from dashboards._runtime import runtime
from services import approvals, rankings

CADENCE_S = 60
LISTED = 5
UNITS = ("department", "district")


def _stamp(now: datetime) -> str:
    return local_time(now, runtime().settings.zone, "%H:%M:%S")


def _min_volume() -> int:
    """The default screen's approvals panel's minimum volume, or the rankings' default."""
    shown = [p for p in runtime().pack.screens[0].panels if p.kind == "approvals"]
    return shown[0].min_volume if shown else rankings.DEFAULT_MIN_VOLUME


def red_lists(lang: str, now: datetime) -> dict[str, list[html.Li]]:
    """The rows of each unit's red list, now, in the caller's scope."""
    rt = runtime()
    rule = rankings.RankingRule("red", _min_volume())
    scope = current_principal().scope
    out = {}
    with rt.sessions() as session:
        names = {"department": approvals.catalog_names(session=session, lang=lang)["department"],
                 "district": rt.city.names(lang)}
        for unit in UNITS:
            table = rankings.standings(session=session, by=unit, now=now, scope=scope, rule=rule)
            out[unit] = ranking_rows(table, names[unit], mode="red", unit=unit, lang=lang, limit=LISTED,
                                     min_volume=rule.min_volume)
    return out


def rankings_card(lang: str) -> html.Section:
    """Departments and districts, worst first over the last seven days, side by side (stacked on a phone)."""
    text = translator(lang)
    now = datetime.now(UTC)
    lists = red_lists(lang, now)
    body = html.Div([html.Div([html.H3(text[f"rank.title.red.{unit}"], className="rank-title"),
                               html.Ol(lists[unit], id=f"leader-rank-{unit}", className="rank-list rank-red")],
                              className="leader-rank")
                     for unit in UNITS], className="panel-body leader-ranks")
    return panel("leader-rankings", text["leader.rankings"], body,
                 as_of_stamp("leader-rankings", now, _stamp(now), CADENCE_S))


def refresh_rankings(_tick: int | None, lang: str) -> list[Any]:
    now = datetime.now(UTC)
    lists = red_lists(lang, now)
    return [*[lists[unit] for unit in UNITS], now.isoformat(), _stamp(now)]


def register_callbacks() -> None:
    """Wire the cards' refreshes (see dashboards._auth.register_for_page)."""
    callback(*[Output(f"leader-rank-{unit}", "children") for unit in UNITS],
             Output("leader-rankings-as-of", "dateTime"), Output("leader-rankings-as-of", "children"),
             Input("leader-refresh", "n_intervals"), State("leader-lang", "data"),
             prevent_initial_call=True)(refresh_rankings)
