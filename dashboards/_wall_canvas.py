"""The wall's design canvas: a fixed-size root that the page scales to the screen (assets/onescreen.js).

A kiosk URL may override the deployment's defaults (Settings `wall_size`, `wall_fit`, `wall_rotate_seconds`):

    /wall?size=3840x2160&fit=fill&rotate=20&reload=04:00

- `size`: the design canvas WIDTHxHEIGHT in CSS pixels. Type and spacing follow the canvas height (1080 = 1: CSS
  through `--u`, the charts and the map through the figure builders' `scale`, components.theme.base_layout), so a
  3840x2160 canvas on a 4K wall is the 1080p design drawn with twice the pixels: nothing is an upscaled bitmap.
  (Plotly's few fixed paddings, e.g. between legend items, stay in CSS pixels.) A wider canvas gets more room at the
  same type size. A screen of the city pack that fixes its canvas or declares a tiling (dashboards/_wall_screens.py)
  takes its own; then type and charts follow one tile's height.
- `fit`: `fit` scales uniformly to fit the screen and centres it (bands on a screen of another shape), `fill`
  stretches each axis to the screen, `width` scales uniformly to the screen's width (a taller canvas is cut at the
  bottom: the page never scrolls).
- `rotate`: seconds per topic of the focus panel (over the screen's own `rotate`).
- `reload`: a scheduled soft reload, every N minutes (`reload=720`) or daily at a local time (`reload=04:00`); the
  page reloads only once the server answers, so a wall never reloads into an error page.

A value that does not parse is ignored (the default is used): a typo in a kiosk URL must not blank the wall.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from services.config import Settings, parse_size

FITS = ("fit", "fill", "width")
DESIGN_HEIGHT = 1080
_RELOAD = re.compile(r"^(?:[0-9]{1,5}|(?:[01][0-9]|2[0-3]):[0-5][0-9])$")


@dataclass(frozen=True)
class Canvas:
    width: int
    height: int
    fit: str
    rotate_s: float
    reload: str

    @property
    def unit(self) -> float:
        """Type and spacing scale: 1 on a 1080-high canvas; the CSS's `--u` and the wall figures' `scale`."""
        return self.height / DESIGN_HEIGHT


def _rotate(value: str | None, default: float) -> float:
    try:
        seconds = float(value) if value else default
    except ValueError:
        return default
    return seconds if 3 <= seconds <= 3600 else default


def canvas(settings: Settings, size: str | None = None, fit: str | None = None, rotate: str | None = None,
           reload: str | None = None) -> Canvas:
    """The canvas a /wall request asks for, from its query parameters over the deployment's defaults."""
    try:
        width, height = parse_size(size or settings.wall_size)
    except ValueError:
        width, height = parse_size(settings.wall_size)
    reload = reload or ""
    if not _RELOAD.match(reload) or (":" not in reload and int(reload) < 5):
        reload = ""
    return Canvas(width, height, fit if fit in FITS else settings.wall_fit,
                  _rotate(rotate, settings.wall_rotate_seconds), reload)
