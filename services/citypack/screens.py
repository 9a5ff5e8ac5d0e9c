"""Provisioned screens and playlists: `screens/*.toml` of a city pack (format: citypacks/README.md).

A screen is a wall layout a command center writes as a file rather than code: its design canvas, an optional
physical tiling (columns x rows of tiles, the bezel between them), a grid of panels from the panel registry
(`KINDS`) and its cadences. `screen_boxes` turns a screen into canvas rectangles, laying each tile's part of the grid
out inside that tile, so no panel can cross a bezel and type sized for one tile reads the same on every tile.
Every problem is one `file:line: field: reason` line (the pack's convention), collected for the whole folder.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.citypack.reading import Report, line_of, read_toml

# The panel registry: kind -> what its entry may or must name ("codes": indicator codes, "topics": focus topics).
KINDS: dict[str, str] = {"kpis": "codes", "focus": "topics", "map": "", "alerts": "", "approvals": "", "card": "code",
                         "chart": "code"}
# An approvals panel's ranking: the lists and units `services.rankings` knows (a test holds them equal; the pack
# cannot import the domain, which reads the pack's catalogs) and its default minimum volume.
RANKINGS, RANKED_UNITS, DEFAULT_MIN_VOLUME = ("red", "honour"), ("department", "district"), 30
SINGLE_KINDS = ("kpis", "focus", "map", "alerts", "approvals")  # at most one of each on a screen
NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
DESIGN_HEIGHT = 1080  # the height type is designed for: one tile's height makes the type unit 1
HEADER, PAD, GAP = 72, 12, 12  # design px (times the unit): the header band, the edge padding, the gaps
PLAYLISTS_FILE = "playlists.toml"


@dataclass(frozen=True)
class Topic:
    """One topic of a focus panel: its name and its indicators, the headline first."""

    name_zh: str
    name_en: str
    codes: tuple[str, ...]


@dataclass(frozen=True)
class Panel:
    """One panel of a screen: its kind and grid cell (1-based column and row, spans), and what it shows."""

    kind: str
    column: int
    row: int
    columns: int
    rows: int
    codes: tuple[str, ...] = ()
    topics: tuple[Topic, ...] = ()
    rotate_s: float | None = None  # a focus panel's seconds per topic (None: the deployment's wall_rotate_seconds)
    ranking: str = "red"  # an approvals panel's list: "red" (worst first, 后进榜) or "honour" (best first, 红榜)
    ranking_by: str = "department"  # ... of departments or of districts
    min_volume: int = DEFAULT_MIN_VOLUME  # ... ranking a unit only with this much timed work in the window

    @property
    def key(self) -> str:
        """The panel's name on the page: its kind, or kind-code for an indicator's card or chart."""
        return f"{self.kind}-{self.codes[0]}" if self.kind in ("card", "chart") else self.kind


@dataclass(frozen=True)
class Tiling:
    """The physical screens a wall is made of: `columns` x `rows` tiles of `width` x `height`, `bezel` px apart."""

    columns: int
    rows: int
    width: int
    height: int
    bezel: int = 0

    @property
    def canvas(self) -> tuple[int, int]:
        return (self.columns * self.width + (self.columns - 1) * self.bezel,
                self.rows * self.height + (self.rows - 1) * self.bezel)


@dataclass(frozen=True)
class Screen:
    """A provisioned wall. `canvas` is None when the deployment's size applies (`wall_size`, `?size=`); a tiled
    screen always has one (its tiling's)."""

    name: str
    name_zh: str
    name_en: str
    canvas: tuple[int, int] | None
    tiling: Tiling | None
    grid_columns: tuple[float, ...]  # weights of the grid's columns
    grid_rows: tuple[float, ...]
    panels: tuple[Panel, ...]
    cadence_s: float = 60.0  # how often the data panels refresh

    def tiles(self, width: int, height: int) -> Tiling:
        """The tiling on a `width` x `height` canvas: the declared one, or the canvas as one tile."""
        return self.tiling or Tiling(1, 1, width, height)

    def codes(self) -> tuple[str, ...]:
        """Every indicator code the screen shows, in panel order, each once."""
        seen = [code for panel in self.panels for code in (*panel.codes, *(c for t in panel.topics for c in t.codes))]
        return tuple(dict.fromkeys(seen))


@dataclass(frozen=True)
class Playlist:
    """Screens shown in turn, `seconds` each, switching on the wall clock (every tile at the same moment)."""

    name: str
    name_zh: str
    name_en: str
    screens: tuple[str, ...]
    seconds: float


@dataclass(frozen=True)
class Box:
    """A rectangle in canvas px."""

    x: float
    y: float
    width: float
    height: float


def _spans(weights: Sequence[float], start: float, length: float, gap: float) -> list[tuple[float, float]]:
    """(offset, size) of each track laid out over `length` from `start`, `gap` apart, sized by weight."""
    free = length - gap * (len(weights) - 1)
    total, spans, at = sum(weights), [], start
    for weight in weights:
        size = free * weight / total
        spans.append((at, size))
        at += size + gap
    return spans


def screen_boxes(screen: Screen, width: int, height: int) -> tuple[Box, tuple[Box, ...], float]:
    """The header band, each panel's box (in `screen.panels` order) and the type unit, on a `width` x `height`
    canvas. Each tile holds its share of the grid's columns and rows laid out inside the tile (the top row of tiles
    below the header), so a panel never crosses a bezel."""
    tiles = screen.tiles(width, height)
    unit = tiles.height / DESIGN_HEIGHT
    pad, gap, head = PAD * unit, GAP * unit, HEADER * unit
    per_x, per_y = len(screen.grid_columns) // tiles.columns, len(screen.grid_rows) // tiles.rows
    xs: list[tuple[float, float]] = []
    for tx in range(tiles.columns):
        left = tx * (tiles.width + tiles.bezel)
        xs += _spans(screen.grid_columns[tx * per_x:(tx + 1) * per_x], left + pad, tiles.width - 2 * pad, gap)
    ys: list[tuple[float, float]] = []
    for ty in range(tiles.rows):
        top = ty * (tiles.height + tiles.bezel) + pad + (head + gap if ty == 0 else 0)
        bottom = (ty + 1) * tiles.height + ty * tiles.bezel - pad
        ys += _spans(screen.grid_rows[ty * per_y:(ty + 1) * per_y], top, bottom - top, gap)
    boxes = []
    for panel in screen.panels:
        (x0, _), (x1, w1) = xs[panel.column - 1], xs[panel.column + panel.columns - 2]
        (y0, _), (y1, h1) = ys[panel.row - 1], ys[panel.row + panel.rows - 2]
        boxes.append(Box(x0, y0, x1 + w1 - x0, y1 + h1 - y0))
    return Box(pad, pad, tiles.canvas[0] - 2 * pad, head), tuple(boxes), unit


def tile_box(tiling: Tiling, number: int) -> Box:
    """Tile `number` (1-based, row by row from the top left) in canvas px."""
    ty, tx = divmod(number - 1, tiling.columns)
    return Box(tx * (tiling.width + tiling.bezel), ty * (tiling.height + tiling.bezel), tiling.width, tiling.height)


# Reading and checking ----------------------------------------------------------------------------------------------


def _names(table: dict[str, Any], file: str, text: str, after: int, field: str, report: Report) -> tuple[str, str]:
    values = []
    for key in ("name_zh", "name_en"):
        value = table.get(key)
        if not isinstance(value, str) or not value.strip():
            report(file, line_of(text, key, after=after), f"{field}{key}", "missing or empty")
            value = ""
        values.append(value.strip())
    return values[0], values[1]


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _pair(value: Any) -> tuple[int, int] | None:
    ok = isinstance(value, list) and len(value) == 2 and all(_positive_int(v) for v in value)
    return (value[0], value[1]) if ok else None


def _weights(value: Any) -> tuple[float, ...] | None:
    if _positive_int(value):
        return (1.0,) * int(value)
    if not isinstance(value, list) or not value:
        return None
    ok = all(isinstance(v, int | float) and not isinstance(v, bool) and v > 0 for v in value)
    return tuple(float(v) for v in value) if ok else None


def _seconds(value: Any, low: float, high: float) -> float | None:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and low <= value <= high
    return float(value) if ok else None


def _tiling(document: dict[str, Any], file: str, text: str, report: Report) -> tuple[Tiling | None, bool]:
    table = document.get("tiling")
    if table is None:
        return None, True
    line = line_of(text, r"\[tiling\]")
    if not isinstance(table, dict):
        report(file, line, "tiling", "must be a table")
        return None, False
    columns, rows, tile = table.get("columns", 1), table.get("rows", 1), _pair(table.get("tile"))
    bezel = table.get("bezel", 0)
    ok = True
    for key, value in (("columns", columns), ("rows", rows)):
        if not _positive_int(value):
            report(file, line_of(text, key, after=line), f"tiling.{key}", f"{value!r} is not a positive whole number")
            ok = False
    if tile is None:
        report(file, line_of(text, "tile", after=line), "tiling.tile", "must be [width, height] in px")
        ok = False
    if not isinstance(bezel, int) or isinstance(bezel, bool) or bezel < 0:
        report(file, line_of(text, "bezel", after=line), "tiling.bezel", f"{bezel!r} is not a width in px (0 or more)")
        ok = False
    return (Tiling(columns, rows, tile[0], tile[1], bezel) if ok and tile else None), ok


def _topics(entry: dict[str, Any], file: str, text: str, line: int, where: str, report: Report) -> tuple[Topic, ...]:
    raw = entry.get("topics")
    if not isinstance(raw, list) or not raw or not all(isinstance(t, dict) for t in raw):
        report(file, line, f"{where}.topics", "a focus panel needs [[panels.topics]] (name_zh, name_en, codes)")
        return ()
    topics = []
    for index, table in enumerate(raw):
        at = line_of(text, r"\[\[panels\.topics\]\]", index, after=line)
        name_zh, name_en = _names(table, file, text, at, f"{where}.topics[{index + 1}].", report)
        codes = table.get("codes")
        if not isinstance(codes, list) or not codes or not all(isinstance(c, str) for c in codes):
            report(file, line_of(text, "codes", after=at), f"{where}.topics[{index + 1}].codes",
                   "a list of indicator codes, the headline first")
            codes = []
        topics.append(Topic(name_zh, name_en, tuple(codes)))
    return tuple(topics)


def _panel(entry: Any, index: int, file: str, text: str, report: Report) -> Panel | None:
    line, where = line_of(text, r"\[\[panels\]\]", index), f"panels[{index + 1}]"
    if not isinstance(entry, dict):
        report(file, line, where, "must be a table")
        return None
    kind = entry.get("kind")
    if kind not in KINDS:
        report(file, line_of(text, "kind", after=line), f"{where}.kind",
               f"unknown panel kind {kind!r} (known: {', '.join(KINDS)})")
        return None
    at, span = _pair(entry.get("at")), _pair(entry.get("span", [1, 1]))
    if at is None:
        report(file, line_of(text, "at", after=line), f"{where}.at", "must be [column, row], counted from 1")
    if span is None:
        report(file, line_of(text, "span", after=line), f"{where}.span", "must be [columns, rows], 1 or more")
    codes: tuple[str, ...] = ()
    if KINDS[kind] == "codes":
        raw = entry.get("codes")
        if not isinstance(raw, list) or not raw or not all(isinstance(c, str) for c in raw):
            report(file, line_of(text, "codes", after=line), f"{where}.codes", "a list of indicator codes")
        else:
            codes = tuple(raw)
    elif KINDS[kind] == "code":
        raw = entry.get("code")
        if not isinstance(raw, str) or not raw:
            report(file, line_of(text, "code", after=line), f"{where}.code", "the indicator code to show")
        else:
            codes = (raw,)
    topics = _topics(entry, file, text, line, where, report) if kind == "focus" else ()
    rotate = _seconds(entry.get("rotate"), 3, 3600) if "rotate" in entry else None
    if "rotate" in entry and rotate is None:
        report(file, line_of(text, "rotate", after=line), f"{where}.rotate", "seconds per topic, 3 to 3600")
    ranking = _ranking(entry, kind, file, text, line, where, report)
    if at is None or span is None or ("rotate" in entry and rotate is None) or ranking is None:
        return None
    return Panel(kind, at[0], at[1], span[0], span[1], codes, topics, rotate, *ranking)


RANKING_KEYS = ("ranking", "ranking_by", "min_volume")


def _ranking(entry: dict[str, Any], kind: str, file: str, text: str, line: int, where: str,
             report: Report) -> tuple[str, str, int] | None:
    """An approvals panel's ranking settings (list, units, minimum volume), defaults where absent; None when one
    is wrong (reported), or when another kind names them."""
    given = [key for key in RANKING_KEYS if key in entry]
    if kind != "approvals":
        for key in given:
            report(file, line_of(text, rf"{key}\s*=", after=line), f"{where}.{key}", "only an approvals panel ranks")
        return None if given else ("red", "department", DEFAULT_MIN_VOLUME)
    ranking, by, volume = entry.get("ranking", "red"), entry.get("ranking_by", "department"), entry.get("min_volume", DEFAULT_MIN_VOLUME)
    ok = True
    for key, value, allowed in (("ranking", ranking, RANKINGS), ("ranking_by", by, RANKED_UNITS)):
        if value not in allowed:
            report(file, line_of(text, rf"{key}\s*=", after=line), f"{where}.{key}", f"{value!r} is not one of {', '.join(allowed)}")
            ok = False
    if not _positive_int(volume) or volume > 100_000:
        report(file, line_of(text, r"min_volume\s*=", after=line), f"{where}.min_volume",
               f"{volume!r} is not a whole number from 1 to 100000 (cases in the window before a unit is ranked)")
        ok = False
    return (ranking, by, volume) if ok else None


def _place(panels: Sequence[tuple[int, Panel]], screen_columns: int, screen_rows: int, tiling: Tiling | None,
           file: str, text: str, report: Report) -> None:
    """Every panel inside the grid, on no other, within one tile, and the single kinds once."""
    taken: dict[tuple[int, int], int] = {}
    kinds: dict[str, int] = {}
    per_x = screen_columns // tiling.columns if tiling else screen_columns
    per_y = screen_rows // tiling.rows if tiling else screen_rows
    for index, panel in panels:
        line, where = line_of(text, r"\[\[panels\]\]", index), f"panels[{index + 1}]"
        if panel.kind in SINGLE_KINDS and panel.kind in kinds:
            report(file, line, f"{where}.kind", f"a second {panel.kind!r} panel (panels[{kinds[panel.kind] + 1}])")
        kinds.setdefault(panel.kind, index)
        last_column, last_row = panel.column + panel.columns - 1, panel.row + panel.rows - 1
        if last_column > screen_columns or last_row > screen_rows:
            report(file, line_of(text, "at", after=line), f"{where}.at",
                   f"columns {panel.column}-{last_column}, rows {panel.row}-{last_row} are outside the "
                   f"{screen_columns}x{screen_rows} grid")
            continue
        if (panel.column - 1) // per_x != (last_column - 1) // per_x or (panel.row - 1) // per_y != (last_row - 1) // per_y:
            report(file, line_of(text, "at", after=line), f"{where}.at",
                   f"crosses a tile boundary (each tile holds {per_x} column(s) x {per_y} row(s) of the grid)")
        cells = [(c, r) for c in range(panel.column, last_column + 1) for r in range(panel.row, last_row + 1)]
        other = next((taken[cell] for cell in cells if cell in taken), None)
        if other is not None:
            report(file, line_of(text, "at", after=line), f"{where}.at", f"overlaps panels[{other + 1}]")
        taken.update(dict.fromkeys(cells, index))


def _screen(path: Path, root: Path, known_codes: Collection[str] | None, report: Report) -> Screen | None:
    file = str(path.relative_to(root))
    read = read_toml(path, file, report)
    if read is None:
        return None
    text, document = read
    name = path.stem
    ok = True
    if not NAME.fullmatch(name):
        report(file, 1, "-", f"the file name {name!r} is not a screen name (lower-case letters, digits, - and _)")
        ok = False
    name_zh, name_en = _names(document, file, text, 0, "", report)
    canvas = _pair(document["canvas"]) if "canvas" in document else None
    if "canvas" in document and canvas is None:
        report(file, line_of(text, "canvas"), "canvas", "must be [width, height] in px")
        ok = False
    tiling, tiling_ok = _tiling(document, file, text, report)
    if tiling and canvas and canvas != tiling.canvas:
        report(file, line_of(text, "canvas"), "canvas", f"{canvas[0]}x{canvas[1]} is not the tiling's "
                                                      f"{tiling.canvas[0]}x{tiling.canvas[1]} (tiles and bezels)")
        ok = False
    grid: list[tuple[float, ...]] = []
    for key, tiles in (("columns", tiling.columns if tiling else 1), ("rows", tiling.rows if tiling else 1)):
        weights = _weights(document.get(key))
        if weights is None:
            report(file, line_of(text, key), key, "a number of grid tracks, or a list of their weights")
            ok = False
        elif len(weights) % tiles:
            report(file, line_of(text, key), key, f"{len(weights)} tracks do not divide among {tiles} tile(s)")
            ok = False
        grid.append(weights or ())
    cadence = _seconds(document.get("cadence", 60), 5, 3600)
    if cadence is None:
        report(file, line_of(text, "cadence"), "cadence", "seconds between data refreshes, 5 to 3600")
        ok = False
    raw = document.get("panels")
    if not isinstance(raw, list) or not raw:
        report(file, 1, "panels", "no [[panels]]")
        return None
    panels = [(index, panel) for index, entry in enumerate(raw)
              if (panel := _panel(entry, index, file, text, report)) is not None]
    for index, panel in panels:
        line = line_of(text, r"\[\[panels\]\]", index)
        for code in panel.codes + tuple(c for topic in panel.topics for c in topic.codes):
            if known_codes is not None and code not in known_codes:
                report(file, line_of(text, "[^\n]*" + re.escape(f'"{code}"'), after=line),
                       f"panels[{index + 1}].codes", f"unknown indicator code {code!r} (not in indicators.csv)")
    if ok and tiling_ok:
        _place(panels, len(grid[0]), len(grid[1]), tiling, file, text, report)
    if not ok or not tiling_ok or len(panels) != len(raw):
        return None
    return Screen(name, name_zh, name_en, tiling.canvas if tiling else canvas, tiling, grid[0], grid[1],
                  tuple(panel for _, panel in panels), cadence or 60.0)


def _playlists(path: Path, root: Path, screens: dict[str, Screen | None], report: Report) -> list[Playlist]:
    """The playlists; a playlist's screens must share one tiling (the page's canvas stays when it switches)."""
    file = str(path.relative_to(root))
    read = read_toml(path, file, report)
    if read is None:
        return []
    text, document = read
    playlists = []
    for name, table in document.items():
        line = line_of(text, re.escape(f"[{name}]"))
        if not NAME.fullmatch(name) or not isinstance(table, dict):
            report(file, line, name, "a playlist is a [name] table (lower-case letters, digits, - and _)")
            continue
        name_zh, name_en = _names(table, file, text, line, f"{name}.", report)
        names, seconds = table.get("screens"), _seconds(table.get("seconds"), 5, 86400)
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            report(file, line_of(text, "screens", after=line), f"{name}.screens", "a list of screen names")
            continue
        unknown = [n for n in names if n not in screens]
        for screen in unknown:
            report(file, line_of(text, "screens", after=line), f"{name}.screens",
                   f"unknown screen {screen!r} (known: {', '.join(screens) or 'none'})")
        if seconds is None:
            report(file, line_of(text, "seconds", after=line), f"{name}.seconds", "seconds per screen, 5 to 86400")
        shapes = {(s.canvas, s.tiling) for n in names if (s := screens.get(n)) is not None}
        if len(shapes) > 1:
            report(file, line_of(text, "screens", after=line), f"{name}.screens",
                   "screens of different canvases or tilings (a playlist keeps one canvas)")
        if not unknown and seconds is not None and name_zh and name_en and len(shapes) <= 1:
            playlists.append(Playlist(name, name_zh, name_en, tuple(names), seconds))
    return playlists


def load_screens(root: Path, known_codes: Collection[str] | None,
                 report: Report) -> tuple[tuple[Screen, ...], tuple[Playlist, ...]]:
    """The screens of the pack at `root` in file-name order (the first is the pack's default wall) and its
    playlists; `known_codes` are the pack's indicator codes (None: indicators.csv could not be read)."""
    folder = root / "screens"
    if not folder.is_dir():
        report("screens", 0, "-", "missing folder (at least one screen: the default wall)")
        return (), ()
    paths = sorted(p for p in folder.glob("*.toml") if p.name != PLAYLISTS_FILE)
    if not paths:
        report("screens", 0, "-", "no screen file (screens/<name>.toml)")
    screens = tuple(s for path in paths if (s := _screen(path, root, known_codes, report)) is not None)
    by_name: dict[str, Screen | None] = {path.stem: None for path in paths}
    by_name.update((screen.name, screen) for screen in screens)
    playlists = (_playlists(folder / PLAYLISTS_FILE, root, by_name, report)
                 if (folder / PLAYLISTS_FILE).is_file() else [])
    return screens, tuple(playlists)
