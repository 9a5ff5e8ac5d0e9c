"""The frame every wall panel shares: a title, the body, and an as-of stamp that says how fresh the body is.

The stamp is an `html.Time` whose `dateTime` is the data's time (ISO 8601, UTC) and whose `data-cadence` is how
often the panel expects new data, in seconds. The page marks a panel stale when its data is older than twice its
cadence (assets/onescreen.js), so a panel whose feed has stopped never looks live. A panel's refresh callback
updates `{name}-as-of`'s `dateTime` and `children`, never the whole panel.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dash import html

from components.html_attrs import data_attributes


def as_of_stamp(name: str, as_of: datetime | None, text: str, cadence_s: float) -> html.Time:
    """The freshness stamp of panel `name`; `text` is the as-of time as the reader sees it."""
    return html.Time(text, id=f"{name}-as-of", className="panel-as-of",
                     dateTime=as_of.isoformat() if as_of else "", **data_attributes(cadence=f"{cadence_s:g}"))


def panel(name: str, title: str, body: Any, stamp: html.Time | None = None) -> html.Section:
    """`<section id="panel-{name}" class="panel panel-{name}">` with its title row (title and stamp) and body."""
    head = html.Div([html.H2(title), stamp] if stamp is not None else [html.H2(title)], className="panel-head")
    return html.Section([head, body], id=f"panel-{name}", className=f"panel panel-{name}")
