"""/indicators — the analyst's page: one indicator's city trend, its districts on a map (click to drill the trend into
a district), the districts compared, over 24 h / 7 d / 30 d / 90 d, exported as CSV or Excel.

The whole view is the URL query (`code`, `range`, `district`, `lang`): `layout(**query)` draws it, so a shared or
reloaded URL restores it, and every change writes the query back through a `dcc.Location` with `refresh=False`
(pushState only: the page is not re-rendered, and Back / Forward re-render from the query).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import dash
import pandas as pd
from dash import Input, Output, State, callback, ctx, dcc, html, no_update
from dash.dcc.express import send_bytes

from components import indicator_figures as figs
from components.graphs import analyst_graph
from components.i18n import translator
from components.theme import PAGE_STYLE
from dashboards._auth import current_principal, require, user_bar
from dashboards._runtime import runtime
from services import export
from services.access import Action, Scope
from services.indicators import Bucket, DrillDown, drill_down, indicator_choices

dash.register_page(__name__, path="/indicators", title="指标分析 OneScreen")

RANGES: dict[str, tuple[timedelta, Bucket]] = {
    "24h": (timedelta(hours=24), "5min"),
    "7d": (timedelta(days=7), "hour"),
    "30d": (timedelta(days=30), "hour"),
    "90d": (timedelta(days=90), "day"),
}
DEFAULT_CODE, DEFAULT_RANGE = "aqi", "24h"
_ALIGN = timedelta(minutes=5)  # range ends are aligned, so clicks within five minutes share cached results


def _districts(scope: Scope, lang: str) -> dict[str, str]:
    """The districts the caller may see, by adcode, named in `lang`."""
    return {code: name for code, name in runtime().city.names(lang).items() if scope.allows_district(code)}


def _state(query: dict[str, Any], scope: Scope) -> dict[str, Any]:
    """A complete, valid view from a (possibly partial or tampered) query: unknown values fall back to defaults,
    and a district-bound caller, who sees no city-wide readings, starts in their first district."""
    with runtime().sessions() as session:
        codes = set(indicator_choices(session=session)["code"])
    allowed = sorted(_districts(scope, "zh-CN"))
    district = query.get("district") if query.get("district") in allowed else None
    return {
        "code": query.get("code") if query.get("code") in codes else DEFAULT_CODE,
        "range": query.get("range") if query.get("range") in RANGES else DEFAULT_RANGE,
        "district": district if district or scope.allows_district(None) or not allowed else allowed[0],
        "lang": "en" if query.get("lang") == "en" else "zh-CN",
    }


def _search(state: dict[str, Any]) -> str:
    shown = {k: v for k, v in state.items() if v is not None and not (k == "lang" and v == "zh-CN")}
    return "?" + urlencode(shown)


def _view(state: dict[str, Any], scope: Scope) -> DrillDown:
    rt = runtime()
    span, bucket = RANGES[state["range"]]
    now = datetime.now(UTC)
    end = now - (now - datetime.min.replace(tzinfo=UTC)) % _ALIGN + _ALIGN
    with rt.sessions() as session:
        return drill_down(session=session, code=state["code"], district=state["district"], start=end - span,
                          end=end, bucket=bucket, tz=rt.settings.timezone, scope=scope)


def _render(state: dict[str, Any], scope: Scope) -> dict[str, Any]:
    """Everything the view draws: the three figures and the area's title."""
    rt = runtime()
    text = translator(state["lang"])
    view = _view(state, scope)
    names = _districts(scope, state["lang"])
    labels = _labels(text)
    name = view.name_zh if state["lang"] == "zh-CN" else view.name_en
    area = names.get(state["district"], text["ind.city"]) if state["district"] else text["ind.city"]
    bucket = text[f"ind.bucket.{RANGES[state['range']][1]}"]
    return {
        "trend": figs.trend_figure(view.trend, zone=rt.settings.timezone, unit=view.unit, warn=view.warn,
                                   alarm=view.alarm, labels=labels),
        "map": figs.district_choropleth(rt.city.geojson, view.latest, names=names, selected=state["district"],
                                        center=rt.city.center(), unit=view.unit, labels=labels),
        "compare": figs.comparison_figure(view.comparison, names=names, selected=state["district"], unit=view.unit,
                                           warn=view.warn, alarm=view.alarm, labels=labels),
        "title": f"{area} · {name}（{text['ind.bucket']}：{bucket}）"
        + ("" if not view.trend.empty else f" — {text['ind.no_data']}"),
    }


def _labels(text: Any) -> dict[str, str]:
    keys = {"avg": "ind.avg", "range": "ind.band", "max": "ind.max", "latest": "ind.latest"}
    return {k: text[v] for k, v in keys.items()} | {s: text[f"status.{s}"] for s in ("normal", "warn", "alarm", "nodata")}


def _picker_options(lang: str) -> list[dict[str, Any]]:
    """The indicators grouped by domain: a disabled heading per domain, then its indicators."""
    text = translator(lang)
    with runtime().sessions() as session:
        catalog = indicator_choices(session=session)
    options: list[dict[str, Any]] = []
    for domain, rows in catalog.groupby("domain", sort=False):
        options.append({"label": f"— {text.get(f'domain.{domain}', domain)} —", "value": f"domain:{domain}",
                        "disabled": True})
        column = "name_zh" if lang == "zh-CN" else "name_en"
        options += [
            {"label": f"{getattr(row, column)}（{row.unit}）", "value": row.code} for row in rows.itertuples()
        ]
    return options


