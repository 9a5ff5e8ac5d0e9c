"""Which provisioned screen a /wall shows, where its panels go, and the playlist's switch (DESIGN.md, /wall).

`?screen=<name>` shows one screen of the city pack, `?playlist=<name>` shows its screens in turn, and neither the
pack's first screen. An unknown name falls back to that default (logged), never to a blank wall. `&tile=N` shows
only tile N of a tiled screen, at the tile's size, so each output of a video controller can open its own tile.

A playlist switches on the wall clock (`floor(epoch / seconds) mod n`, assets/onescreen.js), so every tile and every
browser of a wall changes screen at the same moment whatever time each loaded. The switch replaces only the
screen's own panels (`wall-screen-body`): the header, the alert ticker, the pop-up and the push stores stay, so the
websocket keeps running and no alert is lost across a switch; the ticker only moves to where the new screen has it.
"""

from __future__ import annotations

import logging
import time
from dataclasses import astuple, dataclass
from typing import Any

from dash import Input, Output, State, callback, html

from components.html_attrs import data_attributes
from components.i18n import translator
from components.screen_thumbnail import ThumbBox, screen_thumbnail
from dashboards import _wall_approvals, _wall_cards, _wall_focus, _wall_kpis, _wall_map
from dashboards._runtime import runtime
from services.citypack import Box, CityPack, Panel, Screen, Tiling, screen_boxes, tile_box
from services.config import parse_size

log = logging.getLogger(__name__)
HIDDEN = {"display": "none"}


