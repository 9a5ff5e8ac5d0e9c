"""The analyst pages' graph: one modebar for every chart, so that the pages look and behave alike."""

from __future__ import annotations

from typing import Any

from dash import dcc


def analyst_graph(graph_id: str, figure: Any, height: str) -> dcc.Graph:
    """A chart of an analyst page: no Plotly logo, and no lasso or box select (the pages drill by click)."""
    return dcc.Graph(id=graph_id, figure=figure, style={"height": height},
                     config={"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]})
