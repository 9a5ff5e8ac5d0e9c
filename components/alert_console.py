"""Pieces of the operator console (/alerts): list rows, the detail panel's facts, the audit trail, the action bar.

Rows carry the same hooks as the wall's ticker (`data-alert-id` = stream id, `data-severity`) plus `data-status`
and `data-count` (a storm group's size), so tests and tooling select them the same way on both screens.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dash import dcc, html

from components.html_attrs import data_attributes
from components.ticker import SEVERITY_LABELS, count_text


def console_row(item: Mapping[str, Any], lang: str, text: Mapping[str, str]) -> html.Tr:
    """One alert (or storm group): `item` has stream_id, time, severity, headline, district (its adcode) and place
    (its name), status, owner, count, group (the storm key) and sent (ISO, for the storm window)."""
    severity, status, count = item["severity"], item["status"], int(item.get("count") or 1)
    return html.Tr(
        [
            html.Td(SEVERITY_LABELS[lang].get(severity, severity), className="console-level"),
            html.Td(item["time"], className="console-time"),
            html.Td(item["headline"], className="console-headline"),
            html.Td(item.get("place") or item.get("district") or "—", className="console-district"),
            html.Td(text.get(f"alerts.status.{status}", status), className="console-status"),
            html.Td(item.get("owner") or "—", className="console-owner"),
            html.Td(count_text(count), className="console-count"),
        ],
        id={"type": "alert-row", "index": item["stream_id"]},
        className=f"console-row severity-{severity} status-{status}",
        n_clicks=0,
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


def audit_list(rows: Sequence[Mapping[str, str]]) -> list[html.Li]:
    """Oldest first: when, who, what, and the comment."""
    return [html.Li([html.Span(row["at"], className="audit-at"), html.B(row["user"], className="audit-user"),
                     html.Span(row["action"], className="audit-action"),
                     html.Span(row.get("comment") or "", className="audit-comment")],
                    className="audit-row", **data_attributes(action=row["action"], user=row["user"]))
            for row in rows]


def action_bar(text: Mapping[str, str]) -> html.Div:
    """Acknowledge with a comment, escalate to someone, resolve, silence for a while, link to an event."""
    return html.Div(
        [
            dcc.Textarea(id="action-comment", placeholder=text["alerts.comment"], className="form-control mb-2"),
            html.Div([
                html.Button(text["alerts.ack"], id="btn-ack", className="btn btn-primary"),
                html.Button(text["alerts.resolve"], id="btn-resolve", className="btn btn-success"),
            ], className="console-buttons"),
            html.Div([
                dcc.Input(id="escalate-to", placeholder=text["alerts.escalate_to"], className="form-control"),
                html.Button(text["alerts.escalate"], id="btn-escalate", className="btn btn-warning"),
            ], className="console-buttons"),
            html.Div([html.Span(text["alerts.silence"])] + [
                html.Button(text[key], id=f"btn-silence-{minutes}", className="btn btn-secondary")
                for key, minutes in (("alerts.m15", 15), ("alerts.h1", 60), ("alerts.h4", 240))
            ], className="console-buttons"),
            html.Div([
                dcc.Input(id="link-event-id", type="number", placeholder=text["alerts.event_id"],
                          className="form-control"),
                html.Button(text["alerts.link"], id="btn-link", className="btn btn-info"),
            ], className="console-buttons"),
            html.Div(id="action-message", className="console-message"),
        ],
        className="console-actions",
    )
