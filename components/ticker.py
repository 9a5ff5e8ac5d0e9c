"""Alert ticker items: one list item per alert, newest first, carrying its stream id and severity."""

from __future__ import annotations

from collections.abc import Mapping

from dash import html

from components.html_attrs import data_attributes

SEVERITY_LABELS = {
    "zh-CN": {"extreme": "红色", "severe": "橙色", "moderate": "黄色", "minor": "蓝色", "unknown": "未知"},
    "en": {"extreme": "Extreme", "severe": "Severe", "moderate": "Moderate", "minor": "Minor", "unknown": "Unknown"},
}


def ticker_item(stream_id: str, fields: Mapping[str, str], time_text: str, lang: str = "zh-CN") -> html.Li:
    """`data-alert-id` is the stream id (unique and ordered); `data-severity` drives colour and sound."""
    severity = fields.get("severity", "unknown")
    label = SEVERITY_LABELS[lang].get(severity, severity)
    return html.Li(
        [
            html.Span(label, className="ticker-level"),
            html.Span(time_text, className="ticker-time"),
            html.Span(fields.get("headline", ""), className="ticker-headline"),
        ],
        className=f"ticker-item severity-{severity}",
        **data_attributes(alert_id=stream_id, severity=severity),
    )
