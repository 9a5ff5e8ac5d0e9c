"""The wall's alert ticker panel, its pop-up for urgent alerts, and the live push that feeds both.

Alerts are pushed by a persistent websocket callback that blocks on XREAD from the last stream id the page has
shown, so a reconnect resumes exactly where it stopped: no alert lost, none shown twice. New rows are added with a
Patch, so the rest of the page is never redrawn.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from dash import Input, Output, Patch, State, callback, clientside_callback, ctx, html, set_props

from components.i18n import translator
from components.panel import panel
from components.ticker import alert_popup, count_text, ticker_item
from dashboards._alert_push import HEARTBEAT_JS, WATCHDOG_JS, push_components, restore_folder, run_push
from dashboards._auth import current_principal
from dashboards._kpi_live import push_kpi_statuses
from dashboards._present import local_time
from dashboards._runtime import runtime
from dashboards._wall_kpis import WALL_KPIS
from services.alert_storm import StormFolder, TickerRow, sent_time
from services.stream import Entry, recent

TICKER_SIZE = 30
POPUP_SEVERITIES = ("extreme", "severe")  # most severe first


def _time_text(fields: dict[str, str]) -> str:
    return local_time(sent_time(fields), runtime().settings.zone, "%H:%M:%S")


def _ticker_items(entries: list[Entry], lang: str) -> list[html.Li]:
    """The opening ticker: the recent entries folded into storm rows, newest first."""
    folder = StormFolder([], timedelta(minutes=runtime().settings.alert_storm_minutes))
    heads = {}
    for stream_id, fields in entries:
        row, new = folder.add(stream_id, fields)
        if new:
            heads[stream_id] = fields
    return [ticker_item(row.head_id, heads[row.head_id], _time_text(heads[row.head_id]), lang, group=row.key,
                        count=row.count, sent=heads[row.head_id].get("sent", ""))
            for row in folder.rows[:TICKER_SIZE]]


def ticker_panel(lang: str) -> list[Any]:
    """The ticker panel, the pop-up and the push's stores, as the page first shows them."""
    rt = runtime()
    text = translator(lang)
    shown = recent(rt.redis, rt.settings.alerts_stream, TICKER_SIZE * 4)
    return [
        panel("alerts", text["wall.alerts"],
              html.Ul(_ticker_items(shown, lang), id="alert-ticker", className="alert-ticker")),
        alert_popup(text),
        *push_components("", shown[-1][0] if shown else "0-0"),
    ]


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


async def push_alerts(_restart: int | None, last_id: str | None, lang: str | None, ticker: list[Any] | None) -> None:
    """Stream new alerts onto the ticker while this loop owns the page (see dashboards/_alert_push.py); alerts
    about a wall KPI also recolour its card in place."""
    scope = current_principal().scope
    settings = runtime().settings
    folder = restore_folder(ticker, settings.alert_storm_minutes)
    lang = lang or settings.lang

    def show(entries: list[Entry]) -> None:
        _push_to_ticker(folder, entries, lang)
        push_kpi_statuses(entries, WALL_KPIS)

    await run_push(ctx.websocket, "", last_id or "0-0", show, scope)


def register_callbacks() -> None:
    """Wire this panel's callbacks. The page module calls this when Dash runs it, once per app: callbacks registered
    at this module's import would reach only the first app built in the process."""
    callback(
        Input("push-restart", "data"),
        State("alert-last-id", "data"),
        State("wall-lang", "data"),
        State("alert-ticker", "children"),
        persistent=True,
    )(push_alerts)
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
