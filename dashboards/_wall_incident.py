"""The wall's incident mode (issue 22): while a response at or above the configured level (`incident_level`,
default III 较大) is active in the wall's scope, the incident covers the screen's panels; at stand-down the wall is
back to its overview. An operator at the wall may leave incident mode (the overview while the response goes on) or
bring a response below the level onto the wall; the choice lasts until the page reloads.

The switch is pushed: a response activated, moved, ticked or stood down, or a department's progress, is a commit
that writes `responses`, `response_checks` or `event_dispatches`, which the runtime announces on the alerts' status
stream (services/platform/announce.py); the wall's push loop hears it (dashboards/_wall_ticker.py) and nudges
`incident-refresh`, so the section is drawn again within about a second. Its timer is the fallback and moves the
time left on.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update

from components.i18n import translator
from components.incident_map import incident_map
from components.incident_panel import incident_section, incident_view, return_chip
from dashboards._auth import current_principal
from dashboards._incident_areas import describe, incident_area
from dashboards._present import local_time
from dashboards._runtime import runtime
from services import alerts, areas, events, indicators, plans
from services.access import Scope

CADENCE_S = 30  # the time left moves on; every change is pushed
TABLES = ("responses", "response_checks", "event_dispatches")  # the writes that may change what the section shows
ALERTS_SHOWN = 6
ALERT_HOURS = 24


def _choice_id(action: str, response: int) -> dict[str, Any]:
    return {"type": "incident-choice", "action": action, "response": response}


def _minutes(delta: timedelta) -> int:
    return max(0, int(delta.total_seconds() // 60))


def _tasks(view: plans.ResponseView, lang: str, now: datetime, text: Mapping[str, str],
           names: Mapping[str, str]) -> list[dict[str, Any]]:
    rows = []
    for task in view.tasks:
        late = task.status != "finished" and task.due_at <= now
        left = (text["plans.dispatch.finished"] if task.status == "finished" else
                text["incident.late"].format(minutes=_minutes(now - task.due_at)) if late else
                text["incident.left"].format(minutes=_minutes(task.due_at - now)))
        rows.append({"department": task.department, "name": names.get(task.department, task.department),
                     "role": task.role, "status": task.status, "task": task.task_zh if lang == "zh-CN" else task.task_en,
                     "left": left, "late": late})
    return rows


def _indicators(session: Any, codes: tuple[str, ...], district: str | None, scope: Scope,
                lang: str) -> list[dict[str, Any]]:
    """The plan's indicators in the incident's district (the city's when it names none), those the store knows."""
    cards = {card.code: card for card in indicators.kpi_strip(session=session, district=district, scope=scope)}
    return [{"code": code, "name": card.name_zh if lang == "zh-CN" else card.name_en, "unit": card.unit,
             "value": "—" if card.value is None else f"{card.value:g}", "status": card.status}
            for code in codes if (card := cards.get(code)) is not None]


def _alerts(session: Any, touched: list[str], scope: Scope, now: datetime) -> list[dict[str, Any]]:
    """The latest alerts of the districts the area touches (those of the wall's scope): the alert stream, filtered
    to the area."""
    shown = Scope.of([code for code in touched if scope.allows_district(code)])
    if not shown.districts:
        return []
    page = alerts.list_alerts(session, alerts.AlertFilter(since=now - timedelta(hours=ALERT_HOURS)),
                              page_size=ALERTS_SHOWN, scope=shown)
    zone = runtime().settings.zone
    return [{"time": local_time(row.sent_at, zone, "%H:%M"), "severity": row.severity, "headline": row.headline}
            for row in page.rows]


def _incident(session: Any, view: plans.ResponseView, lang: str, scope: Scope, scale: float) -> list[Any]:
    rt = runtime()
    text, now, city = translator(lang), datetime.now(UTC), rt.city
    area = incident_area(session, view, scope, now)
    plan = rt.pack.plan(view.plan)
    names = events.department_names(session=session, lang=lang)
    data = {
        "name": plan.name(lang) if plan else view.plan, "level": view.level,
        "area": describe(area, lang, city.names(lang)), "tasks": _tasks(view, lang, now, text, names),
        "checks_done": sum(1 for check in view.checks if check.checked_at is not None),
        "checks_total": len(view.checks),
        "indicators": _indicators(session, plan.indicators if plan else (), view.district, scope, lang),
        "alerts": _alerts(session, area.touched, scope, now),
    }
    figure = incident_map(city.geojson, area.touched, areas.as_feature(area.shape) if area.shape is not None else None,
                          list(zip(area.inside["lon"], area.inside["lat"], strict=True)), scale)
    return incident_view(data, figure, text, _choice_id("leave", view.id))


def incident_slot(lang: str, choice: Mapping[str, Any] | None = None, scale: float = 1.0) -> html.Section:
    """The section as it stands for this wall's scope and the operator's `choice` ({"left": id} or {"shown": id})."""
    principal = current_principal()
    rt = runtime()
    choice = choice or {}
    with rt.sessions() as session:
        serious = plans.active_response(session, rt.settings.incident_level, scope=principal.scope)
        latest = plans.active_response(session, "IV", scope=principal.scope)
        if serious is not None and choice.get("left") != serious.id:
            shown = serious
        elif latest is not None and choice.get("shown") == latest.id:
            shown = latest
        else:
            shown = None
        if shown is not None:
            children = _incident(session, shown, lang, principal.scope, scale)
            return incident_section("incident", children, response=str(shown.id), level=shown.level)
    if latest is not None:
        chip = return_chip(translator(lang), _choice_id("show", latest.id))
        return incident_section("left", chip, response=str(latest.id), level=latest.level)
    return incident_section("overview", [])


def incident_components(lang: str, scale: float) -> list[Any]:
    """The slot, the operator's choice and the fallback timer, as the page first shows them."""
    return [html.Div(incident_slot(lang, None, scale), id="wall-incident-slot"),
            dcc.Store(id="incident-choice", data={}),
            dcc.Interval(id="incident-refresh", interval=CADENCE_S * 1000),
            dcc.Store(id="incident-scale", data=scale),
            dcc.Store(id="incident-drawn")]  # what the slot draws now: drawn again only when that changes


def refresh(_tick: int | None, choice: dict[str, Any] | None, lang: str, scale: float | None,
            drawn: str | None) -> tuple[Any, Any]:
    """Draw the section again; only when what it shows changed (a timer's look keeps the map still)."""
    section = incident_slot(lang, choice, scale or 1.0)
    digest = json.dumps(section.to_plotly_json(), sort_keys=True, default=str)
    return (no_update, no_update) if digest == drawn else (section, digest)


def choose(_clicks: list[int | None]) -> Any:
    """Leave incident mode for the response shown, or show the active one."""
    if not ctx.triggered or not ctx.triggered[0]["value"]:
        return no_update
    trigger = dict(ctx.triggered_id)
    return {"left" if trigger["action"] == "leave" else "shown": trigger["response"]}


def register_callbacks() -> None:
    """Wire the section's refresh and the operator's choice (see dashboards._auth.register_for_page)."""
    callback(Output("wall-incident-slot", "children"), Output("incident-drawn", "data"),
             Input("incident-refresh", "n_intervals"), Input("incident-choice", "data"), State("wall-lang", "data"),
             State("incident-scale", "data"), State("incident-drawn", "data"), prevent_initial_call=True)(refresh)
    callback(Output("incident-choice", "data"),
             Input({"type": "incident-choice", "action": ALL, "response": ALL}, "n_clicks"),
             prevent_initial_call=True)(choose)
