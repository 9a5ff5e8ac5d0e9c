"""A provisioned screen's layout as a small picture: one box per panel, named, on the screen's canvas, with the
tiles' edges (bezels) drawn, for pages that list a city pack's screens (the admin page).

Pure: it takes the boxes in canvas px (services.citypack.screen_boxes gives them) and places them in percent, so
the thumbnail is any width its container gives it and keeps the canvas's shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from dash import html

from components.html_attrs import data_attributes


class ThumbBox(NamedTuple):
    """A rectangle in canvas px, and the name shown in it ("" for a tile)."""

    label: str
    x: float
    y: float
    width: float
    height: float


def _place(box: ThumbBox, canvas: tuple[int, int]) -> dict[str, str]:
    width, height = canvas
    return {"left": f"{100 * box.x / width:.3f}%", "top": f"{100 * box.y / height:.3f}%",
            "width": f"{100 * box.width / width:.3f}%", "height": f"{100 * box.height / height:.3f}%"}


def screen_thumbnail(title: str, canvas: tuple[int, int], panels: Sequence[ThumbBox],
                     tiles: Sequence[ThumbBox] = (), name: str = "") -> html.Figure:
    """`<figure class="screen-thumb">`: the canvas (its aspect ratio kept), `tiles` as outlines when there are
    several, `panels` as named boxes, and a caption with `title` and the canvas size. `name` (the screen's file
    name) goes on `data-screen`."""
    width, height = canvas
    drawn = [html.Div(className="screen-thumb-tile", style=_place(tile, canvas)) for tile in tiles if len(tiles) > 1]
    drawn += [html.Div(html.Span(box.label), className="screen-thumb-panel", title=box.label,
                       style=_place(box, canvas)) for box in panels]
    return html.Figure(
        [html.Div(drawn, className="screen-thumb-canvas", style={"aspectRatio": f"{width} / {height}"}),
         html.Figcaption(f"{title} · {width}×{height}")],
        className="screen-thumb", **data_attributes(screen=name),
    )
