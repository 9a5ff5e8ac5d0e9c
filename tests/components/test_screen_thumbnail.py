"""A screen's thumbnail: its panels named and placed in proportion on the canvas, the tiles outlined; drawn in a
real browser it keeps the canvas's shape and no panel box crosses a tile's edge."""

from __future__ import annotations

from pathlib import Path

from dash import Dash, html

from components.screen_thumbnail import ThumbBox, screen_thumbnail
from services.citypack import load_pack, screen_boxes, tile_box
from services.config import DEFAULT_PACK

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def _triple() -> html.Figure:
    screen = load_pack(DEFAULT_PACK).screen_or_default("triple")
    assert screen.tiling and screen.canvas
    _header, boxes, _unit = screen_boxes(screen, *screen.canvas)
    panels = [ThumbBox(panel.key, box.x, box.y, box.width, box.height)
              for panel, box in zip(screen.panels, boxes, strict=True)]
    tiles = [ThumbBox("", tile.x, tile.y, tile.width, tile.height) for tile in (tile_box(screen.tiling, n)
                                                                                for n in (1, 2, 3))]
    return screen_thumbnail("三联屏总览", screen.canvas, panels, tiles, "triple")


def test_boxes_are_placed_in_percent_of_the_canvas() -> None:
    figure = _triple()
    canvas, caption = figure.children
    assert caption.children == "三联屏总览 · 5760×1080"
    assert canvas.style == {"aspectRatio": "5760 / 1080"}
    tiles = [c for c in canvas.children if c.className == "screen-thumb-tile"]
    assert [t.style["left"] for t in tiles] == ["0.000%", "33.333%", "66.667%"]
    kpis = next(c for c in canvas.children if c.className == "screen-thumb-panel" and c.title == "kpis")
    assert kpis.style == {"left": "0.208%", "top": "8.889%", "width": "32.917%", "height": "44.444%"}
    one = screen_thumbnail("单屏", (1920, 1080), [ThumbBox("map", 0, 0, 960, 540)], [ThumbBox("", 0, 0, 1920, 1080)])
    assert not [c for c in one.children[0].children if c.className == "screen-thumb-tile"], "one tile: no outline"


def test_the_thumbnail_in_a_browser_keeps_the_canvas_shape(dash_duo) -> None:
    app = Dash(__name__, assets_folder=str(Path(__file__).resolve().parents[2] / "assets"))
    app.layout = html.Div(_triple(), style={"width": "600px", "padding": "10px", "background": "#06101f"})
    dash_duo.start_server(app)
    canvas = dash_duo.wait_for_element(".screen-thumb-canvas", timeout=10)
    assert abs(canvas.size["width"] / canvas.size["height"] - 5760 / 1080) < 0.05
    edges = dash_duo.driver.execute_script(
        "const c = document.querySelector('.screen-thumb-canvas').getBoundingClientRect();"
        "return [...document.querySelectorAll('.screen-thumb-panel')].map(p => { const r = p.getBoundingClientRect();"
        " return [(r.left - c.left) / c.width, (r.right - c.left) / c.width]; });")
    for left, right in edges:
        assert not any(left < edge - 0.002 < right - 0.004 for edge in (1 / 3, 2 / 3)), (left, right)
    SHOTS.mkdir(parents=True, exist_ok=True)
    dash_duo.driver.save_screenshot(str(SHOTS / "screen-thumbnail.png"))

