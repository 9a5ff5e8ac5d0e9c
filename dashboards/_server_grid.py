"""What every page with a server-side dash-ag-grid (rows fetched block by block) shares: reading the grid's block
request, checked, and emptying the grid's cache when the page's view changes."""

from __future__ import annotations

from typing import Any

from dash import Input, Output, clientside_callback


def block_request(request: dict[str, Any], page_size: int) -> tuple[int, int, str, bool]:
    """(offset, limit, column, descending) of the grid's block request, checked: a crafted one is a 400 naming
    what is wrong (the grid never asks for more than a few pages at once), never a 500."""
    try:
        order = (request.get("sortModel") or [{"colId": "reported_at", "sort": "desc"}])[0]
        start = int(request.get("startRow") or 0)
        end = int(request.get("endRow") or start + page_size)
        column, direction = str(order["colId"]), order["sort"]
    except (AttributeError, LookupError, TypeError, ValueError):
        raise ValueError("getRowsRequest: not a block request (startRow, endRow, sortModel)") from None
    if direction not in ("asc", "desc") or not 0 <= start < end <= start + 10 * page_size:
        raise ValueError(f"getRowsRequest: rows {start}-{end} sorted {direction!r} is not a block the grid asks for")
    return start, end - start, column, direction == "desc"


def reset_on_view(grid_id: str, state_id: str) -> None:
    """A new view (the page's `state_id` store: filters, drill) empties grid `grid_id`'s cache and deselects: it
    asks for its first page again. Called by the page module (its callbacks are the page's)."""
    clientside_callback(
        f"""async function(state) {{
            const api = await dash_ag_grid.getApiAsync("{grid_id}");
            api.deselectAll();
            api.purgeInfiniteCache();
            api.paginationGoToFirstPage();
            return window.dash_clientside.no_update;
        }}""",
        Output(grid_id, "id"), Input(state_id, "data"), prevent_initial_call=True)
