"""An active response's area as the wall and /events show it: the alert's CAP area (or its district), the
districts it touches, and the open events inside it (services/areas.py does the geometry)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from shapely.geometry.base import BaseGeometry

from components.i18n import translator
from components.incident_map import area_traces
from dashboards._runtime import runtime
from services import areas, events, plans
from services.access import Scope


@dataclass(frozen=True)
class IncidentArea:
    shape: BaseGeometry | None
    touched: list[str]
    inside: pd.DataFrame  # the open events of the last day inside the area: id, lat, lon, severity


def incident_area(session: Any, view: plans.ResponseView, scope: Scope, now: datetime) -> IncidentArea:
    """Where response `view` is, and the open events there the caller may see."""
    city = runtime().city
    shape = areas.area_of(view.area, view.district, city)
    points = events.recent_points(session=session, now=now, scope=scope)
    if shape is None:
        return IncidentArea(None, [], points.iloc[0:0])
    inside = points[areas.inside(shape, points["lon"], points["lat"])] if len(points) else points
    return IncidentArea(shape, areas.districts_touching(shape, city), inside)


def traces(area: IncidentArea, *, on_map: bool, scale: float = 1.0) -> list[dict[str, Any]]:
    """The area's outline and its touched districts, for a figure of the city."""
    touched = set(area.touched)
    features = [f for f in runtime().city.geojson["features"] if str(f["id"]) in touched]
    return area_traces(features, areas.as_feature(area.shape) if area.shape is not None else None, on_map=on_map,
                       scale=scale)


def describe(area: IncidentArea, lang: str, names: Mapping[str, str]) -> str:
    """"Area: <the districts it touches> · N open events inside", in `lang`."""
    districts = "、".join(names.get(code, code) for code in area.touched) or "—"
    return translator(lang)["incident.area"].format(districts=districts, events=len(area.inside))


def _shown(session: Any, scope: Scope) -> plans.ResponseView | None:
    """The response /events shows the area of: the most serious active one, whatever the wall's level."""
    return plans.active_response(session, plans.LEVELS[-1], scope=scope)


def over_events_map(session: Any, figure: dict[str, Any], scope: Scope, now: datetime) -> dict[str, Any]:
    """/events' map (MapLibre or plain) with the active response's area laid over it, if there is one."""
    view = _shown(session, scope)
    if view is None:
        return figure
    on_map = any(str(trace.get("type", "")).endswith("map") for trace in figure["data"])
    return {**figure, "data": [*figure["data"], *traces(incident_area(session, view, scope, now), on_map=on_map)]}


def events_note(session: Any, scope: Scope, lang: str, now: datetime) -> str:
    """Under /events' map: the active response, where it is and how many open events lie inside, or nothing."""
    view = _shown(session, scope)
    if view is None:
        return ""
    plan = runtime().pack.plan(view.plan)
    name = plan.name(lang) if plan else view.plan
    area = describe(incident_area(session, view, scope, now), lang, runtime().city.names(lang))
    return f"{translator(lang)['incident.title']} · {name} · {area}"
