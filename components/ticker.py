"""The alert ticker: one row per alert (or storm), newest first, each carrying its stream id and severity.

The ticker is one component whose rows are plain data, drawn in the browser by `assets/push.js`. Built from Dash
html components instead (a Li and four Spans per row), every live prepend made the renderer re-create each row's
components and dispatch a store update per component, about 150 a push, each running every selector on the page:
that, not the network, was the push latency (bench/alerts.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dash import dcc, html
from dash.development.base_component import Component

from components.html_attrs import data_attributes

SEVERITY_LABELS = {
    "zh-CN": {"extreme": "红色", "severe": "橙色", "moderate": "黄色", "minor": "蓝色", "unknown": "未知"},
    "en": {"extreme": "Extreme", "severe": "Severe", "moderate": "Moderate", "minor": "Minor", "unknown": "Unknown"},
}

Row = dict[str, Any]


def count_text(count: int) -> str:
    """A storm group's size, shown beside its first alert; nothing for a single alert."""
    return f"×{count}" if count > 1 else ""


def ticker_row(stream_id: str, fields: Mapping[str, str], time_text: str, lang: str = "zh-CN", *,
               group: str = "", count: int = 1, sent: str = "", alert: str = "") -> Row:
    """One row as the browser draws it: `id` is the stream id (unique and ordered, `data-alert-id`); `severity`
    drives colour and sound; `group` is the storm key and `count`/`badge` the group's size (updated in place as the
    storm grows); `alert` is the sender's key for the head alert, so a restarted push still knows a repeat."""
    severity = fields.get("severity", "unknown")
    return {"id": stream_id, "severity": severity, "label": SEVERITY_LABELS[lang].get(severity, severity),
            "time": time_text, "headline": fields.get("headline", ""), "group": group, "count": count,
            "badge": count_text(count), "sent": sent, "alert": alert}


class PushComponent(Component):
    """A component of `assets/push.js` drawn from one `data` prop: a live update is one property change (one renderer
    dispatch), however many rows or lines it carries."""

    _namespace = "onescreen_push"
    _type = "PushComponent"
    _children_props: list[str] = []
    _base_nodes: list[str] = []

    def __init__(self, id: str, data: dict[str, Any], className: str = "") -> None:  # noqa: A002 (Dash's name)
        self._prop_names = ["id", "data", "className"]
        self._valid_wildcard_attributes: list[str] = []
        self.available_properties = self._prop_names
        self.available_wildcard_properties: list[str] = []
        super().__init__(id=id, data=data, className=className)  # type: ignore[no-untyped-call]  # Dash's Component


class AlertTicker(PushComponent):
    """`<ul id=… class=…>` of `<li class="ticker-item severity-…" data-alert-id data-severity data-group data-count
    data-sent>` rows, each with `.ticker-level`, `.ticker-time`, `.ticker-headline` and `.ticker-count` spans.

    `data` is `{"rows": [ticker_row …], "last_id": stream id}`: the rows and where the page stands in the stream
    travel together, so the position a restarted push resumes from can never disagree with the rows on screen."""

    _namespace = "onescreen_push"
    _type = "AlertTicker"


def alert_popup(text: Mapping[str, str], close_after_s: float) -> html.Div:
    """The pop-up for extreme and severe alerts (filled, opened and closed by assets/onescreen.js: it closes itself
    after `close_after_s` seconds, `data-seconds`), its close button and its chime. `alert-popup-closed` hears which
    alerts were acknowledged anywhere."""
    return html.Div(
        [
            html.Div(
                [html.Div(id="alert-popup-text", className="alert-popup-text"),
                 html.Button("×", id="alert-popup-close", className="alert-popup-close", title=text["wall.close"])],
                id="alert-popup", className="alert-popup", **data_attributes(seconds=f"{close_after_s:g}"),
            ),
            html.Audio(id="alert-sound", src="/assets/sounds/alert.wav", preload="auto"),
            dcc.Store(id="alert-popup-data"),
            dcc.Store(id="alert-popup-closed"),
        ]
    )


def sound_button(text: Mapping[str, str]) -> html.Button:
    """The one-click "enable sound" control, shown only while the browser refuses to play audio without a user
    gesture, and gone once sound plays. It sits in the header's flow, where it covers nothing."""
    return html.Button(text["wall.enable_sound"], id="sound-enable", className="sound-enable", hidden=True)