@dataclass(frozen=True)
class View:
    """What one /wall page shows: its screens (one, or a playlist's), the canvas and which tile of it."""

    screens: tuple[Screen, ...]
    seconds: float  # per screen of a playlist (0: one screen)
    width: int  # the whole canvas
    height: int
    tile: int  # 1-based; 0 = the whole canvas

    @property
    def current(self) -> Screen:
        """The screen due now on the wall clock (the one screen, or the playlist's turn)."""
        if not self.seconds:
            return self.screens[0]
        return self.screens[int(time.time() // self.seconds) % len(self.screens)]

    @property
    def tiling(self) -> Tiling:
        return self.screens[0].tiles(self.width, self.height)

    @property
    def page_size(self) -> tuple[int, int]:
        """The page's canvas: the whole one, or one tile."""
        if not self.tile:
            return self.width, self.height
        return self.tiling.width, self.tiling.height

    def as_data(self) -> dict[str, Any]:
        return {"screens": [s.name for s in self.screens], "seconds": self.seconds, "width": self.width,
                "height": self.height, "tile": self.tile}


def resolve(pack: CityPack, size: tuple[int, int], screen: str | None, playlist: str | None,
            tile: str | None) -> View:
    """The view a /wall request asks for; a name or tile that does not resolve falls back and is logged."""
    chosen = pack.playlist(playlist) if playlist else None
    if playlist and chosen is None:
        log.warning("wall: no playlist %r in city pack %s; showing the default screen", playlist, pack.name)
    screens = tuple(s for name in chosen.screens if (s := pack.screen(name))) if chosen else ()
    if not screens:
        one = pack.screen(screen) if screen else None
        if screen and one is None:
            log.warning("wall: no screen %r in city pack %s; showing the default screen", screen, pack.name)
        screens = (one or pack.screens[0],)
    width, height = screens[0].canvas or size
    tiles = screens[0].tiles(width, height)
    number = int(tile) if tile and tile.isdigit() else 0
    if tile and not 1 <= number <= tiles.columns * tiles.rows:
        log.warning("wall: no tile %r on screen %s (%d tiles); showing the whole canvas", tile, screens[0].name,
                    tiles.columns * tiles.rows)
        number = 0
    return View(screens, chosen.seconds if chosen and len(screens) > 1 else 0.0, width, height, number)


def _style(box: Box, origin: Box | None) -> dict[str, str]:
    x, y = (box.x - origin.x, box.y - origin.y) if origin else (box.x, box.y)
    return {"left": f"{x:.1f}px", "top": f"{y:.1f}px", "width": f"{box.width:.1f}px", "height": f"{box.height:.1f}px"}


def _inside(box: Box, area: Box) -> bool:
    return (area.x <= box.x and box.x + box.width <= area.x + area.width
            and area.y <= box.y and box.y + box.height <= area.y + area.height)


@dataclass(frozen=True)
class Placed:
    """A screen laid out on a page: the header's style, each shown panel with its style, the type unit."""

    header: dict[str, str]
    panels: tuple[tuple[Panel, dict[str, str]], ...]
    unit: float


def place(view: View, screen: Screen) -> Placed:
    """Where the header and `screen`'s panels go on this page (only the tile's own panels in tile mode)."""
    header, boxes, unit = screen_boxes(screen, view.width, view.height)
    area = tile_box(view.tiling, view.tile) if view.tile else None
    if area is not None:
        header = Box(header.x, header.y, area.width - 2 * header.x, header.height)
        header_style = _style(header, None) if area.y == 0 else HIDDEN
    else:
        header_style = _style(header, None)
    shown = tuple((panel, _style(box, area)) for panel, box in zip(screen.panels, boxes, strict=True)
                  if area is None or _inside(box, area))
    return Placed(header_style, shown, unit)


def _panel(panel: Panel, lang: str, screen: Screen, rotate_s: float | None, unit: float) -> html.Section:
    """`panel` as the page first shows it; `unit` is the type scale (one tile's height / 1080) its charts follow."""
    if panel.kind == "kpis":
        return _wall_kpis.kpi_panel(lang, panel.codes, screen.cadence_s)
    if panel.kind == "focus":
        seconds = rotate_s or panel.rotate_s or runtime().settings.wall_rotate_seconds
        return _wall_focus.focus_panel(lang, panel, seconds, screen.cadence_s)
    if panel.kind == "map":
        return _wall_map.map_panel(lang, unit)
    if panel.kind == "approvals":
        return _wall_approvals.approvals_panel(lang, unit, panel)
    return _wall_cards.card_panel(lang, panel, screen.cadence_s)


def screen_body(view: View, screen: Screen, lang: str, rotate_s: float | None) -> tuple[html.Div, dict[str, str]]:
    """The screen's own panels (everything a playlist switch replaces) and the ticker's style on it."""
    placed = place(view, screen)
    ticker = HIDDEN
    sections = []
    for panel, style in placed.panels:
        if panel.kind == "alerts":
            ticker = style
            continue
        section = _panel(panel, lang, screen, rotate_s, placed.unit)
        setattr(section, "style", style)  # noqa: B010 (Dash components take props as attributes; the stubs lack them)
        sections.append(section)
    return html.Div(sections, className="wall-screen", **data_attributes(screen=screen.name)), ticker


def thumbnail(pack: CityPack, screen: Screen, lang: str, wall_size: str = "1920x1080") -> html.Figure:
    """`screen`'s layout as a thumbnail (components/screen_thumbnail.py), its panels named as the wall names them;
    `wall_size` is the deployment's canvas (Settings.wall_size), for a screen that does not fix its own."""
    text = translator(lang)
    names = {i.code: (i.name_zh if lang == "zh-CN" else i.name_en) for i in pack.catalogs.indicators}
    width, height = screen.canvas or parse_size(wall_size)
    header, boxes, _unit = screen_boxes(screen, width, height)
    tiling = screen.tiles(width, height)
    panels = [ThumbBox(text["wall.title"], header.x, header.y, header.width, header.height)]
    panels += [ThumbBox(names[p.codes[0]] if p.kind in ("card", "chart") else text[f"wall.{p.kind}"], b.x, b.y,
                        b.width, b.height) for p, b in zip(screen.panels, boxes, strict=True)]
    tiles = [ThumbBox("", *astuple(tile_box(tiling, n))) for n in range(1, tiling.columns * tiling.rows + 1)]
    return screen_thumbnail(screen.name_zh if lang == "zh-CN" else screen.name_en, (width, height), panels, tiles,
                            screen.name)


def kpi_codes(screens: tuple[Screen, ...] | list[Screen]) -> tuple[str, ...]:
    """The codes of the KPI strips of `screens`: the cards an alert may recolour."""
    return tuple(dict.fromkeys(code for s in screens for p in s.panels if p.kind == "kpis" for code in p.codes))



def register_callbacks() -> None:
    """Wire the playlist's switch (see dashboards._auth.register_for_page): onescreen.js names the screen due in
    `wall-screen`; the answer is that screen's panels and the ticker's place on it."""

    def switch(name: str, view: dict[str, Any], lang: str, rotate_s: float | None) -> tuple[html.Div, dict[str, str]]:
        pack = runtime().pack
        screens = tuple(pack.screen_or_default(n) for n in view["screens"])
        shown = View(screens, view["seconds"], view["width"], view["height"], view["tile"])
        return screen_body(shown, pack.screen_or_default(name), lang, rotate_s)

    callback(
        Output("wall-screen-body", "children"),
        Output("panel-alerts", "style"),
        Input("wall-screen", "data"),
        State("wall-view", "data"),
        State("wall-lang", "data"),
        State("wall-rotate", "data"),
        prevent_initial_call=True,
    )(switch)
