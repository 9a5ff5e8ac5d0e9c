"""/wall — the one-screen overview for the command center's video wall.

Panels refresh their properties in place (figures and card strips over a slow interval); alerts are pushed by a
persistent websocket callback that blocks on XREAD from the last stream id the page has shown, so a reconnect
resumes exactly where it stopped: no alert lost, none shown twice.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

import dash
import redis
from dash import Input, Output, Patch, callback, clientside_callback, ctx, dcc, html, set_props

from components import figures
from components.html_attrs import data_attributes
from components.i18n import translator
from components.kpi import kpi_strip
from components.ticker import ticker_item
from dashboards._present import kpi_cards, local_time
from dashboards._runtime import runtime
from services import approvals, events, indicators
from services.stream import read_after, recent

dash.register_page(__name__, path="/wall", redirect_from=["/"], title="一屏统览 OneScreen")

log = logging.getLogger(__name__)

TICKER_SIZE = 30
# One headline indicator per domain, in the order a duty officer scans them.
WALL_KPIS = ("traffic_congestion_index", "aqi", "metro_ridership", "power_load", "police_incidents",
             "hotline_calls", "gov_ontime_rate", "crowd_gulangyu")
REFRESH_MS = 60_000
HEARTBEAT_SECONDS = 2.0
PAGE_WAIT_SECONDS = 30.0
PUSH_GAP_SECONDS = 0.03  # at most about thirty ticker updates a second, however fast alerts arrive


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


def _ticker_items(entries: list[tuple[str, dict[str, str]]], lang: str) -> list[html.Li]:
    zone = runtime().settings.zone
    items = []
    for stream_id, fields in reversed(entries):
        try:
            sent = datetime.fromisoformat(fields.get("sent", ""))
        except ValueError:
            sent = None
        items.append(ticker_item(stream_id, fields, local_time(sent, zone, "%H:%M:%S"), lang))
    return items


def layout(lang: str | None = None, **_query: Any) -> html.Div:
    """A fresh picture on every load; the stream id of the newest alert shown is where the push resumes."""
    rt = runtime()
    lang = lang if lang in ("zh-CN", "en") else rt.settings.lang
    text = translator(lang)
    panels = _panels(lang)
    shown = recent(rt.redis, rt.settings.alerts_stream, TICKER_SIZE)
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
            dcc.Store(id="alert-last-id", data=shown[-1][0] if shown else "0-0"),
            dcc.Store(id="wall-lang", data=lang),
            dcc.Store(id="stream-heartbeat"),
            dcc.Store(id="heartbeat-seen"),
            dcc.Interval(id="wall-refresh", interval=REFRESH_MS),
        ],
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


def _push_to_ticker(entries: list[tuple[str, dict[str, str]]], lang: str, shown: int) -> int:
    """Prepend the new items and drop the oldest beyond the ticker's size, as one Patch; returns the new count."""
    patch = Patch()
    for item in _ticker_items(entries, lang)[::-1]:
        patch.prepend(item)
    shown += len(entries)
    while shown > TICKER_SIZE:
        del patch[TICKER_SIZE]
        shown -= 1
    set_props("alert-ticker", {"children": patch})
    return shown


async def _await_page_prop(ws: Any, component_id: str, prop: str) -> Any:
    """A persistent callback starts with the websocket, before the page's content is rendered: wait for it."""
    for _ in range(int(PAGE_WAIT_SECONDS / 0.1)):
        if ws.is_shutdown:
            return None
        value = await ws.get_prop(component_id, prop)
        if value is not None:
            return value
        await asyncio.sleep(0.1)
    return None


@callback(persistent=True)
async def push_alerts() -> None:
    """Stream new alerts onto the ticker while the page's websocket lives; beat every few seconds when quiet."""
    ws = ctx.websocket
    rt = runtime()
    last_id = await _await_page_prop(ws, "alert-last-id", "data")
    if last_id is None:
        return  # this page shows no ticker
    lang = await ws.get_prop("wall-lang", "data") or rt.settings.lang
    shown = len(await ws.get_prop("alert-ticker", "children") or [])
    loop = asyncio.get_running_loop()
    last_beat = last_push = 0.0
    while not ws.is_shutdown:
        try:
            entries = await read_after(rt.async_redis, rt.settings.alerts_stream, last_id, block_ms=1000)
            if entries and loop.time() - last_push < PUSH_GAP_SECONDS:
                # A storm: gather what arrives within the gap into one update, so the browser never falls behind.
                await asyncio.sleep(PUSH_GAP_SECONDS - (loop.time() - last_push))
                entries += await read_after(rt.async_redis, rt.settings.alerts_stream, entries[-1][0],
                                            block_ms=None, count=1000)
        except (redis.RedisError, OSError) as exc:
            log.warning("alert stream unreachable, retrying: %s", exc)
            set_props("stream-heartbeat", {"data": {"ok": False, "at": datetime.now(UTC).isoformat()}})
            await asyncio.sleep(1.0)
            continue
        if entries and not ws.is_shutdown:
            last_id, last_push = entries[-1][0], loop.time()
            shown = _push_to_ticker(entries[-TICKER_SIZE:], lang, shown)
            set_props("alert-last-id", {"data": last_id})
        if loop.time() - last_beat >= HEARTBEAT_SECONDS:
            last_beat = loop.time()
            set_props("stream-heartbeat", {"data": {"ok": True, "at": datetime.now(UTC).isoformat()}})


clientside_callback(
    "function(beat) { return window.onescreen.heartbeat(beat); }",
    Output("heartbeat-seen", "data"),
    Input("stream-heartbeat", "data"),
    prevent_initial_call=True,
)
