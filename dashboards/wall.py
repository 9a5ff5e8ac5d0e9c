"""/wall — the one-screen overview for the command center's video wall.

Panels refresh their properties in place (figures and card strips over a slow interval); alerts are pushed by a
persistent websocket callback that blocks on XREAD from the last stream id the page has shown, so a reconnect
resumes exactly where it stopped: no alert lost, none shown twice.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import dash
from dash import Input, Output, Patch, State, callback, clientside_callback, ctx, dcc, html, set_props

from components import figures
from components.html_attrs import data_attributes
from components.i18n import translator
from components.kpi import kpi_strip
from components.ticker import alert_popup, count_text, ticker_item
from dashboards._alert_push import HEARTBEAT_JS, WATCHDOG_JS, push_components, restore_folder, run_push
from dashboards._auth import current_principal
from dashboards._kpi_live import push_kpi_statuses
from dashboards._present import kpi_cards, local_time
from dashboards._runtime import runtime
from services import approvals, events, indicators
from services.alert_storm import StormFolder, TickerRow, sent_time
from services.stream import Entry, recent

dash.register_page(__name__, path="/wall", redirect_from=["/"], title="一屏统览 OneScreen")

TICKER_SIZE = 30
# One headline indicator per domain, in the order a duty officer scans them.
WALL_KPIS = ("traffic_congestion_index", "aqi", "metro_ridership", "power_load", "police_incidents",
             "hotline_calls", "gov_ontime_rate", "crowd_gulangyu")
REFRESH_MS = 60_000
POPUP_SEVERITIES = ("extreme", "severe")  # most severe first


def _panels(lang: str) -> dict[str, Any]:
    """Everything the slow refresh redraws, from one session."""
    rt = runtime()
    text = translator(lang)
    now = datetime.now(UTC)
    with rt.sessions() as session:
        kpis = indicators.kpi_strip(session=session, codes=WALL_KPIS, now=now)
        open_counts = events.open_by_district(session=session, now=now)
        points = events.recent_points(session=session, now=now)
        flow = approvals.hourly_throughput(session=session, now=now)
    zone = rt.settings.zone
    hour_labels = [local_time(hour, zone) for hour in flow["hour"]]
    return {
        "kpis": kpi_strip(kpi_cards(kpis, lang, zone, text)),
        "map": figures.event_map(rt.city.geojson, rt.city.names(lang), open_counts, points, rt.city.center(),
                                 labels={"open": text["map.open"], "overdue": text["map.overdue"]}),
        "throughput": figures.throughput(flow, hour_labels,
                                         {"received": text["approvals.received"],
                                          "completed": text["approvals.completed"]}),
        "as_of": f"{text['wall.as_of']} {local_time(now, zone, '%Y-%m-%d %H:%M:%S')}",
    }


def _time_text(fields: dict[str, str]) -> str:
    return local_time(sent_time(fields), runtime().settings.zone, "%H:%M:%S")


def _folder(window_minutes: float, rows: list[TickerRow] | None = None) -> StormFolder:
    return StormFolder(rows or [], timedelta(minutes=window_minutes))


def _ticker_items(entries: list[Entry], lang: str) -> list[html.Li]:
    """The opening ticker: the recent entries folded into storm rows, newest first."""
    folder = _folder(runtime().settings.alert_storm_minutes)
    heads = {}
    for stream_id, fields in entries:
        row, new = folder.add(stream_id, fields)
        if new:
            heads[stream_id] = fields
    return [ticker_item(row.head_id, heads[row.head_id], _time_text(heads[row.head_id]), lang, group=row.key,
                        count=row.count, sent=heads[row.head_id].get("sent", ""))
            for row in folder.rows[:TICKER_SIZE]]


def layout(lang: str | None = None, **_query: Any) -> html.Div:
    """A fresh picture on every load; the stream id of the newest alert shown is where the push resumes."""
    current_principal()  # the wall is city-wide and read-only, but only for a caller the middleware admitted
    rt = runtime()
    lang = lang if lang in ("zh-CN", "en") else rt.settings.lang
    text = translator(lang)
    panels = _panels(lang)
    shown = recent(rt.redis, rt.settings.alerts_stream, TICKER_SIZE * 4)
    city = rt.settings.city_name_zh if lang == "zh-CN" else rt.settings.city_name_en
    return html.Div(
        [
            html.Header(
                [
                    html.H1(f"{city} · {text['wall.title']}", className="wall-title"),
                    html.Div(id="wall-clock", className="wall-clock", **data_attributes(zone=rt.settings.timezone)),
                    html.Div(text["conn.reconnecting"], id="connection-state", className="connection-state",
                             **data_attributes(state="reconnecting", live=text["conn.live"],
                                                reconnecting=text["conn.reconnecting"], offline=text["conn.offline"])),
                    html.Div(panels["as_of"], id="as-of", className="as-of"),
                ],
                className="wall-header",
            ),
            html.Section([html.H2(text["wall.kpis"]), html.Div(panels["kpis"], id="kpi-strip", className="kpi-strip")],
                         className="panel panel-kpis"),
            html.Section([html.H2(text["wall.map"]),
                          dcc.Graph(id="event-map", figure=panels["map"], className="graph-fill",
                                    config={"displayModeBar": False, "scrollZoom": False})],
                         className="panel panel-map"),
            html.Section([html.H2(text["wall.approvals"]),
                          dcc.Graph(id="approvals-throughput", figure=panels["throughput"], className="graph-fill",
                                    config={"displayModeBar": False, "staticPlot": True})],
                         className="panel panel-approvals"),
            html.Section([html.H2(text["wall.alerts"]),
                          html.Ul(_ticker_items(shown, lang), id="alert-ticker", className="alert-ticker")],
                         className="panel panel-alerts"),
            alert_popup(text),
            *push_components("", shown[-1][0] if shown else "0-0"),
            dcc.Store(id="wall-lang", data=lang),
            dcc.Interval(id="wall-refresh", interval=REFRESH_MS),
        ],
        id="wall-root",
        className="wall",
        lang=lang,
    )


@callback(
    Output("kpi-strip", "children"),
    Output("event-map", "figure"),
    Output("approvals-throughput", "figure"),
    Output("as-of", "children"),
    Input("wall-refresh", "n_intervals"),
    Input("wall-lang", "data"),
    prevent_initial_call=True,
)
def refresh(_tick: int | None, lang: str) -> tuple[Any, Any, Any, str]:
    panels = _panels(lang)
    return panels["kpis"], panels["map"], panels["throughput"], panels["as_of"]


def _push_to_ticker(folder: StormFolder, entries: list[Entry], lang: str) -> None:
    """New rows are prepended, grown storms get their count updated in place, the oldest rows beyond the ticker's
    size are dropped: one Patch, so the rest of the page is never redrawn."""
    before = [row.head_id for row in folder.rows]
    heads: dict[str, dict[str, str]] = {}
    grown: dict[str, TickerRow] = {}
    for stream_id, fields in entries:
        row, new = folder.add(stream_id, fields)
        if new:
            heads[stream_id] = fields
        elif row.head_id not in heads:
            grown[row.head_id] = row
    patch = Patch()
    for head_id, row in grown.items():
        index = before.index(head_id)
        patch[index]["props"]["children"][3]["props"]["children"] = count_text(row.count)
        patch[index]["props"]["data-count"] = str(row.count)
    for row in reversed([row for row in folder.rows if row.head_id in heads]):
        fields = heads[row.head_id]
        patch.prepend(ticker_item(row.head_id, fields, _time_text(fields), lang, group=row.key, count=row.count,
                                  sent=fields.get("sent", "")))
    for _ in range(max(0, len(folder.rows) - TICKER_SIZE)):
        del patch[TICKER_SIZE]
    del folder.rows[TICKER_SIZE:]
    set_props("alert-ticker", {"children": patch})
    urgent = [fields for _, fields in entries if fields.get("msg_type", "alert") == "alert"
              and fields.get("severity") in POPUP_SEVERITIES]
    if urgent:
        top = min(urgent, key=lambda fields: POPUP_SEVERITIES.index(fields["severity"]))
        set_props("alert-popup-data", {"data": {"severity": top["severity"], "headline": top.get("headline", ""),
                                                "time": _time_text(top), "count": len(urgent)}})


@callback(
    Input("push-restart", "data"),
    State("alert-last-id", "data"),
    State("wall-lang", "data"),
    State("alert-ticker", "children"),
    persistent=True,
)
async def push_alerts(_restart: int | None, last_id: str | None, lang: str | None, ticker: list[Any] | None) -> None:
    """Stream new alerts onto the ticker while this loop owns the page (see dashboards/_alert_push.py)."""
    scope = current_principal().scope
    settings = runtime().settings
    folder = restore_folder(ticker, settings.alert_storm_minutes)
    lang = lang or settings.lang

    def show(entries: list[Entry]) -> None:
        _push_to_ticker(folder, entries, lang)
        push_kpi_statuses(entries, WALL_KPIS)

    await run_push(ctx.websocket, "", last_id or "0-0", show, scope)


clientside_callback(HEARTBEAT_JS, Output("heartbeat-seen", "data"), Input("stream-heartbeat", "data"),
                    prevent_initial_call=True)
clientside_callback(WATCHDOG_JS, Output("push-restart", "data"), Input("push-watchdog", "n_intervals"),
                    State("push-restart", "data"), prevent_initial_call=True)
clientside_callback(
    "function(data, close, enable) { return window.onescreen.popup(data, close, enable); }",
    Output("alert-popup", "className"), Output("alert-popup-text", "children"),
    Input("alert-popup-data", "data"), Input("alert-popup-close", "n_clicks"), Input("sound-enable", "n_clicks"),
    prevent_initial_call=True,
)
