"""/events — the analyst's event map and linkage page: filters, map (districts → grid → one event), linkage
analytics, a server-side paged and sorted table, CSV / Excel export; and the operator's lifecycle actions on the
event in the detail panel (gated by `Action.EVENT_ACT`, carried out by services.events, audited).

The whole view is the URL query (status, category, district, department, start, end, view, colour, drill, lang):
`layout(**query)` draws it, so a shared URL restores it, and each change writes the query back through a
`dcc.Location` with `refresh=False`. An empty query opens the default view: every open event, city-wide.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update
from dash.dash_table.DataTable import DataTable
from dash.dcc.express import send_bytes

from components.event_panel import DISPATCH_ACTION, action_bar
from components.graphs import analyst_graph
from components.i18n import translator
from components.theme import BACKGROUND, FONT_FAMILY, TEXT
from dashboards import _event_views as views
from dashboards._auth import current_principal, require, user_bar
from dashboards._runtime import runtime
from services import events, export
from services.access import Action
from services.events import STATUSES, EventFilter

dash.register_page(__name__, path="/events", title="事件地图 OneScreen")

FILTERS = ("status", "category", "district", "department")
PAGE_SIZE = 25
_DARK = {"color": "#111", "minWidth": "180px"}


def _state(query: dict[str, Any]) -> dict[str, Any]:
    """A complete view from a query: lists split, unknown view / colour / drill fall back to the defaults."""
    lang = "en" if query.get("lang") == "en" else "zh-CN"
    if not set(query) - {"lang"}:
        query = {"status": "open"}
    listed = {name: [v for v in str(query.get(name) or "").split(",") if v] for name in FILTERS}
    drill = query.get("drill") if query.get("drill") in runtime().city.adcodes else None
    return {**listed, "start": query.get("start") or None, "end": query.get("end") or None,
            "view": query.get("view") if query.get("view") in views.VIEWS else "districts",
            "colour": "severity" if query.get("colour") == "severity" else "status", "drill": drill, "lang": lang}


def _filter(state: dict[str, Any], *, drilled: bool = True) -> EventFilter:
    """The state's filter (narrowed to the drilled district for the table and linkage); ValueError names a field."""
    values = {**state, "district": [state["drill"]] if drilled and state["drill"] else state["district"]}
    return views.filter_from(values, runtime().settings.zone)


def _departments(lang: str) -> dict[str, str]:
    with runtime().sessions() as session:
        return events.department_names(session=session, lang=lang)


def _categories(lang: str) -> dict[str, str]:
    return events.category_names(runtime().pack, lang)


def _map(state: dict[str, Any]) -> Any:
    rt = runtime()
    with rt.sessions() as session:
        return views.map_figure(session, rt.city, _filter(state, drilled=False), scope=current_principal().scope,
                                view=state["view"], colour_by=state["colour"], drill=state["drill"],
                                lang=state["lang"])


