"""/events — the analyst's event map and linkage page: filters, map (districts → grid → one event), linkage
analytics, a server-side paged and sorted table, CSV / Excel export; and the operator's lifecycle actions on the
event in the detail panel (gated by `Action.EVENT_ACT`, carried out by services.events, audited).

The whole view is the URL query (status, category, district, department, start, end, view, colour, drill, lang):
`layout(**query)` draws it, so a shared URL restores it, and each change writes the query back through a
`dcc.Location` with `refresh=False`. An empty query opens the default view: every open event, city-wide.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, clientside_callback, ctx, dcc, html, no_update
from dash.dcc.express import send_bytes

from components.data_grid import dropdown_words
from components.event_panel import DISPATCH_ACTION, action_bar
from components.event_tables import PAGE_SIZE, events_grid, linkage_grid
from components.graphs import analyst_graph
from components.i18n import translator
from components.theme import PAGE_STYLE
from dashboards import _event_views as views
from dashboards import _supervision
from dashboards._auth import current_principal, register_for_page, require, user_bar
from dashboards._incident_areas import events_note, over_events_map
from dashboards._runtime import runtime
from dashboards._server_grid import block_request, reset_on_view
from services import events, export
from services.access import Action
from services.events import STATUSES, EventFilter

dash.register_page(__name__, path="/events", title="事件地图 OneScreen")
register_for_page(__name__, _supervision.register("events-"))

FILTERS = ("status", "category", "district", "department")


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
    """The view's map with the active response's area over it (dashboards/_incident_areas.py)."""
    rt = runtime()
    scope = current_principal().scope
    with rt.sessions() as session:
        figure = views.map_figure(session, rt.city, _filter(state, drilled=False), scope=scope,
                                  view=state["view"], colour_by=state["colour"], drill=state["drill"],
                                  lang=state["lang"])
        return over_events_map(session, figure, scope, datetime.now(UTC))


def _names(lang: str) -> views.Names:
    return views.Names(lang, _categories(lang), runtime().city.names(lang))


def _labelled(label: str, control: Any, control_id: str) -> html.Div:
    """A control with its visible label (`<label for>`: the accessible name as well)."""
    return html.Div([dbc.Label(label, html_for=control_id, className="events-label"), control],
                    className="events-control")


def _choices(control_id: str, label: str, options: list[dict[str, str]], value: str) -> html.Fieldset:
    """A radio group under a visible legend (a fieldset: the group's accessible name)."""
    return html.Fieldset([html.Legend(label, className="events-label"),
                          dbc.RadioItems(id=control_id, options=options, value=value, inline=True,
                                         className="events-radios")], className="events-control")


def layout(**query: Any) -> html.Div:
    """The view the URL query names; a bad filter value is reported on the page and the default view is shown."""
    may_export = current_principal().may(Action.EXPORT)
    picked = str(query.pop("event", ""))  # ?event=<id>: open with that event's panel (a 督办 row links here)
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
    words = dropdown_words(lang)
    controls = [_labelled(text[f"events.filter.{name}"], dcc.Dropdown(
        id=f"events-f-{name}", options=dropdowns[name], value=state[name], multi=True, labels=words,
        placeholder=text[f"events.filter.{name}"], className="events-dropdown"), f"events-f-{name}")
        for name in FILTERS]
    dates = html.Div([dbc.Label(text["events.filter.time"], html_for="events-f-time-start", className="events-label"),
                      dcc.DatePickerRange(id="events-f-time", start_date=state["start"], end_date=state["end"],
                                          clearable=True, display_format="YYYY-MM-DD",
                                          start_date_id="events-f-time-start", end_date_id="events-f-time-end",
                                          start_date_placeholder_text=text["events.filter.start"],
                                          end_date_placeholder_text=text["events.filter.end"],
                                          month_format=text["events.month_format"], first_day_of_week=1,
                                          className="events-dates")], className="events-control")
    view = _choices("events-view", text["events.filter.view"],
                    [{"label": text[f"events.view.{v}"], "value": v} for v in views.VIEWS], state["view"])
    colour = _choices("events-colour", text["events.filter.colour"],
                      [{"label": text[f"events.colour.{c}"], "value": c} for c in ("status", "severity")],
                      state["colour"])
    stats_titles = {col: text[key] for col, key in (
        ("rank", "events.rank"), ("department", "events.department"), ("dispatches", "events.dispatches"),
        ("accept_p50", "events.stage.accept"), ("arrive_p50", "events.stage.arrive"),
        ("finish_p50", "events.p50"), ("finish_p90", "events.p90"), ("open", "events.open"),
        ("overdue", "events.overdue"))}
    detail = dbc.Offcanvas([
        html.Div(id="event-detail-body"),
        action_bar({a: text[f"events.act.{a}"] for a in events.ACTIONS}, dropdowns["department"],
                   comment_hint=text["events.act.comment"], departments_hint=text["events.act.departments"],
                   visible=current_principal().may(Action.EVENT_ACT), dropdown_words=words),
        *_supervision.section("events-", lang, current_principal()),
        html.H3(text["events.timeline"], className="h6 mt-2"),
        dcc.Graph(id="event-timeline", config={"displayModeBar": False}),
    ], id="event-detail", title=html.Span(text["events.detail"], id="event-detail-title"),
        labelledby="event-detail-title", placement="end", is_open=False, scrollable=True, backdrop=False,
        class_name="event-detail-panel")
    return html.Div([
        html.Div([html.H1(text["events.title"], className="h3 mb-0"), user_bar(lang)], className="page-head"),
        html.Div(problem, id="events-problem", className="alert alert-warning" if problem else "d-none"),
        html.Div([*controls, dates, view, colour], className="events-filters mb-2"),
        html.Div([html.Span(names.get(state["drill"] or "", text["events.city"]), id="events-crumb",
                            className="h5 me-3"),
                  dbc.Button(text["events.back"], id="events-back", color="info", outline=True, size="sm")]),
        analyst_graph("events-map", _map(state), "560px", lang),
        html.Div(id="events-map-note", className="small events-note"),
        html.Div(id="events-incident", className="small events-note"),  # the active response's area
        html.Section([html.H2(text["events.linkage"], className="h5"), html.Div(id="linkage-share"),
                      linkage_grid(stats_titles, [], lang=lang),
                      html.Div([dcc.Graph(id="linkage-bars", className="col-lg-6", config={"locale": lang}),
                                dcc.Graph(id="linkage-trend", className="col-lg-6", config={"locale": lang})],
                               className="row")]),
        html.Section([html.H2(text["events.table"], className="h5"),
                      html.Div([dbc.Button(text["events.export_csv"], id="events-export-csv", color="info", size="sm",
                                           disabled=not may_export),
                                dbc.Button(text["events.export_xlsx"], id="events-export-xlsx", color="info",
                                           size="sm", className="ms-2", disabled=not may_export)], className="mb-2"),
                      dcc.Download(id="events-download"),
                      events_grid({c: text[f"events.col.{c}"] for c in events.TABLE_COLUMNS}, lang=lang,
                                  marked=text["sv.badge"])]),
        detail,
        dcc.Location(id="events-url", refresh=False),
        dcc.Store(id="events-state", data=state),
        dcc.Store(id="events-selected", data=int(picked) if picked.isdigit() else None),
        dcc.Store(id="events-rows-wanted"),
    ], className="events-page container-fluid py-3", lang=lang, style={**PAGE_STYLE, "height": "100vh",
                                                                          "overflowY": "auto"})


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


@callback(Output("events-incident", "children"), Input("events-state", "data"))
def incident_note(state: dict[str, Any]) -> str:
    """The active response drawn on the map: its plan, the districts its area touches, the open events inside."""
    with runtime().sessions() as session:
        return events_note(session, current_principal().scope, state["lang"], datetime.now(UTC))


@callback(Output("events-selected", "data", allow_duplicate=True), Input("events-table", "cellClicked"),
          Input("events-table", "selectedRows"), prevent_initial_call=True)
def select_row(clicked: dict[str, Any] | None, selected: list[dict[str, Any]] | None) -> Any:
    """A click on a row, or Space on the focused row, opens that event's detail panel (a click on the row already
    selected opens it again)."""
    current_principal()
    if ctx.triggered_id == "events-table" and "cellClicked" in ctx.triggered[0]["prop_id"]:
        return int(clicked["rowId"]) if clicked and clicked.get("rowId") is not None else no_update
    return int(selected[0]["id"]) if selected else no_update


@callback(Output("event-detail-body", "children"), Output("event-timeline", "figure"),
          Output("event-detail", "is_open"), Output("events-sv-subject", "data"), Input("events-selected", "data"),
          State("events-state", "data"))
def show_detail(event_id: int | None, state: dict[str, Any]) -> Any:
    """The picked event's fields, SLA card, history and per-department timeline (contact masked by role), in the
    side panel, which opens over the page where the user is (at once when the address picks one)."""
    principal = current_principal()
    if event_id is None:
        return no_update, no_update, no_update, no_update
    rt = runtime()
    with rt.sessions() as session:
        shown = views.detail_view(session, int(event_id), principal=principal, names=_names(state["lang"]),
                                  zone=rt.settings.zone, department_names=_departments(state["lang"]))
    if shown is None:
        return [], {}, False, None
    return shown[0], shown[1], True, {"subject": "event", "id": str(event_id)}


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
        shown = views.detail_view(session, int(event_id), principal=principal, names=_names(state["lang"]),
                                  zone=rt.settings.zone, department_names=names)
    if shown is None:
        return text["events.act.done"], "mt-1 text-success event-act-done", [], {}
    return text["events.act.done"], "mt-1 text-success event-act-done", shown[0], shown[1]


# The grid's request carries its success / fail functions, which the websocket worker cannot clone: the browser
# hands on the plain part (rows wanted, sort, and a stamp so that asking twice for the same block asks again).
clientside_callback(
    """function(request) {
        if (!request) { return window.dash_clientside.no_update; }
        return {startRow: request.startRow, endRow: request.endRow, sortModel: request.sortModel, at: Date.now()};
    }""",
    Output("events-rows-wanted", "data"), Input("events-table", "getRowsRequest"), prevent_initial_call=True)


@callback(Output("events-table", "getRowsResponse"), Input("events-rows-wanted", "data"),
          State("events-state", "data"), prevent_initial_call=True)
def table(request: dict[str, Any] | None, state: dict[str, Any]) -> Any:
    """The block of matching events the grid asks for, sorted by the database (never the whole set in the
    browser), with the total so the grid can page."""
    principal = current_principal()
    if not request:
        return no_update
    start, limit, column, descending = block_request(request, PAGE_SIZE)
    rt = runtime()
    with rt.sessions() as session:
        shown = events.table_page(session=session, filters=_filter(state), scope=principal.scope, offset=start,
                                  limit=limit, sort_by=column, descending=descending)
    records = views.table_records(shown.rows, _names(state["lang"]), rt.settings.zone)
    marked = _supervision.marks("event", [record["id"] for record in records])
    return {"rowData": [{**record, "supervised": marked.get(str(record["id"]), 0)} for record in records],
            "rowCount": shown.total}


reset_on_view("events-table", "events-state")


@callback(Output("linkage-share", "children"), Output("linkage-table", "rowData"), Output("linkage-bars", "figure"),
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
    frame = views.export_frame(rows, _names(state["lang"]), rt.settings.zone)
    if ctx.triggered_id == "events-export-xlsx":
        return send_bytes(export.to_xlsx(frame, translator(state["lang"])["events.table"]), "events.xlsx")
    return send_bytes(export.to_csv(frame), "events.csv")
