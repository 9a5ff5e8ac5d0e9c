"""The wall's visual language: colours for severity and status, the shipped CJK font, the map's offline style.

Colours follow Chinese command-center conventions: red / orange / yellow / blue warning levels (红橙黄蓝预警).
"""

from __future__ import annotations

from typing import Any

FONT_FAMILY = "'Noto Sans SC', 'Microsoft YaHei', 'PingFang SC', sans-serif"

BACKGROUND = "#06101f"
PANEL = "#0b1a30"
GRID_LINE = "#1d3556"
TEXT = "#e6f0ff"
MUTED = "#8aa4c8"
ACCENT = "#2fd1ff"

SEVERITY_COLOURS = {
    "extreme": "#ff3b3b",
    "severe": "#ff8c1a",
    "moderate": "#ffd400",
    "minor": "#3d8bff",
    "unknown": "#8aa4c8",
}

STATUS_COLOURS = {"normal": "#27d17f", "warn": "#ffb020", "alarm": "#ff3b3b", "nodata": "#5d7394"}

# A map style with nothing but a background layer: no tiles, no glyphs, no sprite, so the map makes no request
# outside the intranet (even Plotly's built-in "white-bg" names a glyph URL). `sources` holds one empty inline
# source because Plotly.react drops an empty `sources` object when a figure is updated, and MapLibre then refuses
# the style ("missing required property sources"): every map update would raise "Map error." in the browser.
OFFLINE_MAP_STYLE: dict[str, Any] = {
    "version": 8,
    "sources": {"empty": {"type": "geojson", "data": {"type": "FeatureCollection", "features": []}}},
    "layers": [{"id": "background", "type": "background", "paint": {"background-color": BACKGROUND}}],
}


FONT_SIZE = 14
HOVER_FONT_SIZE = 13  # plotly.js's own, named so that it scales with the rest


def base_layout(scale: float = 1.0, **overrides: Any) -> dict[str, Any]:
    """Plotly layout shared by every wall figure: transparent on the dark panel, the shipped font, tight margins.

    Sizes here and in the figure builders are 1080p design pixels; `scale` is the wall canvas's unit
    (dashboards/_wall_canvas.py), which multiplies the type, the hover labels and the margins (an override's too),
    so that a 2160-high canvas draws its charts as a 1080p one at twice the pixels. Plotly draws inside the canvas
    in CSS pixels and knows nothing of the transform that fits the canvas to the screen."""
    layout: dict[str, Any] = {
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"family": FONT_FAMILY, "color": TEXT, "size": FONT_SIZE * scale},
        "hoverlabel": {"font": {"size": HOVER_FONT_SIZE * scale}},
        "margin": {"l": 8, "r": 8, "t": 8, "b": 8},
        "showlegend": False,
    }
    layout.update(overrides)
    layout["margin"] = {side: size * scale for side, size in layout["margin"].items()}
    return layout


# The analyst pages' frame: the wall's dark colours on a full-height page, with Bootstrap's muted text to match.
PAGE_STYLE = {"background": BACKGROUND, "color": TEXT, "minHeight": "100vh", "--bs-secondary-color": MUTED}

# The analyst pages' root attributes: Bootstrap's dark colour mode, so its controls (selects, radios, date fields,
# muted text) are drawn light on the dark page, not Bootstrap's light defaults on it.
PAGE_ATTRIBUTES: dict[str, Any] = {"data-bs-theme": "dark"}
