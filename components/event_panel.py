"""The event detail panel's body: fields, the SLA card and the lifecycle history, from already formatted text.

Masking is done before this is called (the page decides by the caller's role); this only lays the text out.
"""

from __future__ import annotations

from collections.abc import Sequence

from dash import html

from components.html_attrs import data_attributes


def detail_body(title: str, fields: Sequence[tuple[str, str]], card: str, card_text: str, history_title: str,
                history: Sequence[str], event_id: int) -> list[html.Div | html.H3 | html.Dl | html.Ol]:
    """A heading with the SLA card (`data-card` = none | yellow | red), a definition list and the history."""
    return [
        html.H3([title, html.Span(card_text, className=f"sla-card sla-{card}", **data_attributes(card=card))],
                **data_attributes(event_id=str(event_id))),
        html.Dl([part for label, value in fields for part in (html.Dt(label), html.Dd(value))],
                className="event-fields"),
        html.Div(history_title, className="event-history-title"),
        html.Ol([html.Li(line) for line in history], className="event-history"),
    ]
