"""A timed wall panel's refresh: on its timer, read the panel's content again and replace one property of its body
and its as-of stamp, never the panel itself. The timer is held off while the refresh runs
(components.panel.while_refreshing), so a slow refresh lands instead of being abandoned and asked for again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from dash import Input, Output, State, callback

from components.panel import while_refreshing

# lang (and `state`'s value, if any) -> (the body property's new value, the data's time, that time as the reader sees it)
Content = Callable[..., tuple[Any, datetime, str]]


def register_refresh(name: str, body: Output, content: Content, *state: State) -> None:
    """Wire panel `name`'s refresh (timer `{name}-refresh`, stamp `{name}-as-of`) to update `body`; `content` gets the
    page's language and the values of `state`. Call it from the panel's `register_callbacks()`, which the page runs
    once per app."""

    def refresh(_tick: int | None, lang: str, *values: Any) -> tuple[Any, str, str]:
        value, as_of, as_of_text = content(lang, *values)
        return value, as_of.isoformat(), as_of_text

    callback(
        body,
        Output(f"{name}-as-of", "dateTime"),
        Output(f"{name}-as-of", "children"),
        Input(f"{name}-refresh", "n_intervals"),
        State("wall-lang", "data"),
        *state,
        running=while_refreshing(name),
        prevent_initial_call=True,
    )(refresh)