def layout(**query: Any) -> html.Div:
    """The view the URL query names (see `_state` for the defaults)."""
    principal = current_principal()
    state = _state(query, principal.scope)
    text = translator(state["lang"])
    shown = _render(state, principal.scope)
    return html.Div(
        [
            html.Div([html.H1(text["ind.title"], className="h3 mb-0"), user_bar(state["lang"])], className="page-head"),
            html.Div(
                [
                    html.Label(text["ind.indicator"], htmlFor="ind-code"),
                    dcc.Dropdown(id="ind-code", options=_picker_options(state["lang"]), value=state["code"],
                                 clearable=False, style={"minWidth": "320px", "color": "#111"}),
                    html.Label(text["ind.range"]),
                    dcc.RadioItems(id="ind-range", value=state["range"], inline=True,
                                   options=[{"label": text[f"ind.range.{r}"], "value": r} for r in RANGES]),
                    html.Button(text["ind.back_to_city"], id="ind-city", className="btn btn-outline-info btn-sm",
                                disabled=not principal.scope.allows_district(None)),
                    html.Button(text["ind.export_csv"], id="ind-export-csv", className="btn btn-info btn-sm"),
                    html.Button(text["ind.export_xlsx"], id="ind-export-xlsx", className="btn btn-info btn-sm"),
                    dcc.Download(id="ind-download"),
                ],
                className="d-flex flex-wrap align-items-center gap-3 mb-3",
            ),
            html.H2(shown["title"], id="ind-area", className="h5"),
            analyst_graph("ind-trend", shown["trend"], "380px"),
            html.Div(
                [
                    html.Section([html.H2(text["ind.map"], className="h6"),
                                  analyst_graph("ind-map", shown["map"], "380px")], className="col-lg-6"),
                    html.Section([html.H2(text["ind.compare"], className="h6"),
                                  analyst_graph("ind-compare", shown["compare"], "380px")],
                                 className="col-lg-6"),
                ],
                className="row",
            ),
            dcc.Location(id="ind-url", refresh=False),
            dcc.Store(id="ind-state", data=state),
        ],
        className="indicators-page container-fluid py-3",
        style=PAGE_STYLE,
        lang=state["lang"],
    )


@callback(
    Output("ind-url", "search"),
    Output("ind-state", "data"),
    Output("ind-trend", "figure"),
    Output("ind-map", "figure"),
    Output("ind-compare", "figure"),
    Output("ind-area", "children"),
    Input("ind-code", "value"),
    Input("ind-range", "value"),
    Input("ind-map", "clickData"),
    Input("ind-compare", "clickData"),
    Input("ind-city", "n_clicks"),
    State("ind-state", "data"),
    prevent_initial_call=True,
)
def update_view(code: str, span: str, map_click: Any, bar_click: Any, _city: Any, old: dict[str, Any]) -> Any:
    """Any control → the new state → URL and figures; a click on a district (map or bar) drills into it."""
    scope = current_principal().scope
    wanted = {**old, "code": code, "range": span}
    if ctx.triggered_id == "ind-map" and map_click:
        wanted["district"] = map_click["points"][0].get("location")
    elif ctx.triggered_id == "ind-compare" and bar_click:
        wanted["district"] = bar_click["points"][0]["customdata"][0]
    elif ctx.triggered_id == "ind-city":
        wanted["district"] = None
    state = _state(wanted, scope)
    if state == old:
        return (no_update,) * 6
    shown = _render(state, scope)
    return _search(state), state, shown["trend"], shown["map"], shown["compare"], shown["title"]


@callback(
    Output("ind-download", "data"),
    Input("ind-export-csv", "n_clicks"),
    Input("ind-export-xlsx", "n_clicks"),
    State("ind-state", "data"),
    prevent_initial_call=True,
)
def download(_csv: Any, _xlsx: Any, state: dict[str, Any]) -> Any:
    """The trend as shown (area, bucket times in the display zone, avg / min / max / count), audited."""
    principal = require(Action.EXPORT)
    view = _view(state, principal.scope)
    table = _table(view, state)
    stem = f"{state['code']}_{state['district'] or 'city'}_{state['range']}"
    excel = ctx.triggered_id == "ind-export-xlsx"
    with runtime().sessions() as session:
        export.record_export(session, actor=principal, what="indicators", detail=_search(state))
        session.commit()
    if excel:
        return send_bytes(export.to_xlsx(table, view.code), f"{stem}.xlsx")
    return send_bytes(export.to_csv(table), f"{stem}.csv")


def _table(view: DrillDown, state: dict[str, Any]) -> pd.DataFrame:
    text = translator(state["lang"])
    zone = runtime().settings.timezone
    area = runtime().city.names(state["lang"]).get(state["district"] or "", text["ind.city"])
    trend = view.trend
    return trend.assign(
        time=trend["bucket_start"].dt.tz_convert(zone).dt.strftime("%Y-%m-%d %H:%M"), area=area, unit=view.unit
    )[["time", "area", "avg", "min", "max", "n", "unit"]].rename(columns={
        "time": text["ind.time"], "area": text["ind.area"], "avg": text["ind.avg"], "min": text["ind.min"],
        "max": text["ind.max"], "n": text["ind.count"], "unit": text["ind.unit"],
    })  # fmt: skip
