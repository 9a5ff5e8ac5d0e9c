"""The analyst pages' graph and date axis: one modebar and one way of writing dates for every chart, in the page's
language, so that the pages look and behave alike."""

from __future__ import annotations

from typing import Any, Literal

from dash import dcc

from components.i18n import translator
from components.theme import MUTED

_DAY_MS = 86_400_000


def analyst_graph(graph_id: str, figure: Any, height: str, lang: str = "zh-CN") -> dcc.Graph:
    """A chart of an analyst page: no Plotly logo, no lasso or box select (the pages drill by click), and plotly.js's
    locale of `lang` (zh-CN is in the shipped bundle, scripts/plotly-bundle), which names months, days and the
    modebar's buttons."""
    return dcc.Graph(id=graph_id, figure=figure, style={"height": height},
                     config={"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"], "locale": lang})


# A titled chart: the title on the figure's top line, the legend on the line below it, left-aligned over the plot,
# so the two never collide, however narrow the column or long the axis labels.
TITLED_MARGIN_TOP = 64
LEGEND_UNDER_TITLE: dict[str, Any] = {"orientation": "h", "x": 0, "xanchor": "left", "y": 1, "yanchor": "bottom"}


def chart_title(text: str) -> dict[str, Any]:
    """A chart's title, at the figure's top left: it names the chart in the page and in a PNG downloaded from its
    modebar."""
    return {"text": text, "x": 0, "xanchor": "left", "xref": "container", "y": 1, "yanchor": "top",
            "yref": "container", "pad": {"l": 8, "t": 8}, "font": {"size": 15}}


def axis_title(text: str, size: float | None = None, standoff: float | None = None) -> dict[str, Any]:
    """An axis' title (what it counts, with its unit) in muted type, quieter than the chart's own title; `size`
    and `standoff` in pixels where a chart sets them (the wall scales both with its canvas)."""
    font: dict[str, Any] = {"color": MUTED} if size is None else {"color": MUTED, "size": size}
    return {"text": text, "font": font} if standoff is None else {"text": text, "font": font, "standoff": standoff}


def date_axis(lang: str, step: Literal["time", "day"] = "time") -> dict[str, Any]:
    """A date x-axis whose ticks and hover read as `lang` writes dates ("12月1日" / "Dec 1"), whatever the zoom; its
    title says whether the points are moments (`time`) or whole days (`day`)."""
    text = translator(lang)
    return {
        "type": "date",
        "title": {"text": text[f"chart.{step}"]},
        "hoverformat": text[f"chart.hover.{step}"],
        "tickformatstops": [
            {"dtickrange": [None, _DAY_MS - 1], "value": text["chart.ticks.hours"]},
            {"dtickrange": [_DAY_MS, "M1"], "value": text["chart.ticks.days"]},
            {"dtickrange": ["M1", None], "value": text["chart.ticks.months"]},
        ],
    }
