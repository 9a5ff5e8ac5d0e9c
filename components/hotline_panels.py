"""The /hotline page's numbers as clickable pieces, from already formatted text: the tiles, hot topics, hot spots,
the 回访 verdicts and the departments' table; and the orders grid (dash-ag-grid, rows fetched from the server).

Every number that stands for orders is a button with the pattern-matching id
`{"type": "hl-drill", "kind": <Drill kind>, "value": <key>}`: a click lists those orders in the grid below. Raw
values ride in `data-value`, so tests and tools read the number, not its formatting.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import dash_ag_grid as dag
from dash import html

from components.data_grid import GRID_THEME, locale_text
from components.html_attrs import data_attributes

DRILL = "hl-drill"
ORDERS_TABLE = "hl-orders"
PAGE_SIZE = 25
_TILE_BUTTON = {"background": "transparent", "color": "inherit"}  # a tile that drills looks like one that does not
_WIDE = {"reported_at": 150, "reply_due_at": 150, "replied_at": 150, "sla_due_at": 150, "closed_at": 150,
         "address": 200, "category": 120, "subcategory": 130, "grid": 140}


@dataclass(frozen=True)
class Tile:
    name: str
    label: str
    text: str  # the value as shown
    raw: str  # the value for machines (a count, a fraction, '' when there is none)
    drill: tuple[str, str] | None = None  # (kind, value) of the orders behind it


def drill_button(text: Any, kind: str, value: str = "", *, class_name: str = "btn btn-link btn-sm p-0 text-info",
                 **attributes: Any) -> html.Button:
    return html.Button(text, id={"type": DRILL, "kind": kind, "value": value}, className=class_name, **attributes)


def tiles(items: Sequence[Tile]) -> list[Any]:
    """The tiles (`data-tile` = name, `data-value` = raw); a tile with a drill is a button."""
    out: list[Any] = []
    for tile in items:
        body = [html.Div(tile.text, className="hl-kpi-value h5 mb-0"),
                html.Div(tile.label, className="small text-body-secondary")]
        attrs = data_attributes(tile=tile.name, value=tile.raw)
        if tile.drill is None:
            out.append(html.Div(body, id=f"hl-kpi-{tile.name}", className="hl-kpi border rounded px-2 py-1", **attrs))
        else:
            out.append(html.Button(body, id={"type": DRILL, "kind": tile.drill[0], "value": tile.drill[1]},
                                   className="hl-kpi hl-kpi-drill border rounded px-2 py-1 text-start",
                                   style=_TILE_BUTTON, **attrs))
    return out


def topic_list(rows: Sequence[tuple[str, str]], empty: str) -> html.Ol | html.P:
    """(term, "this week n · last week m") rows, each term a drill button."""
    if not rows:
        return html.P(empty, className="text-body-secondary")
    return html.Ol([html.Li([drill_button(term, "topic", term), html.Span(f" {note}", className="small")],
                            **data_attributes(term=term)) for term, note in rows], className="hl-topics")


def plain_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[tuple[str, str]], *, table_id: str,
                empty: str, key: str, drills: Mapping[str, str] | None = None) -> html.Table | html.P:
    """A table of `rows`; a column named in `drills` shows its numbers as drill buttons of that kind, keyed by the
    row's `key` column."""
    if not rows:
        return html.P(empty, id=table_id, className="text-body-secondary")
    drills = drills or {}
    body = []
    for row in rows:
        cells = []
        for name, _ in columns:
            value = row.get(name, "")
            cells.append(html.Td(drill_button(value, drills[name], str(row[key])) if name in drills and value not in
                                 ("", "0", 0) else value))
        body.append(html.Tr(cells, **data_attributes(key=str(row[key]))))
    return html.Table([html.Thead(html.Tr([html.Th(title) for _, title in columns])), html.Tbody(body)],
                      id=table_id, className="table table-sm table-dark table-striped align-middle")


def verdicts(counts: Sequence[tuple[str, str, int]]) -> html.Ul:
    """(verdict code, its word, count) of the 回访 results, each count a drill button."""
    return html.Ul([html.Li([html.Span(f"{word}: "), drill_button(str(count), "satisfaction", code)],
                            **data_attributes(verdict=code, count=str(count)))
                    for code, word, count in counts], className="list-unstyled hl-verdicts")


def orders_grid(titles: Mapping[str, str], *, lang: str) -> dag.AgGrid:
    """The drilled orders, PAGE_SIZE a page, fetched block by block from the server and sorted there."""
    columns = [{"field": column, "headerName": title, "minWidth": _WIDE.get(column, 90),
                **({"sort": "desc"} if column == "reported_at" else {}),
                **({"sortable": False} if column.startswith("reporter_") else {})}
               for column, title in titles.items()]
    return dag.AgGrid(
        id=ORDERS_TABLE, rowModelType="infinite", columnDefs=columns, getRowId="params.data.id",
        defaultColDef={"sortable": True, "resizable": True, "sortingOrder": ["desc", "asc"]},
        dashGridOptions={"theme": GRID_THEME, "localeText": locale_text(lang), "pagination": True,
                         "paginationPageSize": PAGE_SIZE, "cacheBlockSize": PAGE_SIZE,
                         "paginationPageSizeSelector": False, "maxBlocksInCache": 20, "animateRows": False,
                         "suppressColumnVirtualisation": True,
                         "rowSelection": {"mode": "singleRow", "checkboxes": False, "enableClickSelection": True}},
        className="hl-grid", style={"height": "560px"})
