"""The leader's cards that press departments: the red lists of departments and districts (services.rankings) and
the response times of the last seven days (alerts' MTTA / MTTR, events' time to dispatch and to arrival, the
slowest departments to arrive), and the districts lagging the city online or on time (the digital-divide lens).

Each card is built whole on a page load and its values rewritten on the page's refresh interval, in the caller's
scope. The lists are the wall's rows (components.rankings) with the minimum volume of the pack's default screen
(its approvals panel), so the leader and the wall agree on who is ranked.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
from dash import Input, Output, State, callback, html

from components.html_attrs import data_attributes
from components.i18n import translator
from components.leader import big_number
from components.panel import as_of_stamp, panel
from components.rankings import percent, ranking_rows
from components.response_figures import minutes
from dashboards._auth import current_principal
from dashboards._present import local_time
from dashboards._runtime import runtime
from services import alerts, approvals, events, rankings

CADENCE_S = 60
LISTED = 5
UNITS = ("department", "district")
FIGURES = ("mtta", "mttr", "dispatch", "arrival")
SLOWEST, SLOWEST_MIN_ARRIVED = 3, 10  # departments named as slowest to arrive, among those with this many arrivals
WEEK = timedelta(days=7)


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


def _first(frame: pd.DataFrame, column: str) -> Any:
    """The one row's value of a by="all" frame (None when nothing happened)."""
    return frame[column].iloc[0] if len(frame) else None


def response_figures(lang: str, now: datetime) -> tuple[dict[str, str], str]:
    """The card's four figures (minutes, as text) and its note naming the slowest departments to arrive."""
    rt = runtime()
    text = translator(lang)
    scope = current_principal().scope
    end = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)  # one computation per hour
    with rt.sessions() as session:
        answered = alerts.response_times(session=session, start=end - WEEK, end=end, by="all", scope=scope)
        reached = events.dispatch_times(session=session, start=end - WEEK, end=end, by="all", scope=scope)
        departments = events.dispatch_times(session=session, start=end - WEEK, end=end, by="department",
                                            scope=scope)
        names = events.department_names(session=session, lang=lang)
    values = {"mtta": _first(answered, "mtta_min"), "mttr": _first(answered, "mttr_min"),
              "dispatch": _first(reached, "dispatch_min"), "arrival": _first(reached, "arrival_min")}
    slow = departments[departments["arrived"] >= SLOWEST_MIN_ARRIVED].nlargest(SLOWEST, "arrival_min")
    space, comma = ("", "、") if lang == "zh-CN" else (" ", ", ")
    note = text["resp.leader.slowest"].format(names=comma.join(
        f"{names.get(k, k)} {minutes(m)}{space}{text['resp.leader.unit']}" for k, m in zip(
            slow["key"], slow["arrival_min"], strict=True))) if len(slow) else ""
    return {name: minutes(value) for name, value in values.items()}, note


def response_card(lang: str, href: str) -> html.Section:
    """Alert MTTA and MTTR, event time to dispatch and to arrival (minutes, last seven days), the slowest."""
    text = translator(lang)
    now = datetime.now(UTC)
    values, note = response_figures(lang, now)
    unit = text["resp.leader.unit"]
    body = html.Div([
        html.Div([big_number(f"leader-resp-{name}", f"{text[f'resp.leader.{name}']}（{unit}）" if lang == "zh-CN"
                             else f"{text[f'resp.leader.{name}']} ({unit})", values[name]) for name in FIGURES],
                 className="leader-bigs"),
        html.P(note, id="leader-resp-slowest", className="leader-note"),
        html.A(text["resp.leader.more"], href=href, className="leader-more"),
    ], className="panel-body")
    return panel("leader-response", text["resp.leader"], body,
                 as_of_stamp("leader-response", now, _stamp(now), CADENCE_S))


def refresh_response(_tick: int | None, lang: str) -> list[Any]:
    now = datetime.now(UTC)
    values, note = response_figures(lang, now)
    return [*[values[name] for name in FIGURES], note, now.isoformat(), _stamp(now)]


def divide_lines(lang: str, now: datetime) -> list[Any]:
    """The digital-divide card's lines: the city's online share and on-time rate, then each lagging district with
    its gaps in points (at the lens' default threshold), or that none lags."""
    rt = runtime()
    text = translator(lang)
    end = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    with rt.sessions() as session:
        cells = approvals.channel_table(session=session, start=end - WEEK, end=end, scope=current_principal().scope)
    gaps = approvals.district_gaps(cells, approvals.DEFAULT_GAP_POINTS)
    names = rt.city.names(lang)
    lines: list[Any] = [html.Li(text["divide.city"].format(online=percent(gaps.attrs["city_online_share"]),
                                                           on_time=percent(gaps.attrs["city_on_time_rate"])),
                                className="leader-divide-city")]
    behind = gaps[gaps["lagging"]]
    lines += [html.Li([html.Span(text["divide.lagging"], className="divide-flag"), " ",
                       html.Span(names.get(row.district) or row.district, className="leader-divide-name"), " ",
                       html.Span(f"{text['divide.col.online']} {percent(row.online_share)} ({row.online_gap:+.1f}) · "
                                 f"{text['divide.col.on_time']} {percent(row.on_time_rate)} ({row.on_time_gap:+.1f})",
                                 className="leader-divide-figures")],
                      className="leader-divide-row", **data_attributes(district=str(row.district)))
              for row in behind.itertuples()]
    if behind.empty:
        lines.append(html.Li(text["divide.none_flagged"], className="leader-divide-row"))
    return lines


def divide_card(lang: str, href: str) -> html.Section:
    """The districts lagging the city online or on time over the week (the /approvals lens, in short)."""
    text = translator(lang)
    now = datetime.now(UTC)
    body = html.Div([html.Ul(divide_lines(lang, now), id="leader-divide", className="leader-divide"),
                     html.A(text["divide.leader.more"], href=href, className="leader-more")], className="panel-body")
    return panel("leader-divide-card", text["divide.leader"], body,
                 as_of_stamp("leader-divide-card", now, _stamp(now), CADENCE_S))


def refresh_divide(_tick: int | None, lang: str) -> list[Any]:
    now = datetime.now(UTC)
    return [divide_lines(lang, now), now.isoformat(), _stamp(now)]


def register_callbacks() -> None:
    """Wire the cards' refreshes (see dashboards._auth.register_for_page)."""
    callback(*[Output(f"leader-rank-{unit}", "children") for unit in UNITS],
             Output("leader-rankings-as-of", "dateTime"), Output("leader-rankings-as-of", "children"),
             Input("leader-refresh", "n_intervals"), State("leader-lang", "data"),
             prevent_initial_call=True)(refresh_rankings)
    callback(*[Output(f"leader-resp-{name}", "children") for name in FIGURES],
             Output("leader-resp-slowest", "children"),
             Output("leader-response-as-of", "dateTime"), Output("leader-response-as-of", "children"),
             Input("leader-refresh", "n_intervals"), State("leader-lang", "data"),
             prevent_initial_call=True)(refresh_response)
    callback(Output("leader-divide", "children"), Output("leader-divide-card-as-of", "dateTime"),
             Output("leader-divide-card-as-of", "children"), Input("leader-refresh", "n_intervals"),
             State("leader-lang", "data"), prevent_initial_call=True)(refresh_divide)
