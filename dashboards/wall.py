"""/wall — the one-screen overview for the command center's video wall.

The page is a shell: a header (city, clock, connection state) and one panel per module, each refreshing its own
properties in place on its own interval (`_wall_kpis`, `_wall_map`, `_wall_approvals`) or by push (`_wall_ticker`).
"""

from __future__ import annotations

from typing import Any

import dash
from dash import dcc, html

from components.html_attrs import data_attributes
from components.i18n import translator
from dashboards import _wall_approvals, _wall_kpis, _wall_map, _wall_ticker
from dashboards._auth import current_principal
from dashboards._runtime import runtime

dash.register_page(__name__, path="/wall", title="一屏统览 OneScreen")

PANELS = (_wall_kpis, _wall_map, _wall_approvals, _wall_ticker)
for _panel in PANELS:
    _panel.register_callbacks()


def layout(lang: str | None = None, **_query: Any) -> html.Div:
    """A fresh picture on every load; the stream id of the newest alert shown is where the push resumes."""
    current_principal()  # only for a caller the middleware admitted
    rt = runtime()
    lang = lang if lang in ("zh-CN", "en") else rt.settings.lang
    text = translator(lang)
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
                ],
                className="wall-header",
            ),
            _wall_kpis.kpi_panel(lang),
            _wall_map.map_panel(lang),
            _wall_approvals.approvals_panel(lang),
            *_wall_ticker.ticker_panel(lang),
            dcc.Store(id="wall-lang", data=lang),
        ],
        id="wall-root",
        className="wall",
        lang=lang,
    )