def layout(**query: Any) -> html.Div:
    """The view the URL query names; a bad filter value is reported on the page and the default view is shown."""
    may_export = current_principal().may(Action.EXPORT)
    state = _state(query)
    text = translator(state["lang"])
    problem = None
    try:
        _filter(state)
    except ValueError as exc:
        problem, state = f"{text['events.bad_filter']}: {exc}", _state({"lang": state["lang"]})
    rt = runtime()
    lang = state["lang"]
    names = rt.city.names(lang)
    dropdowns = {
        "status": [{"label": text["events.filter.open"], "value": "open"}, *views.options(STATUSES, lang, "status")],
        "category": [{"label": n, "value": c} for c, n in _categories(lang).items()],
        "district": [{"label": n, "value": c} for c, n in names.items()],
        "department": [{"label": n, "value": c} for c, n in _departments(lang).items()],
    }
    controls = [dcc.Dropdown(id=f"events-f-{name}", options=dropdowns[name], value=state[name], multi=True,
                             placeholder=text[f"events.filter.{name}"], style=_DARK) for name in FILTERS]
    columns: list[DataTable.Columns] = [{"name": text[f"events.col.{c}"], "id": c} for c in events.TABLE_COLUMNS]
    stats_columns: list[DataTable.Columns] = [{"name": text[key], "id": col} for col, key in (
        ("rank", "events.rank"), ("department", "events.department"), ("dispatches", "events.dispatches"),
        ("accept_p50", "events.stage.accept"), ("arrive_p50", "events.stage.arrive"),
        ("finish_p50", "events.p50"), ("finish_p90", "events.p90"), ("open", "events.open"),
        ("overdue", "events.overdue"))]
    # The tables name their font: dash_table's own cell style would fall back to a system face, which on a kiosk
    # without CJK fonts draws Chinese as boxes.
    header_style = {"backgroundColor": "#0b1a30", "color": TEXT, "fontWeight": "bold", "fontFamily": FONT_FAMILY}
    cell_style = {"backgroundColor": BACKGROUND, "color": TEXT, "border": "1px solid #1d3556", "fontFamily": FONT_FAMILY}
    return html.Div([
        html.Div([html.H1(text["events.title"], className="h3 mb-0"), user_bar(lang)], className="page-head"),
        html.Div(problem, id="events-problem", className="alert alert-warning" if problem else "d-none"),
        html.Div([*controls,
                  dcc.DatePickerRange(id="events-f-time", start_date=state["start"], end_date=state["end"],
                                      clearable=True, display_format="YYYY-MM-DD"),
                  dcc.RadioItems(id="events-view", value=state["view"], inline=True,
                                 options=[{"label": text[f"events.view.{v}"], "value": v} for v in views.VIEWS]),
                  dcc.RadioItems(id="events-colour", value=state["colour"], inline=True,
                                 options=[{"label": text[f"events.colour.{c}"], "value": c}
                                          for c in ("status", "severity")])],
                 className="d-flex flex-wrap align-items-center gap-2 mb-2"),
        html.Div([html.Span(names.get(state["drill"] or "", text["events.city"]), id="events-crumb",
                            className="h5 me-3"),
                  html.Button(text["events.back"], id="events-back", className="btn btn-outline-info btn-sm")]),
        html.Div([
            html.Div([analyst_graph("events-map", _map(state), "560px"),
                  html.Div(id="events-map-note", className="small text-info")], className="col-lg-8"),
            html.Aside([html.H2(text["events.detail"], className="h6"), html.Div(id="event-detail-body"),
                        action_bar({a: text[f"events.act.{a}"] for a in events.ACTIONS}, dropdowns["department"],
                                   comment_hint=text["events.act.comment"],
                                   departments_hint=text["events.act.departments"],
                                   visible=current_principal().may(Action.EVENT_ACT)),
                        html.H2(text["events.timeline"], className="h6"),
                        dcc.Graph(id="event-timeline", config={"displayModeBar": False})],
                       id="event-detail", className="col-lg-4 d-none"),
        ], className="row"),
        html.Section([html.H2(text["events.linkage"], className="h5"), html.Div(id="linkage-share"),
                      DataTable(id="linkage-table", columns=stats_columns, page_size=12, style_header=header_style, style_cell=cell_style),
                      html.Div([dcc.Graph(id="linkage-bars", className="col-lg-6"),
                                dcc.Graph(id="linkage-trend", className="col-lg-6")], className="row")]),
        html.Section([html.H2(text["events.table"], className="h5"),
                      html.Button(text["events.export_csv"], id="events-export-csv", className="btn btn-info btn-sm",
                                  disabled=not may_export),
                      html.Button(text["events.export_xlsx"], id="events-export-xlsx",
                                  className="btn btn-info btn-sm ms-2", disabled=not may_export),
                      dcc.Download(id="events-download"),
                      DataTable(id="events-table", columns=columns, page_current=0, page_size=PAGE_SIZE,
                                           page_action="custom", sort_action="custom", sort_mode="single",
                                           sort_by=[{"column_id": "reported_at", "direction": "desc"}],
                                           style_header=header_style, style_cell=cell_style)]),
        dcc.Location(id="events-url", refresh=False),
        dcc.Store(id="events-state", data=state),
        dcc.Store(id="events-selected"),
    ], className="events-page container-fluid py-3", lang=lang,
        style={"background": BACKGROUND, "color": TEXT, "height": "100vh", "overflowY": "auto"})


