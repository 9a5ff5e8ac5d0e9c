"""The work-order panel of /hotline: the order's detail and its whole life (dispatches, follow-up, history) from
already worded text, and the actions on it (派单, 退单, 重派, 回复, 办结, 回访); its 督办 is the section every detail
panel shares (components/supervision_panel.py).

Masking and wording are done before this is called. Stable hooks for tests and tools: the heading carries
`data-order-id` and `data-status`; each card `data-card`; each dispatch `data-dispatch-id`, `data-department`,
`data-status`; the follow-up `data-satisfaction`; the
message line `hl-act-message` `data-outcome` (done | refused).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.html_attrs import data_attributes

RETURN = "hl-return"  # pattern-matching id type of a dispatch's 退单 button
ORDER_ACTIONS = ("dispatch", "redispatch", "reply", "close")


@dataclass(frozen=True)
class Part:
    """A line of the panel with its hooks: `words` shown, `key` its id, `status` its code, `extra` more hooks."""

    key: str
    words: str
    status: str
    extra: tuple[tuple[str, str], ...] = ()
    action: str | None = None  # the label of its button, when the caller may act on it


def order_body(*, order_id: int, status: str, title: str, cards: Sequence[tuple[str, str, str]],
               fields: Sequence[tuple[str, str]], titles: Mapping[str, str], follow_up: tuple[str, str],
               dispatches: Sequence[Part], history: Sequence[str]) -> list[Any]:
    """The panel's body: heading, the reply and close cards ((label, card, words)), fields, the follow-up
    ((verdict code or '', words)), the departments and the history (or their empty words)."""
    return [
        html.H3(title, className="hl-order-title h6", **data_attributes(order_id=str(order_id), status=status)),
        html.Div([html.Span([f"{label}: ", html.Span(words, className=f"sla-card sla-{card}",
                                                     **data_attributes(card=card))], className="me-3")
                  for label, card, words in cards], id="hl-order-cards", className="mb-2"),
        html.Dl([part for label, value in fields for part in (html.Dt(label), html.Dd(value))],
                className="event-fields"),
        html.Div([html.Span(f"{titles['followup']}: "), html.Span(follow_up[1])], id="hl-order-followup",
                 **data_attributes(satisfaction=follow_up[0])),
        _list(titles["dispatches"], dispatches, titles["no_dispatches"], "hl-order-dispatches", "dispatch", RETURN),
        html.Div(titles["history"], className="event-history-title"),
        html.Ol([html.Li(line) for line in history], id="hl-order-history", className="event-history") if history
        else html.P(titles["no_history"], id="hl-order-history", className="event-history event-empty"),
    ]


def _list(title: str, parts: Sequence[Part], empty: str, list_id: str, kind: str, button: str) -> html.Div:
    if not parts:
        return html.Div([html.Div(title, className="event-history-title"), html.P(empty, id=list_id)])
    items = []
    for part in parts:
        hooks = data_attributes(**{f"{kind}_id": part.key, "status": part.status, **dict(part.extra)})
        action = [html.Button(part.action, id={"type": button, kind: int(part.key)},
                              className="btn btn-outline-info btn-sm ms-2")] if part.action else []
        items.append(html.Li([part.words, *action], **hooks))
    return html.Div([html.Div(title, className="event-history-title"), html.Ul(items, id=list_id)])


def order_actions(labels: Mapping[str, str], departments: Sequence[Mapping[str, str]],
                  satisfactions: Sequence[Mapping[str, str]], reached: Sequence[Mapping[str, Any]], *,
                  may_act: bool, dropdown_words: Any = None) -> html.Div:
    """The action forms: `hl-act-<action>` buttons, the departments (`hl-act-departments`), one text field
    (`hl-act-text`), the follow-up's reached and satisfaction (`hl-act-reached`, `hl-act-satisfaction`). Drawn
    hidden when the caller may not act (the ids stay for the callbacks)."""

    def button(action: str) -> html.Button:
        return html.Button(labels[action], id=f"hl-act-{action}", className="btn btn-outline-info btn-sm me-1 mb-1")

    def label(text: str, control_id: str) -> dbc.Label:
        return dbc.Label(text, html_for=control_id, className="events-label mt-1")

    work = html.Div([
        html.Div([button(action) for action in ORDER_ACTIONS], className="d-flex flex-wrap"),
        label(labels["departments"], "hl-act-departments"),
        dcc.Dropdown(id="hl-act-departments", options=list(departments), multi=True, labels=dropdown_words,
                     placeholder=labels["departments"], className="events-dropdown"),
        html.Fieldset([html.Legend(labels["reached"], className="events-label mt-1"),
                       dbc.RadioItems(id="hl-act-reached", options=list(reached), value=True, inline=True)]),
        html.Fieldset([html.Legend(labels["satisfaction"], className="events-label"),
                       dbc.RadioItems(id="hl-act-satisfaction", options=list(satisfactions), value="satisfied",
                                      inline=True)]),
        button("follow_up"),
    ])
    return html.Div([
        label(labels["text"], "hl-act-text"),
        dcc.Input(id="hl-act-text", type="text", placeholder=labels["text"], className="form-control"),
        work,
        html.Div(id="hl-act-message", className="mt-1"),
    ], id="hl-actions", className="event-actions mb-2" if may_act else "d-none")
