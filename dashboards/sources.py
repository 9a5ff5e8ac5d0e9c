"""/sources — the 一网共享 exchange monitor (leaders and admins): every source by owner department with its freshness,
the volume exchanged per day and department, the late and failing sources, and the wall panels and indicators
that depend on each. The body is read again every half minute, so a silenced source turns late on screen."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import dash
from dash import Input, Output, State, callback, dcc, html

from components.i18n import translator
from components.sources import SourceRow, catalog_table, dependency_table, problems_list, volume_figure
from components.theme import PAGE_STYLE
from dashboards._auth import current_principal, user_bar
from dashboards._present import local_time, number
from dashboards._runtime import runtime
from services import sources

dash.register_page(__name__, path="/sources", title="数据共享 OneScreen")

REFRESH_MS = 30_000  # at most; a source with a shorter cadence is watched at half its cadence (2 s at least)


def _cadence(seconds: int | None, lang: str) -> str:
    if not seconds:
        return "—"
    for size, zh, en in ((86_400, "天", "d"), (3600, "小时", "h"), (60, "分钟", "min")):
        if seconds % size == 0:
            return f"{seconds // size}{zh if lang == 'zh-CN' else ' ' + en}"
    return f"{seconds}{'秒' if lang == 'zh-CN' else ' s'}"


def _rows(statuses: Sequence[sources.SourceStatus], lang: str, text: Mapping[str, str]) -> list[SourceRow]:
    zone = runtime().settings.zone
    zh = lang == "zh-CN"
    return [SourceRow(
        id=s.id, name=s.name_zh if zh else s.name_en,
        department=(s.department_zh if zh else s.department_en) or s.department or text["src.unknown_department"],
        kind=text.get(f"src.kind.{s.kind}", s.kind),
        targets="、".join(text.get(f"src.target.{t}", t) for t in s.targets),
        cadence=_cadence(s.cadence_s, lang),
        last_delivery=local_time(s.last_delivery_at, zone, "%m-%d %H:%M") if s.last_delivery_at else text["src.never"],
        rows_today=number(s.rows_today, lang), rows_7d=number(s.rows_7d, lang), refused_7d=number(s.refused_7d, lang),
        state=s.state, state_text=text[f"src.state.{s.state}"] + (f" · {text['src.failing']}" if s.failing else ""),
        error=s.last_error or "", panels="、".join(text.get(f"src.panel.{p}", p) for p in s.panels),
        indicators=" ".join(s.indicators) or "—",
    ) for s in statuses]


def _refresh_ms(statuses: Sequence[sources.SourceStatus]) -> int:
    """Often enough that a source turns late on screen within one cadence of being due."""
    shortest = min((s.cadence_s for s in statuses if s.cadence_s), default=REFRESH_MS)
    return int(min(REFRESH_MS, max(2_000, shortest * 500)))


def _body(lang: str) -> tuple[list[Any], int]:
    rt = runtime()
    text = translator(lang)
    now = datetime.now(UTC)
    with rt.sessions() as session:
        statuses = sources.source_statuses(session, now=now, zone=rt.settings.zone)
        volume = sources.daily_volume(session, now=now, zone=rt.settings.zone)
    rows = _rows(statuses, lang, text)
    names = {s.department: row.department for s, row in zip(statuses, rows, strict=True) if s.department}
    problems = [row for row, s in zip(rows, statuses, strict=True) if s.state != "on_time" or s.failing]
    return [
        html.Div([html.Section([html.H2(text["src.problems"], className="h6"), problems_list(problems, text)],
                               className="col-lg-5"),
                  html.Section([html.H2(text["src.volume"], className="h6"),
                                dcc.Graph(id="sources-volume", figure=volume_figure(volume, names, text),
                                          style={"height": "260px"},
                                          config={"displaylogo": False, "locale": lang})],
                               className="col-lg-7")], className="row"),
        html.Section([html.H2(text["src.catalog"], className="h6"), catalog_table(rows, text)]),
        html.Section([html.H2(text["src.dependencies"], className="h6"), dependency_table(rows, text)]),
        html.Div(local_time(now, rt.settings.zone, "%H:%M:%S"), id="sources-as-of", className="small text-muted"),
    ], _refresh_ms(statuses)


def layout(lang: str | None = None, **_query: Any) -> html.Div:
    current_principal()  # only for a caller the middleware admitted
    lang = lang if lang in ("zh-CN", "en") else runtime().settings.lang
    text = translator(lang)
    body, refresh_ms = _body(lang)
    return html.Div([
        html.Div([html.H1(text["src.title"], className="h3 mb-0"), user_bar(lang)], className="page-head"),
        html.Div(body, id="sources-body"),
        dcc.Interval(id="sources-refresh", interval=refresh_ms),
        dcc.Store(id="sources-lang", data=lang),
    ], className="container-fluid py-3 sources-page", style=PAGE_STYLE, lang=lang)


@callback(Output("sources-body", "children"), Output("sources-refresh", "interval"),
          Input("sources-refresh", "n_intervals"), State("sources-lang", "data"), prevent_initial_call=True)
def refresh(_tick: int, lang: str) -> tuple[list[Any], int]:
    return _body(lang)
