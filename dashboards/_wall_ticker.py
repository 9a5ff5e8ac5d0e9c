"""The wall's alert ticker panel, its pop-up for urgent alerts, and the live push that feeds both.

Alerts are pushed by a persistent websocket callback that blocks on XREAD from the last stream id the page has
shown, so a reconnect resumes exactly where it stopped: no alert lost, none shown twice. The rows follow the rules of
dashboards/_live_ticker.py and go out whole with the stream position, in one update of the ticker's data
(components/ticker.py AlertTicker, drawn by assets/push.js): the rest of the page is never redrawn. The ticker opens
on the stream's recent entries and, before them, the store's latest alerts. The pop-up is paced (PopupPacer): in a
storm it changes at most once a second; it closes itself after `wall_popup_seconds` and as soon as a status signal
says its alert was acknowledged (or silenced, or resolved) anywhere.
In a storm an update carries every entry read within its gap (dashboards/_alert_push.py), each applied to the rows
(a storm group's count grows by each), and the newest TICKER_SIZE rows are drawn: the rest were never drawn one by
one, and the storm summary (dashboards/_storm_summary.py) counts them. Taking only a ticker's worth per update would
draw every alert, but at 1 000 alerts/s the wall would fall further behind with every update.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from dash import Input, Output, State, callback, clientside_callback, ctx, html, set_props

from components.i18n import translator
from components.panel import panel
from components.storm_summary import STORM_ID, storm_box
from components.ticker import AlertTicker, Row, alert_popup
from dashboards._alert_push import (
    HEARTBEAT_JS,
    WATCHDOG_JS,
    SeenAlerts,
    in_scope,
    push_components,
    run_push,
)
from dashboards._alert_text import headline_in
from dashboards._auth import current_principal
from dashboards._entry_facts import alert_key
from dashboards._kpi_live import push_kpi_statuses
from dashboards._live_ticker import LiveTicker, expired, received_time, sender_time
from dashboards._runtime import runtime
from dashboards._storm_summary import StormLine
from dashboards._wall_incident import TABLES as INCIDENT_TABLES
from dashboards._wall_map import MapNudge
from dashboards._wall_screens import kpi_codes
from services.access import Scope
from services.alerts import CLOSING, Entry, last_id, recent, status_stream, stored_entries, storm_key, wrote

TICKER_SIZE = 30
POPUP_SEVERITIES = ("extreme", "severe")  # most severe first
POPUP_GAP_SECONDS = 1.0


def _live_ticker(rows: list[Row], lang: str) -> LiveTicker:
    settings = runtime().settings
    return LiveTicker(rows, size=TICKER_SIZE, window=timedelta(minutes=settings.alert_storm_minutes), lang=lang,
                      zone=settings.zone, headline=headline_in(lang))


def _opening(lang: str, scope: Scope) -> tuple[list[Row], str, str]:
    """The opening ticker, its stream position and its signals' position: the stream's recent entries and the
    store's latest alerts (which outlive a restart of the stream), in the order they reached us, each once; an
    entry in both keeps the stream's fields with the store's status; an expired one is left out either way."""
    rt = runtime()
    read = recent(rt.redis, rt.settings.alerts_stream, TICKER_SIZE * 4)
    with rt.sessions() as session:
        stored = dict(stored_entries(session, limit=TICKER_SIZE * 4, scope=scope))
    merged = dict(stored)
    for stream_id, fields in in_scope(read, scope):
        merged[stream_id] = {**fields, "status": stored[stream_id]["status"]} if stream_id in stored else fields
    entries = sorted(merged.items(), key=lambda entry: received_time(*entry))
    ticker, now = _live_ticker([], lang), datetime.now(UTC)
    for stream_id, fields in SeenAlerts().first_sightings(entries):
        ticker.add(stream_id, fields, now)
        if fields.get("status"):
            ticker.signal(fields)
    position = read[-1][0] if read else "0-0"
    return ticker.rows, position, last_id(rt.redis, status_stream(rt.settings.alerts_stream))


def ticker_panel(lang: str) -> list[Any]:
    """The ticker panel, the pop-up and the push's stores, as the page first shows them."""
    text = translator(lang)
    rows, position, signal_id = _opening(lang, current_principal().scope)
    return [
        panel("alerts", text["wall.alerts"], html.Div([
            storm_box(),
            AlertTicker(id="alert-ticker", data={"rows": rows, "last_id": position, "signal_id": signal_id},
                        className="alert-ticker"),
        ], className="panel-body")),
        alert_popup(text, runtime().settings.wall_popup_seconds),
        *push_components("", None),
    ]


