"""The wall map's legend: what a district's shade and number mean, and what each dot colour means.

HTML beside the figure, not Plotly's legend: the districts are one trace each (a Plotly legend would list six
district names) and the dots one trace coloured by a scale, so neither says what a colour means. The shade's
gradient and the dots' colours are the figure's own (components.event_figures.OPEN_SCALE, theme.SEVERITY_COLOURS),
dots drawn with the same dark outline that keeps them visible on every district shade.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dash import html

from components.event_figures import OPEN_SCALE
from components.theme import MUTED, SEVERITY_COLOURS

DOT_OUTLINE = "#06101f"  # the dots' outline on the map and in the legend: dark on the brightest district shade


def _gradient(scale: Sequence[Sequence[object]]) -> str:
    return "linear-gradient(to right, " + ", ".join(f"{colour} {100 * float(str(at)):g}%" for at, colour in scale) + ")"


def map_legend(texts: Mapping[str, str], severities: Mapping[str, str]) -> html.Div:
    """`texts`: "districts" (what the shade and number are), "fewer", "more", "dots" (what a dot is);
    `severities`: severity -> its name, most severe first (the dots' colours)."""
    shade = html.Div([html.Span(texts["districts"], className="map-legend-title"),
                      html.Span([html.Span(texts["fewer"]), html.Span(className="map-legend-ramp",
                                                                      style={"background": _gradient(OPEN_SCALE)}),
                                 html.Span(texts["more"])], className="map-legend-scale")],
                     className="map-legend-row")
    dots = html.Div([html.Span(texts["dots"], className="map-legend-title"),
                     html.Ul([html.Li([html.Span(className="map-legend-dot",
                                                 style={"background": SEVERITY_COLOURS.get(severity, MUTED),
                                                        "borderColor": DOT_OUTLINE}),
                                       html.Span(name)], className="map-legend-level")
                              for severity, name in severities.items()], className="map-legend-levels")],
                    className="map-legend-row")
    return html.Div([shade, dots], id="event-map-legend", className="map-legend")
