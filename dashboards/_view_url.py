"""An analyst page's view in its URL: the query string of a view state, and the correction of an address the page
could not show as asked (`/indicators?code=nope` shows the default indicator, so the address says so too).

`view_location` is the page's `dcc.Location`, drawn already holding the corrected query, beside a store of that
query. Once the `dcc.Location` has read the address (its `href` arrives), a clientside callback replaces the address
with the drawn query (`history.replaceState`: no history entry, so Back does not return to the bad address), gives
the `dcc.Location` the new `href` (else its next update pushes the old one back) and empties the store, so it acts
once per drawn page: later `href` changes are Back / Forward, not for correcting.
Changes the user makes are written by the `dcc.Location` (pushState), one history entry each.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from dash import Input, Output, State, clientside_callback, dcc, html

_REPLACE_JS = """
function (href, search) {
    const keep = window.dash_clientside.no_update;
    if (!href || search === null) {
        return [keep, keep];
    }
    if (search === window.location.search) {
        return [null, keep];
    }
    window.history.replaceState(window.history.state, "", window.location.pathname + search);
    return [null, window.location.href];
}
"""


def search_of(state: dict[str, Any]) -> str:
    """The query string of a view: every set value, the default language (zh-CN) left out."""
    shown = {k: v for k, v in state.items() if v is not None and not (k == "lang" and v == "zh-CN")}
    return "?" + urlencode(shown)


def view_location(location_id: str, state: dict[str, Any]) -> html.Div:
    """The page's `dcc.Location` (pushState only) and the store of the query drawn; put them in the layout once."""
    search = search_of(state)
    return html.Div([dcc.Location(id=location_id, refresh=False, search=search),
                     dcc.Store(id=f"{location_id}-drawn", data=search)])


def correct_url(location_id: str) -> None:
    """Register, at the page module's import, the callback that writes the drawn query into the address."""
    clientside_callback(_REPLACE_JS, Output(f"{location_id}-drawn", "data"), Output(location_id, "href"),
                        Input(location_id, "href"), State(f"{location_id}-drawn", "data"))
