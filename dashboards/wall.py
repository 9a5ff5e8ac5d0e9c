"""/wall — the one-screen overview for the command center's video wall.

The page is a fixed-size design canvas (dashboards/_wall_canvas.py) that the browser scales to the screen, holding
a header (city, date and clock, the 督办 marker, connection state, language) and the panels of a screen the city pack provisions
(screens/*.toml; which one, a playlist, a tile: dashboards/_wall_screens.py), each refreshing its own properties in
place on its own interval (`_wall_kpis`, `_wall_focus`, `_wall_cards`, `_wall_map`, `_wall_approvals`) or by push
(`_wall_ticker`); while a response is active the incident covers them (`_wall_incident`). The ticker, pop-up and push stores sit outside the screen's own panels, so a playlist's switch
never interrupts the push.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import dash
from dash import dcc, html

from components.html_attrs import data_attributes
from components.i18n import translator
from components.lang_switch import language_switch
from components.ticker import sound_button
from dashboards import (
    _wall_approvals,
    _wall_cards,
    _wall_focus,
    _wall_incident,
    _wall_kpis,
    _wall_map,
    _wall_screens,
    _wall_supervision,
    _wall_ticker,
)
from dashboards._auth import current_principal, register_for_page
from dashboards._present import local_date, local_time
from dashboards._runtime import runtime
from dashboards._wall_canvas import Canvas, canvas

dash.register_page(__name__, path="/wall", title="一屏统览 OneScreen")

PANELS = (_wall_kpis, _wall_focus, _wall_cards, _wall_map, _wall_approvals, _wall_ticker, _wall_screens, _wall_incident,
          _wall_supervision)
# The panels refreshed by a timer (components/panel.refresh_timer): a stale one gets its timer switched back on.
TIMERS = "kpis-refresh focus-refresh map-refresh approvals-refresh"
for _panel in PANELS:
    register_for_page(__name__, _panel.register_callbacks)


def _header(lang: str, style: dict[str, str]) -> html.Header:
    rt = runtime()
    text = translator(lang)
    city = rt.settings.city_name_zh if lang == "zh-CN" else rt.settings.city_name_en
    now, zone = datetime.now(UTC), rt.settings.zone
    clock = [html.Span(local_date(now, zone, lang), className="wall-date"),
             html.Span(local_time(now, zone, "%H:%M:%S"), className="wall-time")]
    return html.Header(
        [
            html.H1(f"{city} · {text['wall.title']}", className="wall-title"),
            html.Div(clock, id="wall-clock", className="wall-clock", **data_attributes(zone=rt.settings.timezone)),
            _wall_supervision.marker(lang),  # 督办: waiting and escalated supervisions
            sound_button(text),
            html.Div(text["conn.reconnecting"], id="connection-state", className="connection-state",
                     **data_attributes(state="reconnecting", push="push-restart", live=text["conn.live"],
                                       reconnecting=text["conn.reconnecting"], offline=text["conn.offline"])),
            language_switch(lang, text["lang.switch"]),
        ],
        className="wall-header",
        style=style,
    )


def _canvas_attributes(spec: Canvas, view: _wall_screens.View, unit: float) -> dict[str, Any]:
    width, height = view.page_size
    playlist = {"playlist": " ".join(s.name for s in view.screens), "seconds": f"{view.seconds:g}"} if view.seconds else {}
    return {"style": {"width": f"{width}px", "height": f"{height}px", "--u": f"{unit:.4g}"},
            **data_attributes(width=str(width), height=str(height), fit=spec.fit, reload=spec.reload,
                              tile=str(view.tile), **playlist)}


def layout(lang: str | None = None, size: str | None = None, fit: str | None = None, rotate: str | None = None,
           reload: str | None = None, screen: str | None = None, playlist: str | None = None,
           tile: str | None = None, **_query: Any) -> html.Div:
    """A fresh picture on every load; the stream id of the newest alert shown is where the push resumes."""
    current_principal()  # only for a caller the middleware admitted
    rt = runtime()
    lang = lang if lang in ("zh-CN", "en") else rt.settings.lang
    spec = canvas(rt.settings, size, fit, rotate, reload)
    view = _wall_screens.resolve(rt.pack, (spec.width, spec.height), screen, playlist, tile)
    shown = view.current
    rotate_s = spec.rotate_s if rotate else None  # ?rotate= over the screen's own
    body, ticker_style = _wall_screens.screen_body(view, shown, lang, rotate_s)
    ticker, *push = _wall_ticker.ticker_panel(lang)
    setattr(ticker, "style", ticker_style)  # noqa: B010 (a prop the stubs do not declare)
    placed = _wall_screens.place(view, shown)
    root = html.Div(
        [
            _header(lang, placed.header),
            html.Div(translator(lang)["wall.offline_banner"], id="wall-offline-banner", className="wall-offline-banner",
                     role="status"),  # shown while the push is lost (assets/onescreen.js, .is-offline)
            html.Div(body, id="wall-screen-body", className="wall-screen-body"),
            *_wall_incident.incident_components(lang, placed.unit),  # over the body while a response is on
            ticker,
            *push,
            dcc.Store(id="wall-lang", data=lang),
            dcc.Store(id="wall-screen", data=shown.name),
            dcc.Store(id="wall-view", data=view.as_data()),
            dcc.Store(id="wall-rotate", data=rotate_s),
        ],
        id="wall-root",
        className="wall",
        lang=lang,
        **data_attributes(stale_label=translator(lang)["kpi.stale"], timers=TIMERS),
        **_canvas_attributes(spec, view, placed.unit),
    )
    return html.Div(root, id="wall-stage", className="wall-stage")
