"""The /admin page's pieces: the pack's identity, its administrative levels, its catalogs as grids, its first users,
the result of checking it again, and the list of its screens; each from plain values and the reader's texts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import dash_ag_grid as dag
from dash import html
from dash.development.base_component import Component

from components.data_grid import GRID_THEME
from components.html_attrs import data_attributes


class AreaLike(Protocol):
    """An administrative area as services/citypack gives it."""

    @property
    def adcode(self) -> str: ...
    @property
    def name_zh(self) -> str: ...
    @property
    def name_en(self) -> str: ...
    @property
    def level(self) -> str: ...


def _name(area: AreaLike, lang: str) -> str:
    return area.name_zh if lang == "zh-CN" else area.name_en


def facts(items: Sequence[tuple[str, str]], facts_id: str) -> html.Dl:
    """Label / value pairs, one row each."""
    return html.Dl([part for label, value in items for part in (html.Dt(label, className="col-sm-3"),
                                                                 html.Dd(value, className="col-sm-9"))],
                   id=facts_id, className="row mb-0")


def levels_tree(levels: Sequence[AreaLike], lang: str, text: Mapping[str, str]) -> html.Ul:
    """Province → city → districts as nested lists, each with its level, name and adcode (`data-adcode`)."""
    def item(area: AreaLike, below: list[Any]) -> html.Li:
        return html.Li([html.Span(text[f"admin.level.{area.level}"], className="badge bg-secondary me-2"),
                        html.Span(_name(area, lang), className="me-2"), html.Code(area.adcode), *below],
                       **data_attributes(adcode=area.adcode, level=area.level))

    uppers = [area for area in levels if area.level != "district"]  # the city at least
    below: list[Any] = [html.Ul([item(area, []) for area in levels if area.level == "district"])]
    for area in reversed(uppers[1:]):
        below = [html.Ul([item(area, below)])]
    return html.Ul([item(uppers[0], below)], id="admin-levels", className="admin-levels")


def catalog_grid(name: str, rows: Sequence[Mapping[str, Any]], text: Mapping[str, str]) -> dag.AgGrid:
    """One catalog as a sortable, filterable grid; the column headers are the file's own column names."""
    columns = list(rows[0]) if rows else []
    return dag.AgGrid(
        id=f"admin-grid-{name}", rowData=list(rows),
        columnDefs=[{"field": column, "headerName": text.get(f"admin.col.{column}", column)} for column in columns],
        defaultColDef={"sortable": True, "filter": True, "resizable": True, "minWidth": 90},
        dashGridOptions={"theme": GRID_THEME, "domLayout": "normal", "animateRows": False},
        columnSize="autoSize", style={"height": "260px"})


def users_table(rows: Sequence[Mapping[str, str]], text: Mapping[str, str]) -> html.Table:
    """The first users: login name, role, display name and scope (a pack holds no passwords, and none is shown)."""
    head = html.Thead(html.Tr([html.Th(text[f"admin.user.{key}"]) for key in ("username", "role", "name", "scope")]))
    body = html.Tbody([html.Tr([html.Td(row["username"]), html.Td(row["role"]), html.Td(row["name"]),
                                html.Td(row["scope"])], **data_attributes(user=row["username"])) for row in rows])
    return html.Table([head, body], id="admin-users", className="table table-sm table-dark mb-0")


def check_result(problems: Sequence[str], checked_at: str, text: Mapping[str, str]) -> list[Any]:
    """The pack checked again: "ok", or every problem line as the command line prints it (`data-state`)."""
    state = "problems" if problems else "ok"
    head = html.Div(text[f"admin.check.{state}"].format(n=len(problems), at=checked_at),
                    className="text-danger" if problems else "text-success",
                    **data_attributes(state=state), id="admin-check-state")
    lines = [html.Ol([html.Li(html.Code(line)) for line in problems], id="admin-check-problems",
                     className="small")] if problems else []
    return [head, *lines]


def screens_list(screens: Sequence[tuple[str, Component]]) -> html.Div:
    """The pack's screens (a pack has at least one): each its name linking to its wall, and its thumbnail
    (components/screen_thumbnail)."""
    return html.Div(html.Ul([html.Li([html.A(name, href=f"/wall?screen={name}"), thumbnail],
                                     className="admin-screen", **data_attributes(screen=name))
                             for name, thumbnail in screens], className="list-unstyled d-flex flex-wrap gap-3"),
                    id="admin-screens")
