"""督办 (supervision) in a detail panel, shared by /events, /approvals and /alerts: the item's supervisions with
their status, deadline and reply (each with its 回复 / 办结 button when the caller may use it), and the form that
flags the item (批示, responsible department, deadline) or answers one. Also the 督 badge that marks a supervised
item in lists and on the wall.

Every id carries the page's `prefix`, so each page wires its own callbacks (dashboards/_supervision.py). Stable
hooks for tests and tools: each supervision `data-supervision-id`, `data-status`, `data-department`, its buttons
`sv-reply-button` / `sv-clear-button`; the message line `{prefix}sv-message` classed `sv-done` or `sv-refused`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from dash import dcc, html

from components.html_attrs import data_attributes

REPLY, CLEAR = "sv-reply", "sv-clear"  # the pattern-matching id types of a supervision's buttons (with the prefix)
STATUSES = ("open", "replied", "escalated", "cleared")


@dataclass(frozen=True)
class Row:
    """One supervision as shown: `words` its line, and which of its buttons the caller may press."""

    id: int
    status: str
    department: str
    words: str
    may_reply: bool = False
    may_clear: bool = False


def badge(word: str, count: int = 1, title: str | None = None) -> html.Span:
    """The 督 mark of a supervised item (`data-supervised` its number of waiting supervisions)."""
    return html.Span(word, className="sv-badge", title=title, **data_attributes(supervised=str(count)))


def listing(prefix: str, rows: Sequence[Row], labels: Mapping[str, str]) -> html.Ul | html.P:
    """The item's supervisions (or the empty words), each line with its buttons."""
    if not rows:
        return html.P(labels["none"], className="sv-empty")
    items = []
    for row in rows:
        buttons = [html.Button(labels[kind], id={"type": f"{prefix}{button}", "supervision": row.id},
                               className=f"btn btn-outline-info btn-sm ms-2 sv-{kind}-button")
                   for kind, button, allowed in (("reply", REPLY, row.may_reply), ("clear", CLEAR, row.may_clear))
                   if allowed]
        items.append(html.Li([html.Span(labels[f"status.{row.status}"], className=f"sv-status sv-{row.status}"),
                              " ", row.words, *buttons], className="sv-item",
                             **data_attributes(supervision_id=str(row.id), status=row.status,
                                               department=row.department)))
    return html.Ul(items, className="sv-items")


def panel(prefix: str, labels: Mapping[str, str], departments: Sequence[Mapping[str, str]], *,
          may_supervise: bool, may_answer: bool, deadline: str, dropdown_words: Any = None) -> html.Section:
    """The section: title, the list (`{prefix}sv-list`), the form to flag (`{prefix}sv-instruction`,
    `{prefix}sv-department`, `{prefix}sv-deadline` local `YYYY-MM-DD HH:MM`, `{prefix}sv-supervise`) and the
    reply's words (`{prefix}sv-reply-text`). Parts the caller may not use are drawn hidden (their ids stay)."""

    def label(text: str, control_id: str) -> html.Label:
        return html.Label(text, htmlFor=control_id, className="events-label mt-1")

    flag = html.Div([
        label(labels["instruction"], f"{prefix}sv-instruction"),
        dcc.Input(id=f"{prefix}sv-instruction", type="text", placeholder=labels["instruction"],
                  className="form-control"),
        label(labels["department"], f"{prefix}sv-department"),
        dcc.Dropdown(id=f"{prefix}sv-department", options=list(departments), labels=dropdown_words,
                     placeholder=labels["department"], className="events-dropdown"),
        label(labels["deadline"], f"{prefix}sv-deadline"),
        dcc.Input(id=f"{prefix}sv-deadline", type="text", value=deadline, placeholder=deadline,
                  className="form-control"),
        html.Button(labels["supervise"], id=f"{prefix}sv-supervise", className="btn btn-outline-warning btn-sm mt-1"),
    ], className="" if may_supervise else "d-none")
    answer = html.Div([
        label(labels["reply_text"], f"{prefix}sv-reply-text"),
        dcc.Input(id=f"{prefix}sv-reply-text", type="text", placeholder=labels["reply_text"],
                  className="form-control"),
    ], className="" if may_answer else "d-none")
    return html.Section([
        html.H3(labels["title"], className="h6 mt-2"),
        html.Div(id=f"{prefix}sv-list"),
        answer, flag,
        html.Div(id=f"{prefix}sv-message", className="mt-1", role="status"),
    ], id=f"{prefix}sv-panel", className="sv-panel event-actions mb-2")
