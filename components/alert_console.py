"""Pieces of the operator console (/alerts): list rows, the detail panel's facts, the audit trail, the action bar
and the toast that reports an action's outcome.

Rows carry the same hooks as the wall's ticker (`data-alert-id` = stream id, `data-severity`) plus `data-status`
and `data-count` (a storm group's size), so tests and tooling select them the same way on both screens. Rows are
in the Tab order; assets/alert_console.js moves between them with the arrow keys, selects with Enter or Space and
marks the selected one `aria-selected`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.html_attrs import aria_attributes, data_attributes
from components.supervision_panel import badge
from components.ticker import SEVERITY_LABELS, count_text


def console_row(item: Mapping[str, Any], lang: str, text: Mapping[str, str]) -> html.Tr:
    """One alert (or storm group): `item` has stream_id, time, severity, headline, district (its adcode) and place
    (its name), status, owner, count, group (the storm key) and sent (ISO, for the storm window); `supervised`, when
    given, its waiting 督办 (the 督 badge)."""
    severity, status, count = item["severity"], item["status"], int(item.get("count") or 1)
    return html.Tr(
        [
            html.Td(SEVERITY_LABELS[lang].get(severity, severity), className="console-level"),
            html.Td(item["time"], className="console-time"),
            html.Td([item["headline"], " ", badge(text["sv.badge"], item["supervised"], text["sv.badge.title"])]
                    if item.get("supervised") else item["headline"], className="console-headline"),
            html.Td(item.get("place") or item.get("district") or "—", className="console-district"),
            html.Td(text.get(f"alerts.status.{status}", status), className="console-status"),
            html.Td(item.get("owner") or "—", className="console-owner"),
            html.Td(count_text(count), className="console-count"),
        ],
        id={"type": "alert-row", "index": item["stream_id"]},
        className=f"console-row severity-{severity} status-{status}",
        n_clicks=0,
        tabIndex="0",
        **aria_attributes(selected="false"),
        **data_attributes(alert_id=item["stream_id"], severity=severity, status=status, count=str(count),
                          group=item.get("group", ""), sent=item.get("sent", "")),
    )


def console_header(text: Mapping[str, str]) -> html.Thead:
    keys = ("severity", "sent", "headline", "district", "status", "owner", "count")
    return html.Thead(html.Tr([html.Th(text[f"alerts.{key}"]) for key in keys]))


def detail_facts(item: Mapping[str, Any] | None, lang: str, text: Mapping[str, str]) -> html.Div:
    """The selected alert's facts, or a hint to pick one."""
    if item is None:
        return html.Div(text["alerts.pick"], className="console-hint")
    severity, status = item["severity"], item["status"]
    facts = [(text["alerts.severity"], SEVERITY_LABELS[lang].get(severity, severity)),
             (text["alerts.status"], text.get(f"alerts.status.{status}", status)),
             (text["alerts.owner"], item.get("owner") or "—"), (text["alerts.sent"], item["time"]),
             (text["alerts.district"], item.get("place") or item.get("district") or "—"), (text["alerts.event_id"], item.get("event_id") or "—"),
             (text["alerts.count"], str(item.get("count") or 1))]  # fmt: skip
    return html.Div(
        [html.H3(item["headline"], className="console-detail-headline"),
         html.Dl([part for label, value in facts for part in (html.Dt(label), html.Dd(value))])],
        id="alert-detail-facts", **data_attributes(alert_id=item["stream_id"], status=status, severity=severity),
    )


def audit_list(rows: Sequence[Mapping[str, Any]], text: Mapping[str, str]) -> list[html.Li]:
    """Oldest first: when, who, what (the action's code worded in the interface language), and the comment."""
    return [html.Li([html.Span(row["at"], className="audit-at"), html.B(row["user"], className="audit-user"),
                     html.Span(text.get(f"alerts.did.{row['action']}", row["action"]), className="audit-action"),
                     html.Span(row.get("comment") or "", className="audit-comment")],
                    className="audit-row", **data_attributes(action=row["action"], user=row["user"]))
            for row in rows]


def refusal_text(code: str, params: Mapping[str, Any], text: Mapping[str, str]) -> str:
    """Why an action was refused, in the interface language: the catalog's `alerts.refused.<code>`, each parameter
    worded by the catalog too where it is a code (`status` → `alerts.status.<status>`, `action` → ...)."""
    words = {name: text.get(f"alerts.{name}.{value}", str(value)) for name, value in params.items()}
    return text[f"alerts.refused.{code}"].format(**words)


def outcome_toast(outcome: str, message: str, text: Mapping[str, str]) -> dict[str, Any]:
    """The toast's props for an action's outcome: `done` (green), `refused` (red) or `pick` (amber: nothing to act
    on yet). The message keeps the id `action-message`, its outcome in `data-outcome`."""
    icon = {"done": "success", "refused": "danger", "pick": "warning"}[outcome]
    return {"is_open": True, "header": text[f"alerts.toast.{outcome}"], "icon": icon,
            "class_name": f"console-toast console-toast-{outcome}",
            "children": html.Div(message, id="action-message", role="status", **data_attributes(outcome=outcome))}


def hidden_label(label: str, for_id: str) -> html.Label:
    """A field's name for screen readers, where its placeholder is all a sighted user needs."""
    return html.Label(label, htmlFor=for_id, className="visually-hidden")


def action_bar(text: Mapping[str, str]) -> html.Div:
    """Acknowledge with a comment, escalate to someone, resolve, silence for a while, link to an event; below them
    the toast that says how the last action went. Labels never break inside a word."""

    def button(key: str, ident: str, color: str) -> dbc.Button:
        return dbc.Button(text[key], id=ident, color=color, size="sm", class_name="text-nowrap")

    return html.Div(
        [
            hidden_label(text["alerts.comment"], "action-comment"),
            dcc.Textarea(id="action-comment", placeholder=text["alerts.comment"], className="form-control mb-2"),
            html.Div([button("alerts.ack", "btn-ack", "primary"), button("alerts.resolve", "btn-resolve", "success")],
                     className="console-buttons"),
            html.Div([
                hidden_label(text["alerts.escalate_to"], "escalate-to"),
                dcc.Input(id="escalate-to", placeholder=text["alerts.escalate_to"], className="form-control"),
                button("alerts.escalate", "btn-escalate", "warning"),
            ], className="console-buttons"),
            html.Div([html.Span(text["alerts.silence"], className="text-nowrap")] + [
                button(key, f"btn-silence-{minutes}", "secondary")
                for key, minutes in (("alerts.m15", 15), ("alerts.h1", 60), ("alerts.h4", 240))
            ], className="console-buttons"),
            html.Div([
                hidden_label(text["alerts.event_id"], "link-event-id"),
                dcc.Input(id="link-event-id", type="number", placeholder=text["alerts.event_id"],
                          className="form-control"),
                button("alerts.link", "btn-link", "info"),
            ], className="console-buttons"),
            dbc.Toast(html.Div(id="action-message"), id="action-toast", is_open=False, dismissable=True,
                      class_name="console-toast"),
        ],
        className="console-actions",
    )
