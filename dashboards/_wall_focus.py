"""The wall's focus panel: one topic at a time (a screen's `[[panels.topics]]`: traffic, environment...), rotating.

Every topic's cards are on the page; the page shows one and rotates on its own clock (assets/onescreen.js, on the
wall clock's second, so every screen of a tiled wall shows the same topic), with no server round trip per turn.
The cards refresh in place on the screen's cadence like the other panels'; the rotation does not restart then.
"""

from __future__ import annotations

from datetime import datetime

from dash import Output, State, html

from components.html_attrs import data_attributes
from components.i18n import translator
from components.panel import as_of_stamp, panel, refresh_timer
from dashboards._runtime import runtime
from dashboards._wall_kpis import read_cards
from dashboards._wall_refresh import register_refresh
from services.citypack import Panel


def _slides(lang: str, focus: Panel) -> tuple[list[html.Div], datetime, str]:
    codes = list(dict.fromkeys(code for topic in focus.topics for code in topic.codes))
    cards, as_of, as_of_text = read_cards(codes, lang, hook="focus", spark=False)  # no room for sparklines
    by_code = dict(zip(codes, cards, strict=True))
    slides = [html.Div([by_code[code] for code in topic.codes], className="focus-slide",
                       **data_attributes(topic=str(index)))
              for index, topic in enumerate(focus.topics, start=1)]
    return slides, as_of, as_of_text


def focus_panel(lang: str, focus: Panel, rotate_s: float, cadence_s: float) -> html.Section:
    """The panel as the page first shows it, turning to the next topic every `rotate_s` seconds."""
    slides, as_of, as_of_text = _slides(lang, focus)
    tabs = html.Ol([html.Li(topic.name_zh if lang == "zh-CN" else topic.name_en, className="focus-tab")
                    for topic in focus.topics], className="focus-tabs")
    rotor = html.Div([tabs, html.Div(slides, id="focus-slides", className="focus-slides"),
                      refresh_timer("focus", cadence_s)],
                     id="focus-rotor", className="panel-body focus-rotor", **data_attributes(rotate=f"{rotate_s:g}"))
    return panel("focus", translator(lang)["wall.focus"], rotor, as_of_stamp("focus", as_of, as_of_text, cadence_s))


def _refresh(lang: str, screen: str | None) -> tuple[list[html.Div], datetime, str]:
    shown = runtime().pack.screen_or_default(screen)
    return _slides(lang, next(p for p in shown.panels if p.kind == "focus"))


def register_callbacks() -> None:
    """Wire this panel's callbacks (see dashboards._auth.register_for_page)."""
    register_refresh("focus", Output("focus-slides", "children"), _refresh, State("wall-screen", "data"))