class PopupPacer:
    """What the pop-up shows next: the most severe urgent alert not yet shown (the newest among equals) and how many
    urgent alerts came with it. Sent at once when the pop-up has been still for POPUP_GAP_SECONDS, else at the end of
    that gap: each change costs the page a callback, and in a storm nobody reads ten pop-ups a second. The page
    decides whether it replaces the one on screen (assets/onescreen.js: never a lower level over a higher)."""

    def __init__(self, lang: str = "zh-CN") -> None:
        self.text, self.headline = translator(lang), headline_in(lang)
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
        set_props("alert-popup-data", {"data": {
            "severity": top["severity"], "level": self.text[f"popup.level.{top['severity']}"],
            "headline": self.headline(top), "time": sender_time(top, runtime().settings.zone, datetime.now(UTC)), "count": self.count,
            "alert": alert_key(top), "group": storm_key(top)}})
        self.top, self.count, self.sent_at = None, 0, now


def _rank(fields: dict[str, str]) -> int:
    return POPUP_SEVERITIES.index(fields["severity"])


async def push_alerts(_restart: int | None, ticker: dict[str, Any] | None, lang: str | None,
                      view: dict[str, Any] | None) -> None:
    """Stream new alerts onto the ticker while this loop owns the page (see dashboards/_alert_push.py), from where
    the ticker stands; alerts about a KPI of the page's screens (`view`: dashboards/_wall_screens.View) also
    recolour its card in place; a signal that events were written refreshes the page's map (MapNudge), one that a response or its
    progress was written its incident section (dashboards/_wall_incident.py)."""
    scope = current_principal().scope
    settings = runtime().settings
    pack = runtime().pack
    shown = [pack.screen_or_default(name) for name in (view or {}).get("screens", [None])]
    codes = kpi_codes(shown)
    state = dict(ticker or {})
    lang = lang or settings.lang
    live = _live_ticker(list(state.get("rows") or []), lang)
    seen = SeenAlerts(key for row in live.rows for key in row.get("keys", ()))
    popup = PopupPacer(lang)
    storm = StormLine(STORM_ID, lang, drawn=TICKER_SIZE)
    nudge = MapNudge() if any(panel.kind == "map" for screen in shown for panel in screen.panels) else None
    incident = MapNudge(timer="incident-refresh")  # a response activated, moved or stood down: the wall switches

    def send() -> None:
        """The whole ticker in one property update: thirty rows are a few kilobytes, and rows that did not change
        are not redrawn (assets/push.js compares each row)."""
        set_props("alert-ticker", {"data": {**state, "rows": live.rows}})

    def show(read: list[Entry]) -> None:
        storm.add(read)
        entries = seen.first_sightings(read)
        now = datetime.now(UTC)
        for stream_id, fields in entries:
            live.add(stream_id, fields, now)
        state["last_id"] = read[-1][0]
        send()
        popup.add([entry for entry in entries if not expired(entry[1], now)])
        popup.flush()
        push_kpi_statuses(entries, codes)

    def signals(news: list[Entry], position: str) -> None:
        moved = [live.signal(fields) for _, fields in news]
        state["signal_id"] = position
        if any(moved):
            send()
        if nudge is not None and any(wrote(fields, "events") for _, fields in news):
            nudge.want()
        if any(wrote(fields, table) for _, fields in news for table in INCIDENT_TABLES):
            incident.want()
        closing = [fields for _, fields in news if fields.get("status") in CLOSING]
        if closing:
            set_props("alert-popup-closed", {"data": {
                "alerts": [alert_key(fields) for fields in closing],
                "groups": [fields["group"] for fields in closing if fields.get("group")], "at": time.time()}})

    def tick() -> None:
        popup.flush()
        storm.flush()
        if nudge is not None:
            nudge.flush()
        incident.flush()
        if live.expire(datetime.now(UTC)):
            send()

    await run_push(ctx.websocket, "", state.get("last_id") or "0-0", show, scope, store_position=False,
                   tick=tick, on_signals=signals, signal_id=state.get("signal_id") or "")


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
        "function(data, closed, close, enable) { return window.onescreen.popup(data, closed, close, enable); }",
        Output("alert-popup", "className"), Output("alert-popup-text", "children"),
        Input("alert-popup-data", "data"), Input("alert-popup-closed", "data"), Input("alert-popup-close", "n_clicks"),
        Input("sound-enable", "n_clicks"),
        prevent_initial_call=True,
    )
