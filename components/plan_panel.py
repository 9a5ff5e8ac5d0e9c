"""The console's plan panel (/alerts): the plans an alert sets off with why, and once one is activated the response
itself: level, each department's task, deadline and progress, the checklist, the notifications and stand-down.

Pure builders from plain data. Hooks for tests and tooling: `#plan-panel`, `.plan-suggestion[data-plan]`,
`#plan-response` (`data-status`, `data-level`, `data-cancel-proposed`), `.plan-task[data-department][data-status]`, the commands' buttons `{type: plan-activate | plan-check | plan-cmd}`,
`.plan-check[data-key][data-done]`, `.plan-delivery[data-state]`, the after-action report's
`{type: plan-report}`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.html_attrs import data_attributes

LEVELS = ("I", "II", "III", "IV")


def _button(label: str, ident: Any, color: str) -> dbc.Button:
    return dbc.Button(label, id=ident, color=color, size="sm", class_name="text-nowrap", n_clicks=0)


def suggestions(matches: Sequence[Mapping[str, Any]], text: Mapping[str, str]) -> html.Div:
    """Each matching plan: name, level, why (worded reasons) and its 启动预案 button."""
    if not matches:
        return html.Div(text["plans.none"], className="console-hint plan-none")
    return html.Div([html.H4(text["plans.suggested"])] + [
        html.Div([
            html.Div([html.B(match["name"]), html.Span(text[f"plans.level.{match['level']}"], className="plan-level")]),
            html.Ul([html.Li(reason) for reason in match["reasons"]], className="plan-reasons"),
            _button(text["plans.activate"], {"type": "plan-activate", "index": match["code"]}, "danger"),
        ], className="plan-suggestion", **data_attributes(plan=match["code"], level=match["level"]))
        for match in matches])


def _tasks(tasks: Sequence[Mapping[str, Any]], text: Mapping[str, str]) -> html.Ol:
    return html.Ol([
        html.Li([html.B(task["name"]), html.Span(text[f"plans.role.{task['role']}"], className="plan-role"),
                 html.Span(text[f"plans.dispatch.{task['status']}"], className="plan-task-status"),
                 html.Span(text["plans.due"].format(at=task["due"]), className="plan-due"),
                 html.Div(task["task"], className="plan-task-text"),
                 html.Div(text["plans.on_duty"].format(who=task["duty"]), className="plan-duty")
                 if task.get("duty") else None],
                className="plan-task", **data_attributes(department=task["department"], status=task["status"]))
        for task in tasks], className="plan-tasks")


def _checks(checks: Sequence[Mapping[str, Any]], active: bool, text: Mapping[str, str]) -> html.Ul:
    def line(check: Mapping[str, Any]) -> html.Li:
        done = check.get("done")
        mark = (html.Span(done, className="plan-check-done") if done else
                _button(text["plans.tick"], {"type": "plan-check", "index": check["key"]}, "outline-success")
                if active else None)
        return html.Li([html.Span(("☑ " if done else "☐ ") + check["text"]), mark], className="plan-check",
                       **data_attributes(key=check["key"], done="true" if done else "false"))

    return html.Ul([line(check) for check in checks], className="plan-checklist")


def _deliveries(rows: Sequence[Mapping[str, Any]], text: Mapping[str, str]) -> html.Ul:
    return html.Ul([
        html.Li([html.Span(row["name"]), html.Span(text[f"plans.channel.{row['channel']}"]),
                 html.Span(text[f"plans.delivery.{row['state']}"], className="plan-delivery-state"),
                 html.Span(text["plans.attempts"].format(n=row["attempts"])) if row["attempts"] > 1 else None,
                 html.Span(row.get("error") or "", className="plan-delivery-error")],
                className="plan-delivery", **data_attributes(state=row["state"], department=row["department"]))
        for row in rows], className="plan-deliveries")


def response_panel(view: Mapping[str, Any], text: Mapping[str, str]) -> html.Div:
    """The activated response: its head, tasks, checklist, notifications, and while active the level control and
    stand-down with its summary."""
    active = view["status"] == "active"
    notes = [html.Div(text["plans.cancel_proposed"], className="plan-cancel-proposed alert alert-warning")
             if view["cancel_proposed"] else None,
             html.Div(text["plans.updated"].format(at=view["updated"]), className="plan-updated")
             if view.get("updated") else None]
    controls = [
        html.Label([text["plans.level"],
                    dbc.Select(id={"type": "plan-field", "index": "level"}, value=view["level"],
                               class_name="console-filter",
                               options=[{"label": text[f"plans.level.{level}"], "value": level} for level in LEVELS]),
                    _button(text["plans.set_level"], {"type": "plan-cmd", "index": "level"}, "warning")],
                   className="console-buttons"),
        html.Label([text["plans.summary"],
                    dcc.Textarea(id={"type": "plan-field", "index": "summary"}, placeholder=text["plans.summary"],
                                 className="form-control mb-2")], className="plan-summary-field"),
        _button(text["plans.stand_down"], {"type": "plan-cmd", "index": "stand_down"}, "success"),
    ] if active else [html.P(view.get("summary") or "", className="plan-summary-text")]
    if view.get("may_report"):
        controls.append(_button(text["report.download"], {"type": "plan-report", "index": "pdf"}, "outline-info"))
    return html.Div([
        html.H4([view["name"], " · ", text[f"plans.level.{view['level']}"]]),
        html.Div([text[f"plans.status.{view['status']}"], " · ", text["plans.event"].format(id=view["event_id"])],
                 className="plan-head"),
        *[note for note in notes if note is not None],
        html.H5(text["plans.tasks"]), _tasks(view["tasks"], text),
        html.H5(text["plans.checklist"]), _checks(view["checks"], active, text),
        html.H5(text["plans.notices"]), _deliveries(view["deliveries"], text),
        *controls,
    ], id="plan-response", **data_attributes(status=view["status"], level=view["level"], response=str(view["id"]),
                                            cancel_proposed="true" if view["cancel_proposed"] else "false"))


def plan_section(text: Mapping[str, str]) -> html.Section:
    """The panel's frame in the console's detail column: filled when an alert is picked and looked at again every
    few seconds (departments' progress and CAP updates arrive meanwhile); its own outcome toast."""
    return html.Section([
        html.H3(text["plans.title"]),
        html.Div(id="plan-panel"),
        dbc.Toast(html.Div(id="plan-message"), id="plan-toast", is_open=False, dismissable=True,
                  class_name="console-toast"),
        dcc.Download(id="plan-report-download"),  # the after-action report (dashboards/_plan_report.py)
        dcc.Store(id="plan-done", data=0),
        dcc.Store(id="plan-shown"),  # what the panel draws now: it is redrawn only when that changes
        dcc.Interval(id="plan-refresh", interval=5_000),  # departments report progress through the API meanwhile
    ], className="console-plans")
