"""Alert ticker items: one list item per alert, newest first, carrying its stream id and severity."""

from __future__ import annotations

from collections.abc import Mapping

from dash import dcc, html

from components.html_attrs import data_attributes

SEVERITY_LABELS = {
    "zh-CN": {"extreme": "红色", "severe": "橙色", "moderate": "黄色", "minor": "蓝色", "unknown": "未知"},
    "en": {"extreme": "Extreme", "severe": "Severe", "moderate": "Moderate", "minor": "Minor", "unknown": "Unknown"},
}


def count_text(count: int) -> str:
    """A storm group's size, shown beside its first alert; nothing for a single alert."""
    return f"×{count}" if count > 1 else ""


def ticker_item(stream_id: str, fields: Mapping[str, str], time_text: str, lang: str = "zh-CN", *,
                group: str = "", count: int = 1, sent: str = "") -> html.Li:
    """`data-alert-id` is the stream id (unique and ordered); `data-severity` drives colour and sound;
    `data-group` is the storm key and the last child the group's count (updated in place as the storm grows)."""
    severity = fields.get("severity", "unknown")
    label = SEVERITY_LABELS[lang].get(severity, severity)
    return html.Li(
        [
            html.Span(label, className="ticker-level"),
            html.Span(time_text, className="ticker-time"),
            html.Span(fields.get("headline", ""), className="ticker-headline"),
            html.Span(count_text(count), className="ticker-count"),
        ],
        className=f"ticker-item severity-{severity}",
        **data_attributes(alert_id=stream_id, severity=severity, group=group, count=str(count), sent=sent),
    )


def alert_popup(text: Mapping[str, str]) -> html.Div:
    """The pop-up for extreme and severe alerts (filled and opened by assets/onescreen.js), its close button, and
    the one-click "enable sound" control shown when the browser refuses to play audio without a user gesture."""
    return html.Div(
        [
            html.Div(
                [html.Div(id="alert-popup-text", className="alert-popup-text"),
                 html.Button("×", id="alert-popup-close", className="alert-popup-close", title=text["wall.close"])],
                id="alert-popup", className="alert-popup",
            ),
            html.Button(text["wall.enable_sound"], id="sound-enable", className="sound-enable", hidden=True),
            html.Audio(id="alert-sound", src="/assets/sounds/alert.wav", preload="auto"),
            dcc.Store(id="alert-popup-data"),
        ]
    )
