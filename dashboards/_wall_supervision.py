"""The wall's 督办 marker, in its header: how many supervisions are still waiting for a department's reply and
how many of them were escalated (no reply by the deadline), in the caller's scope. Alarm-coloured while any is
escalated. Its numbers and hooks (`data-open`, `data-escalated`) are rewritten on its own minute timer.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from dash import Input, Output, State, callback, dcc, html

from components.html_attrs import data_attributes
from components.i18n import translator
from dashboards._auth import current_principal
from dashboards._runtime import runtime
from services import supervision

CADENCE_S = 60


def counts() -> tuple[int, int]:
    """(waiting, escalated) supervisions in the caller's scope."""
    with runtime().sessions() as session:
        waiting = supervision.waiting_counts(session, now=datetime.now(UTC), scope=current_principal().scope)
    return waiting.open + waiting.escalated, waiting.escalated


def _class(escalated: int) -> str:
    return "wall-supervision is-escalated" if escalated else "wall-supervision"


def marker(lang: str) -> html.Div:
    """The marker as the page first shows it, with its timer."""
    text = translator(lang)
    waiting, escalated = counts()
    return html.Div([
        html.Span(text["sv.wall"], className="wall-sv-label"),
        html.Span(str(waiting), id="wall-sv-open", className="wall-sv-open"),
        html.Span([text["sv.wall.escalated"], " ", html.Span(str(escalated), id="wall-sv-escalated")],
                  className="wall-sv-escalated"),
        dcc.Interval(id="wall-sv-refresh", interval=CADENCE_S * 1000),
    ], id="wall-supervision", className=_class(escalated),
        **data_attributes(open=str(waiting), escalated=str(escalated)))


def register_callbacks() -> None:
    """Wire the marker's refresh (see dashboards._auth.register_for_page)."""

    @callback(Output("wall-sv-open", "children"), Output("wall-sv-escalated", "children"),
              Output("wall-supervision", "data-open"), Output("wall-supervision", "data-escalated"),
              Output("wall-supervision", "className"), Input("wall-sv-refresh", "n_intervals"),
              State("wall-lang", "data"), prevent_initial_call=True)
    def refresh(_tick: Any, _lang: str) -> tuple[str, str, str, str, str]:
        waiting, escalated = counts()
        return str(waiting), str(escalated), str(waiting), str(escalated), _class(escalated)
