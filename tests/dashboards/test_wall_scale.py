"""What Plotly draws inside the wall follows the canvas: on a 3840x2160 canvas the charts' and the map's text and
marks are twice their 1080p size in canvas pixels, so a 4K wall reads like a 1080p one at twice the pixels (before
issue 20, Plotly drew them at their 1080p size and the canvas's fit to the screen halved them). Both canvases are
shown in the same 1920x1080 window and measured relative to the canvas; a map refresh (a Patch) keeps the sizes."""

from __future__ import annotations

from pathlib import Path

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.support.ui import WebDriverWait

from dashboards import _wall_map
from dashboards._auth import as_principal
from services.access import Principal, Role
from tests.dashboards.test_wall_canvas import _screen, _wall_ready

# Each measure in canvas pixels: its drawn size over the canvas's drawn scale (rendered height / design height).
MEASURE_JS = """
const root = document.getElementById('wall-root');
const fit = root.getBoundingClientRect().height / root.offsetHeight;
const heights = sel => [...document.querySelectorAll(sel)].map(el => el.getBoundingClientRect().height / fit)
  .filter(h => h > 0);
const widths = sel => [...document.querySelectorAll(sel)].map(el => parseFloat(getComputedStyle(el).strokeWidth));
const stamp = document.getElementById('map-as-of');
return {
  xtick: heights('#approvals-throughput .xtick text'),
  ytick: heights('#approvals-throughput .ytick text'),
  legend: heights('#approvals-throughput .legendtext'),
  line: widths('#approvals-throughput .scatterlayer path.js-line'),
  label: heights('#event-map .annotation-text'),
  outline: widths('#event-map .scatterlayer path.js-line'),
  hover: heights('#event-map .hoverlayer .hovertext text'),
  plot: document.querySelector('#approvals-throughput .bglayer rect, #approvals-throughput .nsewdrag')
        .getBoundingClientRect().left / fit - document.getElementById('approvals-throughput')
        .getBoundingClientRect().left / fit,
  asOf: stamp ? stamp.getAttribute('datetime') : null,
};
"""
MARKS = ("xtick", "ytick", "legend", "line", "label", "outline")


def _median(values: list[float]) -> float:
    assert values, "nothing of this kind is drawn"
    return sorted(values)[len(values) // 2]


def _measure(dash_duo, size: str, shots: Path) -> dict[str, float]:
    dash_duo.driver.get(f"{dash_duo.server_url}/wall?size={size}")
    _wall_ready(dash_duo)
    dash_duo.wait_for_element("#event-map .annotation-text", timeout=15)
    dash_duo.driver.save_screenshot(str(shots / f"wall-{size}.png"))
    drawn = dash_duo.driver.execute_script(MEASURE_JS)
    # A district label's hover label (open and overdue counts), as a wall operator with a mouse sees it.
    ActionChains(dash_duo.driver).move_to_element(dash_duo.find_element("#event-map .annotation-text")).perform()
    dash_duo.wait_for_element("#event-map .hoverlayer .hovertext text", timeout=5)
    hover = dash_duo.driver.execute_script(MEASURE_JS)["hover"]
    return {**{mark: _median(drawn[mark]) for mark in MARKS}, "plot": drawn["plot"], "yticks": len(drawn["ytick"]),
            "hover": _median(hover)}


def test_chart_and_map_text_and_marks_grow_with_the_canvas(dash_duo, open_page, tmp_path):
    _screen(dash_duo, 1920, 1080)
    open_page("/wall", role="wall")
    small = _measure(dash_duo, "1920x1080", tmp_path)
    large = _measure(dash_duo, "3840x2160", tmp_path)
    for mark in (*MARKS, "plot", "hover"):
        assert large[mark] >= 1.9 * small[mark], f"{mark}: {large[mark]:.1f} on 4K vs {small[mark]:.1f} on 1080p"
    assert large["yticks"] == small["yticks"], "as many y ticks, not more because the axis has more pixels"
    assert 14 <= small["xtick"] <= 24, "1080p tick labels stay at the 14 px design size"

    # A refresh patches the map's data in place; the sizes the page was drawn with stay.
    before = dash_duo.driver.execute_script(MEASURE_JS)["asOf"]
    dash_duo.driver.execute_script("window.dash_clientside.set_props('map-refresh', {n_intervals: 1});")
    WebDriverWait(dash_duo.driver, 15).until(lambda d: d.execute_script(MEASURE_JS)["asOf"] != before)
    after = dash_duo.driver.execute_script(MEASURE_JS)
    assert _median(after["label"]) == pytest.approx(large["label"], rel=0.05)
    assert _median(after["outline"]) == pytest.approx(large["outline"], rel=0.05)
    assert dash_duo.get_logs() == [], "the browser console has errors"


def test_the_map_frame_is_held_per_canvas_scale_and_odd_scales_do_not_grow_the_memo(wall_app, wall_runtime):
    def label_size(scale: float) -> float:
        with as_principal(Principal("wall", Role.WALL)):
            graph = _wall_map.map_panel("zh-CN", scale).children[1].children[0]
        return graph.figure["layout"]["annotations"][0]["font"]["size"]

    assert (label_size(1.0), label_size(2.0), label_size(1.0)) == (16, 32, 16)
    frames = wall_runtime.memo[_wall_map.FRAME_MEMO]
    assert isinstance(frames, dict) and set(frames) == {1.0, 2.0}, "one frame per scale, built once"
    assert "text" not in frames[2.0]["layout"]["annotations"][0], "the shared frame holds no page's data"
    for extra in range(_wall_map.FRAME_SCALES):
        label_size(3.0 + extra)
    held = wall_runtime.memo[_wall_map.FRAME_MEMO]
    assert isinstance(held, dict) and len(held) <= _wall_map.FRAME_SCALES
