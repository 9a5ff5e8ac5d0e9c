"""The wall's incident mode: while a response is active the wall shows the incident — its area on the map, the
response level, each department's task with its status and time left, the checklist's progress, the plan's
indicators and the alerts of the area — over the screen's own panels, which keep running beneath.

Pure builders from plain data. Hooks for tests and tooling: `#wall-incident` (`data-mode` incident | overview |
left, `data-response`, `data-level`), `#incident-map`, `.incident-task[data-department][data-status]`,
`#incident-checks[data-done][data-total]`, `.incident-indicator[data-code]`, `.incident-alert`, the
buttons `.incident-leave` and `.incident-return`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dash import dcc, html

from components.html_attrs import data_attributes


def _tasks(tasks: Sequence[Mapping[str, Any]], text: Mapping[str, str]) -> html.Ol:
    return html.Ol([
        html.Li([html.B(task["name"]), html.Span(text[f"plans.role.{task['role']}"], className="incident-role"),
                 html.Span(text[f"plans.dispatch.{task['status']}"], className="incident-task-status"),
                 html.Span(task["left"], className="incident-left" + (" is-late" if task["late"] else "")),
                 html.Div(task["task"], className="incident-task-text")],
                className="incident-task", **data_attributes(department=task["department"], status=task["status"]))
        for task in tasks], className="incident-tasks")


def _checks(done: int, total: int, text: Mapping[str, str]) -> html.Div:
    share = f"{100 * done / total:.0f}%" if total else "0%"
    return html.Div([
        html.Span(text["incident.checks"].format(done=done, total=total)),
        html.Div(html.Div(className="incident-bar-fill", style={"width": share}), className="incident-bar"),
    ], id="incident-checks", className="incident-checks", **data_attributes(done=str(done), total=str(total)))


def _indicators(rows: Sequence[Mapping[str, Any]]) -> html.Ul:
    return html.Ul([
        html.Li([html.Span(row["name"]), html.B(row["value"]), html.Span(row["unit"])],
                className=f"incident-indicator status-{row['status']}", **data_attributes(code=row["code"]))
        for row in rows], className="incident-indicators")


def _alerts(rows: Sequence[Mapping[str, Any]], text: Mapping[str, str]) -> html.Ul | html.P:
    if not rows:
        return html.P(text["incident.no_alerts"], className="incident-none")
    return html.Ul([html.Li([html.Time(row["time"]), html.Span(row["headline"])],
                            className=f"incident-alert severity-{row['severity']}") for row in rows],
                   className="incident-alerts")


def incident_view(data: Mapping[str, Any], figure: Mapping[str, Any], text: Mapping[str, str],
                  leave_id: Any) -> list[Any]:
    """What the incident section holds while the wall is in incident mode; `leave_id` is its leave button's."""
    head = html.Div([
        html.H2([text["incident.title"], " · ", data["name"]]),
        html.Span(text[f"plans.level.{data['level']}"], className=f"incident-level level-{data['level']}"),
        html.Span(data["area"], className="incident-area"),
        html.Button(text["incident.leave"], id=leave_id, className="incident-button incident-leave", n_clicks=0),
    ], className="incident-head")
    return [
        head,
        html.Div([
            html.Div(dcc.Graph(id="incident-map", figure=figure, className="graph-fill",
                               config={"displayModeBar": False, "scrollZoom": False}), className="incident-map"),
            html.Div([
                html.H3(text["incident.tasks"]), _tasks(data["tasks"], text),
                html.H3(text["incident.checklist"]), _checks(data["checks_done"], data["checks_total"], text),
                html.H3(text["incident.indicators"]), _indicators(data["indicators"]),
                html.H3(text["incident.alerts"]), _alerts(data["alerts"], text),
            ], className="incident-side"),
        ], className="incident-body"),
    ]


def return_chip(text: Mapping[str, str], show_id: Any) -> list[Any]:
    """While a response is active and the wall shows the overview (left, or below the level): a chip to show it."""
    return [html.Button(text["incident.return"], id=show_id, className="incident-button incident-return",
                        n_clicks=0)]


def incident_section(mode: str, children: list[Any], **attributes: str) -> html.Section:
    """The section for `mode` (incident | left | overview): drawn afresh into the wall's slot on each change."""
    return html.Section(children, id="wall-incident", className=f"wall-incident is-{mode}",
                        **data_attributes(mode=mode, **attributes))
