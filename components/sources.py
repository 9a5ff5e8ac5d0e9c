"""The /sources page's pieces: the source catalog, the late and failing list, the dependency table and the
volume chart, from rows already formatted for the reader (`SourceRow`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
from dash import html

from components.html_attrs import data_attributes
from components.theme import base_layout

STATE_CLASSES = {"on_time": "text-success", "late": "text-warning", "silent": "text-danger"}


@dataclass(frozen=True)
class SourceRow:
    """One source as the page shows it (every text in the reader's language)."""

    id: str
    name: str
    department: str
    kind: str
    targets: str
    cadence: str
    last_delivery: str
    rows_today: str
    rows_7d: str
    refused_7d: str
    state: str  # on_time | late | silent: the stable hook
    state_text: str
    error: str
    panels: str
    indicators: str


def _table(head: Sequence[str], rows: list[html.Tr], table_id: str) -> html.Table:
    return html.Table([html.Thead(html.Tr([html.Th(cell) for cell in head])), html.Tbody(rows)], id=table_id,
                      className="table table-sm table-dark table-hover align-middle")


def catalog_table(rows: Sequence[SourceRow], text: Mapping[str, str]) -> html.Table:
    """`#sources-catalog tr[data-source][data-state]`, grouped by owner department."""
    head = [text[f"src.col.{key}"] for key in ("department", "source", "kind", "target", "cadence", "last", "today",
                                                "week", "refused", "state")]
    body = [html.Tr([html.Td(row.department), html.Td(row.name, title=row.id), html.Td(row.kind),
                     html.Td(row.targets), html.Td(row.cadence), html.Td(row.last_delivery), html.Td(row.rows_today),
                     html.Td(row.rows_7d), html.Td(row.refused_7d),
                     html.Td(row.state_text, className=STATE_CLASSES.get(row.state, ""))],
                    **data_attributes(source=row.id, state=row.state)) for row in rows]
    return _table(head, body, "sources-catalog")


def problems_list(rows: Sequence[SourceRow], text: Mapping[str, str]) -> html.Ul:
    """`#sources-problems li[data-source][data-state]`: sources late, silent or failing; a line saying all is well
    otherwise."""
    items = [html.Li([html.Span(row.state_text, className=f"fw-bold me-2 {STATE_CLASSES.get(row.state, '')}"),
                      html.Span(f"{row.name} · {row.department} · {text['src.col.last']} {row.last_delivery}"),
                      *([html.Div(row.error, className="small text-danger")] if row.error else [])],
                     **data_attributes(source=row.id, state=row.state)) for row in rows]
    return html.Ul(items or [html.Li(text["src.problems.none"], className="text-success")], id="sources-problems",
                   className="list-unstyled")


def dependency_table(rows: Sequence[SourceRow], text: Mapping[str, str]) -> html.Table:
    """`#sources-dependencies`: for each source, the wall panels and indicators that draw on it."""
    head = [text["src.col.source"], text["src.col.panels"], text["src.col.indicators"], text["src.col.state"]]
    body = [html.Tr([html.Td(row.name), html.Td(row.panels), html.Td(row.indicators),
                     html.Td(row.state_text, className=STATE_CLASSES.get(row.state, ""))],
                    **data_attributes(source=row.id)) for row in rows]
    return _table(head, body, "sources-dependencies")


def volume_figure(frame: pd.DataFrame, department_names: Mapping[str, str], text: Mapping[str, str]) -> go.Figure:
    """Rows exchanged per day, one stacked bar per owner department (`frame`: day, department, rows); a source
    that names no owner is shown as such, and both axes say what they count."""
    figure = go.Figure(layout=base_layout(barmode="stack", showlegend=True, margin={"l": 56, "r": 8, "t": 8, "b": 40},
                                          legend={"orientation": "h", "y": -0.3},
                                          xaxis={"type": "category", "categoryorder": "category ascending",
                                                 "title": {"text": text["src.axis.day"]}},
                                          yaxis={"title": {"text": text["src.axis.rows"]}}))
    for department, part in frame.groupby("department", sort=True):
        name = department_names.get(str(department)) or str(department) or text["src.unknown_department"]
        figure.add_bar(x=part["day"], y=part["rows"], name=name)
    return figure


def late_sources_note(late: Sequence[tuple[str, str]], text: Mapping[str, str]) -> html.Div:
    """`#console-late-sources`: the late sources as (name, state text); empty when every source is on time."""
    return html.Div([f"{text['src.late_source']}: ", "、".join(f"{name}（{state}）" for name, state in late)]
                    if late else [], id="console-late-sources", className="console-late-sources text-warning")
