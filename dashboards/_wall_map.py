"""The wall's event map panel: districts shaded and labelled by open events, one dot per recent open event.

Refreshed in place on its own interval: the callback patches the traces' data (`Patch`: each district's shade, the
labels' counts, dot positions and colours) and the as-of stamp, never the panel or the figure, so the graph and its
WebGL context stay (see DESIGN.md on dash issue #3846).

The page's first figure is the same figure with the current data put in the same places: its frame (the district
outlines, the label anchors, the layout) is built once per city and canvas scale (its type and marks follow the
page's canvas, dashboards/_wall_canvas.py) and shared by every wall of that scale. A refresh patches data only, so
it needs no scale: the sizes the page was drawn with stay.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from dash import Output, Patch, dcc, html, set_props

from components import figures
from components.i18n import translator
from components.map_legend import map_legend
from components.panel import as_of_stamp, panel, refresh_timer
from components.ticker import SEVERITY_LABELS
from dashboards._auth import current_principal
from dashboards._present import local_time
from dashboards._runtime import runtime
from dashboards._wall_refresh import register_refresh
from services import events, severity

CADENCE_S = 60
NUDGE_GAP_S = 1.0  # at most one written-signal refresh a second: a bulk load is one refresh, not thousands


class MapNudge:
    """Refreshes the page's map when events were written (a `written` signal on the status stream, heard by the
    wall's push loop), at most once per NUDGE_GAP_S: the first write after a quiet spell at once, a burst on the
    next tick after the gap. The map's minute timer stays as the fallback. `timer` names the refresh it nudges
    (the wall's incident section is nudged the same way)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, timer: str = "map-refresh") -> None:
        self._clock, self._last, self._wanted, self._timer = clock, float("-inf"), False, timer

    def want(self) -> None:
        self._wanted = True
        self.flush()

    def flush(self) -> None:
        now = self._clock()
        if self._wanted and now - self._last >= NUDGE_GAP_S:
            self._wanted, self._last = False, now
            set_props(self._timer, {"n_intervals": int(time.time() * 1000)})  # a new value: the refresh runs


def _data() -> tuple[Any, Any, datetime]:
    """Open events per district and the recent open events in the caller's scope, and their data time."""
    rt = runtime()
    scope = current_principal().scope
    now = datetime.now(UTC)
    with rt.sessions() as session:
        open_counts = events.open_by_district(session=session, now=now, scope=scope)
        points = events.recent_points(session=session, now=now, scope=scope)
    return open_counts, points, now


FRAME_MEMO = "wall-map-frame"  # the runtime's memo of the city's map frames by canvas scale, plain JSON-ready data
FRAME_SCALES = 4  # frames held at once: a deployment's walls have a size or two; odd kiosk URLs must not grow it


def _assign(target: Any, path: str, value: Any) -> None:
    """Set `path` ("data.3.marker.color") under `target`: a Patch records it; a figure dict gets copies of the
    containers on the way (new ones where the frame has none), so a shared frame is never written to."""
    *parents, leaf = [int(part) if part.isdigit() else part for part in path.split(".")]
    for part in parents:
        if not isinstance(target, Patch):
            exists = isinstance(target, list) or part in target  # a list index always exists in the frame
            held = target[part] if exists else {}
            target[part] = list(held) if isinstance(held, list) else dict(held)
        target = target[part]
    target[leaf] = value


def _changes(lang: str, open_counts: pd.DataFrame, points: pd.DataFrame) -> dict[str, Any]:
    text = translator(lang)
    return figures.event_map_data(runtime().city.names(lang), open_counts, points,
                                  labels={"open": text["map.open"], "overdue": text["map.overdue"]},
                                  severity_order=severity.ASCENDING)


def _frame(scale: float) -> dict[str, Any]:
    """The city's frame at `scale`, built on first use and held by the runtime (gone with the app); a scale past
    the FRAME_SCALES held starts the memo afresh (a new dict, so a request reading the old one is not disturbed)."""
    rt = runtime()
    frames = rt.memo.get(FRAME_MEMO)
    if not isinstance(frames, dict) or (scale not in frames and len(frames) >= FRAME_SCALES):
        frames = rt.memo[FRAME_MEMO] = {}
    frame = frames.get(scale)
    if frame is None:
        frame = frames[scale] = figures.event_map_frame(rt.city.geojson, rt.city.names(), severity.ASCENDING, scale)
    return frame


def _figure(lang: str, open_counts: pd.DataFrame, points: pd.DataFrame, scale: float) -> dict[str, Any]:
    """The event map with this data: the city's frame at `scale` with the data put in."""
    figure = dict(_frame(scale))
    for path, value in _changes(lang, open_counts, points).items():
        _assign(figure, path, value)
    return figure


def map_panel(lang: str, scale: float = 1.0) -> html.Section:
    """The panel as the page first shows it, drawn at its canvas's `scale` (Canvas.unit)."""
    rt = runtime()
    open_counts, points, as_of = _data()
    text = translator(lang)
    graph = dcc.Graph(id="event-map", figure=_figure(lang, open_counts, points, scale), className="graph-fill",
                      config={"displayModeBar": False, "scrollZoom": False})
    legend = map_legend({part: text[f"map.legend.{part}"] for part in ("districts", "fewer", "more", "dots")},
                        {level: SEVERITY_LABELS[lang][level] for level in severity.GRADED})
    return panel("map", text["wall.map"],
                 html.Div([graph, legend, refresh_timer("map", CADENCE_S)], className="panel-body map-body"),
                 as_of_stamp("map", as_of, local_time(as_of, rt.settings.zone, "%H:%M:%S"), CADENCE_S))


def map_patch(lang: str) -> tuple[Patch, datetime, str]:
    """The new data patched into the figure the page holds (same traces, same layout)."""
    rt = runtime()
    open_counts, points, as_of = _data()
    patch = Patch()
    for path, value in _changes(lang, open_counts, points).items():
        _assign(patch, path, value)
    return patch, as_of, local_time(as_of, rt.settings.zone, "%H:%M:%S")


def register_callbacks() -> None:
    """Wire this panel's refresh (see dashboards._auth.register_for_page)."""
    register_refresh("map", Output("event-map", "figure"), map_patch)