@callback(
    Output("events-url", "search"), Output("events-state", "data"), Output("events-map", "figure"),
    Output("events-crumb", "children"), Output("events-selected", "data"),
    *(Input(f"events-f-{name}", "value") for name in FILTERS),
    Input("events-f-time", "start_date"), Input("events-f-time", "end_date"), Input("events-view", "value"),
    Input("events-colour", "value"), Input("events-map", "clickData"), Input("events-back", "n_clicks"),
    State("events-state", "data"), prevent_initial_call=True,
)
def update_map(status: list[str], category: list[str], district: list[str], department: list[str],
               start: str | None, end: str | None, view: str, colour: str, click: Any, _back: Any,
               old: dict[str, Any]) -> Any:
    """Controls → state → URL and map; a click on a district drills into its grid, a click on an event selects it."""
    current_principal()
    point = (click or {}).get("points", [{}])[0] if ctx.triggered_id == "events-map" else {}
    if "customdata" in point and not isinstance(point["customdata"], list):
        return no_update, no_update, no_update, no_update, int(point["customdata"])
    drill = old["drill"]
    if point.get("location") in runtime().city.adcodes:
        drill = point["location"]
    elif ctx.triggered_id == "events-back":
        drill = None
    state = {**old, "status": status or [], "category": category or [], "district": district or [],
             "department": department or [], "start": start, "end": end, "view": view, "colour": colour,
             "drill": drill}
    if state == old:
        return (no_update,) * 5
    query = {k: v for k, v in state.items() if k != "lang" or v == "en"}
    crumb = runtime().city.names(state["lang"]).get(drill or "", translator(state["lang"])["events.city"])
    return "?" + views.query_string(query), state, _map(state), crumb, no_update


@callback(Output("events-map-note", "children"), Input("events-state", "data"))
def map_note(state: dict[str, Any]) -> str:
    """"Showing the newest N of M" under a capped point map, counted apart from the map's own callback."""
    rt = runtime()
    with rt.sessions() as session:
        return views.map_note(session, _filter(state, drilled=False), scope=current_principal().scope,
                              view=state["view"], drill=state["drill"], lang=state["lang"])


@callback(Output("events-selected", "data", allow_duplicate=True), Input("events-table", "active_cell"),
          State("events-table", "data"), prevent_initial_call=True)
def select_row(cell: dict[str, Any] | None, rows: list[dict[str, Any]]) -> Any:
    """A click on a table row opens that event's detail panel."""
    current_principal()
    if not cell or not rows or cell["row"] >= len(rows):
        return no_update
    return int(rows[cell["row"]]["id"])


@callback(Output("event-detail-body", "children"), Output("event-timeline", "figure"),
          Output("event-detail", "className"), Input("events-selected", "data"), State("events-state", "data"),
          prevent_initial_call=True)
def show_detail(event_id: int | None, state: dict[str, Any]) -> Any:
    """The picked event's fields, SLA card, history and per-department timeline (contact masked by role)."""
    principal = current_principal()
    if event_id is None:
        return no_update, no_update, no_update
    rt = runtime()
    with rt.sessions() as session:
        shown = views.detail_view(session, int(event_id), principal=principal, lang=state["lang"],
                                  zone=rt.settings.zone, department_names=_departments(state["lang"]),
                                  category_names=_categories(state["lang"]))
    if shown is None:
        return [], {}, "col-lg-4 d-none"
    return shown[0], shown[1], "col-lg-4 event-detail"


@callback(Output("event-act-message", "children"), Output("event-act-message", "className"),
          Output("event-detail-body", "children", allow_duplicate=True),
          Output("event-timeline", "figure", allow_duplicate=True),
          *(Input(f"event-act-{action}", "n_clicks") for action in events.ACTIONS),
          Input({"type": DISPATCH_ACTION, "dispatch": ALL, "stage": ALL}, "n_clicks"),
          State("events-selected", "data"), State("event-act-departments", "value"),
          State("event-act-comment", "value"), State("events-state", "data"), prevent_initial_call=True)
