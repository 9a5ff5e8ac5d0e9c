"""The wall's alert ticker panel, its pop-up for urgent alerts, and the live push that feeds both.

Alerts are pushed by a persistent websocket callback that blocks on XREAD from the last stream id the page has
shown, so a reconnect resumes exactly where it stopped: no alert lost, none shown twice. New rows are added with a
Patch of the ticker's row data (components/ticker.py AlertTicker, drawn by assets/push.js), and the position travels
in the same Patch: one property update per push, and the rest of the page is never redrawn. The pop-up is paced
(PopupPacer): in a storm it changes at most once a second, each change being a Dash callback on the page.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from dash import Input, Output, Patch, State, callback, clientside_callback, ctx, html, set_props

from components.i18n import translator
from components.panel import panel
from components.storm_summary import STORM_ID, storm_box
from components.ticker import AlertTicker, Row, alert_popup, count_text, ticker_row
from dashboards._alert_push import (
    HEARTBEAT_JS,
    WATCHDOG_JS,
    SeenAlerts,
    alert_key,
    push_components,
    run_push,
    storm_folder,
)
from dashboards._auth import current_principal
from dashboards._kpi_live import push_kpi_statuses
from dashboards._present import local_time
from dashboards._runtime import runtime
from dashboards._storm_summary import StormLine
from dashboards._wall_screens import kpi_codes
from services.alerts import Entry, StormFolder, TickerRow, recent, sent_time

TICKER_SIZE = 30
POPUP_SEVERITIES = ("extreme", "severe")  # most severe first
POPUP_GAP_SECONDS = 1.0


def _time_text(fields: dict[str, str]) -> str:
    return local_time(sent_time(fields), runtime().settings.zone, "%H:%M:%S")


def _ticker_rows(entries: list[Entry], lang: str) -> list[Row]:
    """The opening ticker: the recent entries, each alert once, folded into storm rows, newest first."""
    folder = StormFolder([], timedelta(minutes=runtime().settings.alert_storm_minutes))
    heads = {}
    for stream_id, fields in SeenAlerts().first_sightings(entries):
        row, new = folder.add(stream_id, fields)
        if new:
            heads[stream_id] = fields
    return [ticker_row(row.head_id, heads[row.head_id], _time_text(heads[row.head_id]), lang, group=row.key,
                       count=row.count, sent=heads[row.head_id].get("sent", ""), alert=alert_key(heads[row.head_id]))
            for row in folder.rows[:TICKER_SIZE]]


def ticker_panel(lang: str) -> list[Any]:
    """The ticker panel, the pop-up and the push's stores, as the page first shows them."""
    rt = runtime()
    text = translator(lang)
    shown = recent(rt.redis, rt.settings.alerts_stream, TICKER_SIZE * 4)
    return [
        panel("alerts", text["wall.alerts"], html.Div([
            storm_box(),
            AlertTicker(id="alert-ticker", data={"rows": _ticker_rows(shown, lang),
                                                 "last_id": shown[-1][0] if shown else "0-0"},
                        className="alert-ticker"),
        ], className="panel-body")),
        alert_popup(text),
        *push_components("", None),
    ]


def _push_to_ticker(folder: StormFolder, entries: list[Entry], position: str, lang: str) -> None:
    """New rows are prepended, grown storms get their count updated in place, the oldest rows beyond the ticker's
    size are dropped, and the position moves to the last entry read (`position`, repeats included): one Patch of one property, so the rest of the page
    is never redrawn."""
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
    rows = patch["rows"]
    for head_id, row in grown.items():
        index = before.index(head_id)
        rows[index]["count"] = row.count
        rows[index]["badge"] = count_text(row.count)
    for row in reversed([row for row in folder.rows if row.head_id in heads]):
        fields = heads[row.head_id]
        rows.prepend(ticker_row(row.head_id, fields, _time_text(fields), lang, group=row.key, count=row.count,
                                sent=fields.get("sent", ""), alert=alert_key(fields)))
    for _ in range(max(0, len(folder.rows) - TICKER_SIZE)):
        del rows[TICKER_SIZE]
    del folder.rows[TICKER_SIZE:]
    patch["last_id"] = position
    set_props("alert-ticker", {"data": patch})


class PopupPacer:
    """What the pop-up shows next: the most severe urgent alert not yet shown (the newest among equals) and how many
    urgent alerts came with it. Sent at once when the pop-up has been still for POPUP_GAP_SECONDS, else at the end of
    that gap: each change costs the page a callback, and in a storm nobody reads ten pop-ups a second."""

    def __init__(self) -> None:
        self.top: dict[str, str] | None = None
        self.count = 0
        self.sent_at = float("-inf")

    def add(self, entries: list[Entry]) -> None:
        for _, fields in entries:
            # an update pops up too: the wall cannot tell one whose alert never reached us (a new alert, issue 17)
            # from one of an alert it showed, and an urgent alert's update is news either way; a cancel is not
            if fields.get("msg_type") == "cancel" or fields.get("severity") not in POPUP_SEVERITIES:
                continue
            if self.top is None or _rank(fields) <= _rank(self.top):
                self.top = fields
            self.count += 1

    def flush(self) -> None:
        now = time.monotonic()
        if self.top is None or now - self.sent_at < POPUP_GAP_SECONDS:
            return
        top = self.top
        set_props("alert-popup-data", {"data": {"severity": top["severity"], "headline": top.get("headline", ""),
                                                "time": _time_text(top), "count": self.count}})
        self.top, self.count, self.sent_at = None, 0, now


def _rank(fields: dict[str, str]) -> int:
    return POPUP_SEVERITIES.index(fields["severity"])


async def push_alerts(_restart: int | None, ticker: dict[str, Any] | None, lang: str | None,
                      view: dict[str, Any] | None) -> None:
    """Stream new alerts onto the ticker while this loop owns the page (see dashboards/_alert_push.py), from where
    the ticker stands; alerts about a KPI of the page's screens (`view`: dashboards/_wall_screens.View) also
    recolour its card in place."""
    scope = current_principal().scope
    settings = runtime().settings
    pack = runtime().pack
    codes = kpi_codes([pack.screen_or_default(name) for name in (view or {}).get("screens", [None])])
    ticker = ticker or {}
    rows: list[Row] = ticker.get("rows") or []
    folder = storm_folder(((row.get("id"), row.get("group"), row.get("count"), row.get("sent")) for row in rows),
                          settings.alert_storm_minutes)
    lang = lang or settings.lang
    seen = SeenAlerts(row["alert"] for row in rows if row.get("alert"))
    popup = PopupPacer()
    storm = StormLine(STORM_ID, lang, drawn=TICKER_SIZE)

    def show(read: list[Entry]) -> None:
        storm.add(read)
        entries = seen.first_sightings(read)
        _push_to_ticker(folder, entries, read[-1][0], lang)
        popup.add(entries)
        popup.flush()
        push_kpi_statuses(entries, codes)

    def tick() -> None:
        popup.flush()
        storm.flush()

    await run_push(ctx.websocket, "", ticker.get("last_id") or "0-0", show, scope, store_position=False,
                   tick=tick, batch=TICKER_SIZE)


def register_callbacks() -> None:
    """Wire this panel's callbacks (see dashboards._auth.register_for_page)."""
    callback(
        Input("push-restart", "data"),
        State("alert-ticker", "data"),
        State("wall-lang", "data"),
        State("wall-view", "data"),
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
