"""The wall's focus panel: one topic at a time (traffic, environment, the 12345 hotline, lifelines), rotating.

Every topic's cards are on the page; the page shows one and rotates on its own clock (assets/onescreen.js, on the
wall clock's second, so every screen of a tiled wall shows the same topic), with no server round trip per turn.
The cards refresh in place on the panel's interval like the other panels'; the rotation does not restart then.
"""

from __future__ import annotations

from datetime import datetime

from dash import Output, html

from components.html_attrs import data_attributes
from components.i18n import translator
from components.panel import as_of_stamp, panel, refresh_timer
from dashboards._wall_kpis import read_cards
from dashboards._wall_refresh import register_refresh

# Topic -> its indicators (the city pack's indicators.csv), the headline first.
TOPICS: dict[str, tuple[str, ...]] = {
    "traffic": ("traffic_congestion_index", "traffic_avg_speed", "metro_ridership", "parking_occupancy",
                "traffic_accidents", "bus_on_time_rate"),
    "environment": ("aqi", "pm25", "pm10", "o3", "no2", "noise"),
    "hotline": ("hotline_calls", "hotline_connection_rate", "hotline_ontime_rate", "hotline_satisfaction"),
    "lifeline": ("water_pressure", "power_load", "power_outage_households", "gas_pressure", "waterlogging_points",
                 "rainfall"),
}
CADENCE_S = 60


def _slides(lang: str) -> tuple[list[html.Div], datetime, str]:
    codes = [code for topic in TOPICS.values() for code in topic]
    cards, as_of, as_of_text = read_cards(codes, lang, hook="focus", spark=False)  # no room for sparklines
    by_code = dict(zip(codes, cards, strict=True))
    slides = [html.Div([by_code[code] for code in topic], className="focus-slide", **data_attributes(topic=name))
              for name, topic in TOPICS.items()]
    return slides, as_of, as_of_text


def focus_panel(lang: str, rotate_s: float) -> html.Section:
    """The panel as the page first shows it, turning to the next topic every `rotate_s` seconds."""
    text = translator(lang)
    slides, as_of, as_of_text = _slides(lang)
    tabs = html.Ol([html.Li(text[f"focus.{name}"], className="focus-tab") for name in TOPICS], className="focus-tabs")
    rotor = html.Div([tabs, html.Div(slides, id="focus-slides", className="focus-slides"),
                      refresh_timer("focus", CADENCE_S)],
                     id="focus-rotor", className="panel-body focus-rotor", **data_attributes(rotate=f"{rotate_s:g}"))
    return panel("focus", text["wall.focus"], rotor, as_of_stamp("focus", as_of, as_of_text, CADENCE_S))


def register_callbacks() -> None:
    """Wire this panel's callbacks (see dashboards._auth.register_for_page)."""
    register_refresh("focus", Output("focus-slides", "children"), _slides)