def act(*args: Any) -> Any:
    """One lifecycle action on the open event (or one department's stage), as the signed-in operator; a refusal
    is shown with its reason, and the panel is redrawn after a move."""
    *_clicks, event_id, departments, comment, state = args
    trigger = ctx.triggered_id
    if not ctx.triggered or not ctx.triggered[0]["value"] or trigger is None:
        return (no_update,) * 4
    text = translator(state["lang"])
    if event_id is None:
        return text["events.act.pick"], "mt-1 text-warning", no_update, no_update
    principal = require(Action.EVENT_ACT)
    rt = runtime()
    names = _departments(state["lang"])
    if isinstance(trigger, str):
        command = events.EventCommand(int(event_id), trigger.removeprefix("event-act-"), comment=comment,
                                      departments=tuple(departments or ()))
    else:
        command = events.EventCommand(int(event_id), trigger["stage"], dispatch_id=int(trigger["dispatch"]))
    with rt.sessions() as session:
        refused = views.act(session, principal, command)
        if refused is not None:
            reason = views.refusal_text(refused, state["lang"], names)
            return f"{text['events.act.refused']}: {reason}", "mt-1 text-danger event-act-refused", no_update, \
                no_update
        shown = views.detail_view(session, int(event_id), principal=principal, lang=state["lang"],
                                  zone=rt.settings.zone, department_names=names,
                                  category_names=_categories(state["lang"]))
    if shown is None:
        return text["events.act.done"], "mt-1 text-success event-act-done", [], {}
    return text["events.act.done"], "mt-1 text-success event-act-done", shown[0], shown[1]


@callback(Output("events-table", "data"), Output("events-table", "page_count"), Input("events-state", "data"),
          Input("events-table", "page_current"), Input("events-table", "sort_by"))
def table(state: dict[str, Any], page: int | None, sort_by: list[dict[str, str]] | None) -> Any:
    """One page of matching events, sorted by the database (never the whole set in the browser)."""
    principal = current_principal()
    order = (sort_by or [{"column_id": "reported_at", "direction": "desc"}])[0]
    rt = runtime()
    with rt.sessions() as session:
        shown = events.table_page(session=session, filters=_filter(state), scope=principal.scope,
                                  offset=(page or 0) * PAGE_SIZE, limit=PAGE_SIZE, sort_by=order["column_id"],
                                  descending=order["direction"] == "desc")
    return (views.table_records(shown.rows, state["lang"], rt.settings.zone, _categories(state["lang"])),
            max(1, -(-shown.total // PAGE_SIZE)))


@callback(Output("linkage-share", "children"), Output("linkage-table", "data"), Output("linkage-bars", "figure"),
          Output("linkage-trend", "figure"), Input("events-state", "data"))
def linkage_panel(state: dict[str, Any]) -> Any:
    """Per-department dispatch times (median, p90), open and overdue work, bottleneck rank, multi-department share."""
    principal = current_principal()
    rt = runtime()
    with rt.sessions() as session:
        return views.linkage_view(session, _filter(state), scope=principal.scope, lang=state["lang"],
                                  zone=rt.settings.zone, department_names=_departments(state["lang"]))


@callback(Output("events-download", "data"), Input("events-export-csv", "n_clicks"),
          Input("events-export-xlsx", "n_clicks"), State("events-state", "data"), prevent_initial_call=True)
def download(_csv: Any, _xlsx: Any, state: dict[str, Any]) -> Any:
    """The matching events as CSV or Excel (the table's columns, no personal data), audited."""
    principal = require(Action.EXPORT)
    rt = runtime()
    with rt.sessions() as session:
        rows = events.export_rows(session=session, filters=_filter(state), scope=principal.scope)
        export.record_export(session, actor=principal, what="events", detail=views.query_string(state))
        session.commit()
    frame = views.export_frame(rows, state["lang"], rt.settings.zone, _categories(state["lang"]))
    if ctx.triggered_id == "events-export-xlsx":
        return send_bytes(export.to_xlsx(frame, translator(state["lang"])["events.table"]), "events.xlsx")
    return send_bytes(export.to_csv(frame), "events.csv")
