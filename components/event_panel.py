"""The event detail panel: fields, the SLA card, the lifecycle history, and the operator's actions on the event and on
each department's dispatch, from already formatted text.

Masking is done before this is called (the page decides by the caller's role); this only lays the text out. The
action bar is drawn for every caller who may act; whether a move is legal is the service's to say, so illegal ones
stay clickable and come back refused with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.html_attrs import data_attributes

DISPATCH_ACTION = "event-dispatch-act"  # pattern-matching id type of a dispatch's stage button


@dataclass(frozen=True)
class DispatchRow:
    """One department's part as the panel lists it: `next_stage` is the stage button to offer (None: done)."""

    dispatch_id: int
    department: str
    status: str
    next_stage: str | None


def detail_body(title: str, fields: Sequence[tuple[str, str]], card: str, card_text: str, history_title: str,
                history: Sequence[str], event_id: int, status: str = "", dispatches: Sequence[DispatchRow] = (),
                stage_labels: Mapping[str, str] | None = None, history_empty: str = "") -> list[Any]:
    """A heading (`data-event-id`, `data-status`) and under it, apart, the SLA card (`data-card` = none | yellow |
    red), a definition list, each dispatch with its next stage button (when `stage_labels` is given: the caller may
    act), the history (or `history_empty` saying there is none yet)."""
    parts: list[Any] = [
        html.H3(title, className="event-title", **data_attributes(event_id=str(event_id), status=status)),
        html.Span(card_text, className=f"sla-card sla-{card}", **data_attributes(card=card)),
        html.Dl([part for label, value in fields for part in (html.Dt(label), html.Dd(value))],
                className="event-fields"),
    ]
    if dispatches:
        parts.append(html.Ul([_dispatch_item(row, stage_labels) for row in dispatches], className="event-dispatches"))
    parts += [html.Div(history_title, className="event-history-title"),
              html.Ol([html.Li(line) for line in history], className="event-history") if history
              else html.P(history_empty, className="event-history event-empty")]
    return parts


def _dispatch_item(row: DispatchRow, stage_labels: Mapping[str, str] | None) -> html.Li:
    button = []
    if stage_labels and row.next_stage:
        button = [html.Button(stage_labels[row.next_stage], className="btn btn-outline-info btn-sm ms-2",
                              id={"type": DISPATCH_ACTION, "dispatch": row.dispatch_id, "stage": row.next_stage})]
    return html.Li([f"{row.department} · {row.status}", *button], **data_attributes(dispatch_id=str(row.dispatch_id)))


def action_bar(labels: Mapping[str, str], departments: Sequence[Mapping[str, str]], *, comment_hint: str,
               departments_hint: str, visible: bool, dropdown_words: dcc.Dropdown.Labels | None = None) -> html.Div:
    """The event's action buttons (`event-act-<action>`, one per `labels` key, in its order: the domain's actions,
    which the page hands over), the departments to dispatch to and the comment that cancel and rework need (each
    under its label), and the message line (`event-act-message`, `data-outcome` ok | refused)."""
    buttons = [html.Button(label, id=f"event-act-{action}", className="btn btn-outline-info btn-sm me-1 mb-1")
               for action, label in labels.items()]
    return html.Div([
        html.Div(buttons, className="d-flex flex-wrap"),
        dbc.Label(departments_hint, html_for="event-act-departments", className="events-label mt-1"),
        dcc.Dropdown(id="event-act-departments", options=list(departments), multi=True, labels=dropdown_words,
                     placeholder=departments_hint, className="events-dropdown"),
        dbc.Label(comment_hint, html_for="event-act-comment", className="events-label mt-1"),
        dcc.Input(id="event-act-comment", type="text", placeholder=comment_hint, className="form-control"),
        html.Div(id="event-act-message", className="mt-1"),
    ], id="event-actions", className="event-actions mb-2" if visible else "d-none")
