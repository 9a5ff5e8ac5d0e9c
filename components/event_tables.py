"""The /events page's two grids (dash-ag-grid), from column titles and the page's language.

`events-table` never holds the whole set: AG Grid's infinite row model asks the page's callback for one block of
rows at a time (`getRowsRequest` → `getRowsResponse`), sorted by the database, and pages through them. A click or
Space on a row selects it (keyboard: arrows move, Space selects); the selected row is highlighted by the theme.
`linkage-table` holds one row per department, so it sorts in the browser.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import dash_ag_grid as dag

from components.data_grid import GRID_THEME, locale_text

EVENTS_TABLE = "events-table"
PAGE_SIZE = 25  # rows a page, and a block the grid asks the server for
NUMERIC = {"type": "rightAligned", "cellClass": "tabular-nums"}
_WIDE = {"address": 220, "category": 130, "subcategory": 130, "grid": 150, "reported_at": 150, "sla_due_at": 150,
         "closed_at": 150}


def events_grid(titles: Mapping[str, str], *, lang: str, sort_by: str = "reported_at", marked: str
                ) -> dag.AgGrid:
    """The events, PAGE_SIZE rows a page, fetched from the server; `titles` maps each column to its header. A
    first, unsortable column shows `marked` (the 督 badge) on a row whose `supervised` count is above zero."""
    badge = {"field": "supervised", "headerName": marked, "sortable": False, "width": 60, "minWidth": 60,
             "cellClass": "sv-badge-cell",
             "valueFormatter": {"function": f"params.value > 0 ? {marked!r} : ''"}}
    columns = [badge, *({"field": column, "headerName": title, "minWidth": _WIDE.get(column, 90),
                         **(NUMERIC if column == "id" else {}), **({"sort": "desc"} if column == sort_by else {})}
                        for column, title in titles.items())]
    return dag.AgGrid(
        id=EVENTS_TABLE, rowModelType="infinite", columnDefs=columns, getRowId="params.data.id",
        defaultColDef={"sortable": True, "resizable": True, "sortingOrder": ["desc", "asc"]},
        dashGridOptions={"theme": GRID_THEME, "localeText": locale_text(lang), "pagination": True,
                         "paginationPageSize": PAGE_SIZE, "cacheBlockSize": PAGE_SIZE,
                         "paginationPageSizeSelector": False, "maxBlocksInCache": 20, "animateRows": False,
                         "suppressColumnVirtualisation": True,  # every column of a page in the DOM: find, read
                         "rowSelection": {"mode": "singleRow", "checkboxes": False, "enableClickSelection": True}},
        className="events-grid", style={"height": "640px"})


def linkage_grid(titles: Mapping[str, str], rows: Sequence[Mapping[str, Any]], *, lang: str) -> dag.AgGrid:
    """Per department dispatch statistics (a row each), sortable in the browser; minutes to one decimal."""
    columns = [{"field": column, "headerName": title,
                **({"minWidth": 240, "flex": 2} if column == "department" else NUMERIC),
                **({"valueFormatter": {"function": "params.value == null ? '—' : d3.format('.1f')(params.value)"}}
                   if column.endswith(("_p50", "_p90")) else {})}
               for column, title in titles.items()]
    return dag.AgGrid(
        id="linkage-table", rowData=list(rows), columnDefs=columns,
        defaultColDef={"sortable": True, "resizable": True, "minWidth": 90},
        dashGridOptions={"theme": GRID_THEME, "localeText": locale_text(lang), "domLayout": "autoHeight",
                         "animateRows": False},
        columnSize="responsiveSizeToFit", className="linkage-grid")
