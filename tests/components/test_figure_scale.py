"""The wall's figures at a canvas scale: every size Plotly draws (type, hover labels, margins, line widths, dots,
label padding, the legend's line sample) is its 1080p design size times the scale, and nothing else changes; at
scale 1 the sizes are the design's."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from components.approval_figures import throughput_figure
from components.figures import event_map_frame
from components.theme import base_layout

SIZES = {"size", "width", "l", "r", "t", "b", "borderpad", "gridwidth", "zerolinewidth", "itemwidth"}
SQUARE = [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]
GEOJSON = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "id": code, "properties": {},
     "geometry": {"type": "Polygon", "coordinates": [[[x + dx + 118, y + 24] for x, y in SQUARE]]}}
    for code, dx in (("a", 0), ("b", 1))]}
NAMES = {"a": "甲区", "b": "乙区"}
SEVERITIES = ("minor", "moderate", "severe", "extreme")


def _differences(small: Any, large: Any, path: str = "") -> dict[str, tuple[Any, Any]]:
    """Every leaf where the two figures differ, by path; the trees must have the same shape."""
    if isinstance(small, dict):
        assert set(small) == set(large), path
        return {k: v for key in small for k, v in _differences(small[key], large[key], f"{path}.{key}").items()}
    if isinstance(small, list):
        assert len(small) == len(large), path
        return {k: v for i, (a, b) in enumerate(zip(small, large, strict=True))
                for k, v in _differences(a, b, f"{path}.{i}").items()}
    return {} if small == large else {path: (small, large)}


def _assert_scaled(small: dict[str, Any], large: dict[str, Any], scale: float) -> set[str]:
    """Only sizes differ, each by `scale`; the size names that did."""
    changed = _differences(small, large)
    for path, (a, b) in changed.items():
        assert path.rsplit(".", 1)[-1] in SIZES, f"{path} changed: {a} -> {b}"
        assert b == pytest.approx(a * scale), f"{path}: {a} -> {b}"
    return {path.rsplit(".", 1)[-1] for path in changed}


def _throughput(**options: Any) -> Any:
    flow = pd.DataFrame({"received": [(i * 7) % 13 for i in range(24)], "completed": [(i * 5) % 11 for i in range(24)],
                         "backlog": [100 + i for i in range(24)]})
    return throughput_figure(flow, [f"{h:02d}:00" for h in range(24)],
                             {"received": "受理", "completed": "办结", "backlog": "在办"}, **options)


def test_base_layout_scales_type_hover_labels_and_margins():
    assert base_layout()["font"]["size"] == 14 and base_layout()["hoverlabel"]["font"]["size"] == 13
    assert base_layout(margin={"l": 44, "r": 0, "t": 8, "b": 36})["margin"] == {"l": 44, "r": 0, "t": 8, "b": 36}
    large = base_layout(2, margin={"l": 44, "r": 0, "t": 8, "b": 36})
    assert large["font"]["size"] == 28 and large["hoverlabel"]["font"]["size"] == 26
    assert large["margin"] == {"l": 88, "r": 0, "t": 16, "b": 72}, "an override's margins scale too"


def test_the_event_map_frame_scales_its_outlines_dots_labels_and_type_only():
    small = event_map_frame(GEOJSON, NAMES, SEVERITIES)
    assert small["data"][0]["line"]["width"] == 1.5 and small["data"][-1]["marker"]["size"] == 7  # outlined: one larger
    assert small["layout"]["annotations"][0]["font"]["size"] == 16
    changed = _assert_scaled(small, event_map_frame(GEOJSON, NAMES, SEVERITIES, 2.0), 2.0)
    assert changed == {"size", "width", "borderpad"}  # margins are 0 on the map


def test_the_throughput_figure_scales_its_lines_axes_legend_and_type_only():
    small = _throughput().to_plotly_json()
    assert small["data"][0]["line"]["width"] == 3 and small["layout"]["margin"] == {"l": 44, "r": 52, "t": 8, "b": 36}
    large = _throughput(scale=2.0).to_plotly_json()
    assert _assert_scaled(small, large, 2.0) == SIZES - {"borderpad"}


def test_a_canvas_smaller_than_the_design_keeps_the_least_legend_sample_plotly_allows():
    figure = _throughput(scale=0.5)
    assert figure.layout.legend.itemwidth == 30 and figure.layout.font.size == 7


def test_the_wall_holds_the_y_tick_count():
    figure = _throughput(scale=2.0, y_ticks=6)
    assert figure.layout.yaxis.nticks == figure.layout.yaxis2.nticks == 6
    assert _throughput().layout.yaxis.nticks is None, "the analyst page's axis picks its own"
