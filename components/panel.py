"""The frame every wall panel shares: a title, the body, and an as-of stamp that says how fresh the body is.

The stamp is an `html.Time` whose `dateTime` is the data's time (ISO 8601, UTC) and whose `data-cadence` is how
often the panel expects new data, in seconds. The page marks a panel stale when its data is older than twice its
cadence (assets/onescreen.js), so a panel whose feed has stopped never looks live. A panel's refresh callback
updates `{name}-as-of`'s `dateTime` and `children`, never the whole panel.

A panel's refresh timer is `{name}-refresh` (`refresh_timer`). Dash drops the result of a callback still running
when its Interval fires again and sends a new request (dash-renderer's "executing duplicates"), so a refresh slower
than its interval would never land and the server would pile up work. `while_refreshing(name)` is the callback's
`running=` argument: it disables the timer while the callback runs, so ticks never overlap.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dash import Output, dcc, html

from components.html_attrs import data_attributes


def as_of_stamp(name: str, as_of: datetime | None, text: str, cadence_s: float) -> html.Time:
    """The freshness stamp of panel `name`; `text` is the as-of time as the reader sees it."""
    return html.Time(text, id=f"{name}-as-of", className="panel-as-of",
                     dateTime=as_of.isoformat() if as_of else "", **data_attributes(cadence=f"{cadence_s:g}"))


def panel(name: str, title: str, body: Any, stamp: html.Time | None = None) -> html.Section:
    """`<section id="panel-{name}" class="panel panel-{name}">` with its title row (title and stamp) and body."""
    head = html.Div([html.H2(title), stamp] if stamp is not None else [html.H2(title)], className="panel-head")
    return html.Section([head, body], id=f"panel-{name}", className=f"panel panel-{name}")


def refresh_timer(name: str, cadence_s: float) -> dcc.Interval:
    """The timer of panel `name`'s refresh callback, every `cadence_s` seconds."""
    return dcc.Interval(id=f"{name}-refresh", interval=int(cadence_s * 1000))


def while_refreshing(name: str) -> list[tuple[Output, bool, bool]]:
    """`running=` for panel `name`'s refresh callback: its timer is off while the callback runs (on again after,
    error included). If an answer is lost, the page's stale watch turns the timer back on (assets/onescreen.js)."""
    return [(Output(f"{name}-refresh", "disabled"), True, False)]
