"""The leader's 督办 card: the supervisions still waiting for a department's reply, worst overdue first, in the
caller's scope, narrowed to one department or to the caller's own instructions; each row links to its item (an
event on /events, an application on /approvals, an alert on /alerts), whose panel opens on it.

Built whole on a page load; the rows are rewritten on the page's refresh interval and when a filter changes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from components.data_grid import dropdown_words
from components.html_attrs import data_attributes
from components.i18n import translator
from components.panel import panel
from dashboards._auth import current_principal
from dashboards._present import local_time
from dashboards._runtime import runtime
from dashboards._supervision import STAMP, department_names, mark
from services import supervision

LISTED = 12
# Where each subject opens: its page and the query key that picks it there.
ITEM_PAGES = {"event": ("/events", "event"), "application": ("/approvals", "application"), "alert": ("/alerts", "alert")}


def item_href(subject: str, subject_id: str, lang: str) -> str:
    """The page that shows a supervised item, with it picked."""
    path, key = ITEM_PAGES[subject]
    return f"{path}?{urlencode({key: subject_id, **({'lang': lang} if lang == 'en' else {})})}"


def rows(lang: str, department: str | None, mine: bool, now: datetime | None = None) -> list[Any]:
    """The card's rows (or its empty words): the waiting supervisions, escalated first, then the oldest deadline."""
    principal = current_principal()
    now = now or datetime.now(UTC)
    text, names, zone = translator(lang), department_names(lang), runtime().settings.zone
    with runtime().sessions() as session:
        waiting = supervision.open_supervisions(session, department=department or None, limit=LISTED,
                                                created_by=principal.username if mine else None,
                                                scope=principal.scope)
    if not waiting:
        return [html.Li(text["sv.none"], className="sv-empty")]
    out = []
    for view in waiting:
        late = now > view.deadline
        words = " · ".join([f"{text[f'sv.subject.{view.subject}']} {view.subject_id}",
                            names.get(view.department, view.department), view.instruction,
                            f"{text['sv.deadline']} {local_time(view.deadline, zone, STAMP)}",
                            text[f"sv.status.{view.status}"], *([text["sv.leader.overdue"]] if late else [])])
        out.append(html.Li([mark(text, 1), " ", html.A(words, href=item_href(view.subject, view.subject_id, lang))],
                           className=f"sv-row sv-{view.status}{' sv-late' if late else ''}",
                           **data_attributes(supervision_id=str(view.id), status=view.status,
                                             department=view.department, subject=view.subject,
                                             subject_id=view.subject_id)))
    return out


def supervision_card(lang: str) -> html.Section:
    """The card: a department filter, "only mine", the rows."""
    text = translator(lang)
    options = [{"label": name, "value": code} for code, name in department_names(lang).items()]
    controls = html.Div([
        dcc.Dropdown(id="leader-sv-department", options=options, placeholder=text["sv.leader.all"],
                     labels=dropdown_words(lang), className="events-dropdown leader-sv-filter"),
        dbc.Switch(id="leader-sv-mine", label=text["sv.leader.mine"], value=False, class_name="leader-sv-mine"),
    ], className="leader-sv-controls")
    body = html.Div([controls, html.Ul(rows(lang, None, False), id="leader-sv-list", className="sv-rows")],
                    className="panel-body")
    return panel("leader-supervision", text["sv.leader"], body)


def register_callbacks() -> None:
    """Wire the card's rows to the filters and the page's refresh (see dashboards._auth.register_for_page)."""

    @callback(Output("leader-sv-list", "children"), Input("leader-sv-department", "value"),
              Input("leader-sv-mine", "value"), Input("leader-refresh", "n_intervals"), State("leader-lang", "data"),
              prevent_initial_call=True)
    def refresh(department: str | None, mine: bool | None, _tick: Any, lang: str) -> list[Any]:
        return rows(lang, department, bool(mine))
