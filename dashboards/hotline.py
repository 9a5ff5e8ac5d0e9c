"""/hotline — the 12345 hotline's work orders (analysts, leaders, operators): volume by hour and channel, answer rate
and pick-up time, on-time reply and close, 回访 satisfaction, top categories, hot topics, hot spots, departments
ranked worst first; every number drills to its orders in a server-side grid (reporter masked by role), exported
as CSV or Excel the same way; a row opens the work-order panel (dashboards/_hotline_panel.py).

The whole view is the URL query (`days`, `district`, `category`, `channel`, `drill`, `lang`): `layout(**query)`
draws it, so a shared URL restores it; a query the page cannot show as asked is corrected in the address.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, clientside_callback, ctx, dcc, html, no_update
from dash.dcc.express import send_bytes

from components.data_grid import dropdown_words
from components.graphs import analyst_graph
from components.hotline_order import ORDER_ACTIONS, RETURN, order_actions
from components.hotline_panels import DRILL, ORDERS_TABLE, PAGE_SIZE, orders_grid
from components.i18n import translator
from components.theme import PAGE_ATTRIBUTES, PAGE_STYLE
from dashboards import _hotline_panel as order_panel
from dashboards import _hotline_views as views
from dashboards import _supervision
from dashboards._auth import current_principal, register_for_page, require, user_bar
from dashboards._runtime import runtime
from dashboards._server_grid import block_request, reset_on_view
from dashboards._view_url import correct_url, search_of, view_location
from services import export, hotline
from services.access import Action

dash.register_page(__name__, path="/hotline", title="12345热线 OneScreen")
register_for_page(__name__, _supervision.register("hl-"))


def _labelled(label: str, control: Any, control_id: str) -> html.Div:
    return html.Div([dbc.Label(label, html_for=control_id, className="events-label"), control],
                    className="events-control")


def _section(title: str, body: Any, body_id: str, class_name: str) -> html.Section:
    return html.Section([html.H2(title, className="h6"), html.Div(body, id=body_id)], className=class_name)


def layout(**query: Any) -> html.Div:
    """The view the URL query names (see `_hotline_views.state_from` for the defaults)."""
    principal = current_principal()
    state = views.state_from(query, principal.scope)
    lang = state["lang"]
    text = translator(lang)
    names = views.Names(lang)
    shown = views.render(state, principal)
    words = dropdown_words(lang)
    options = {
        "district": [{"label": n, "value": c} for c, n in names.districts.items()
                     if principal.scope.allows_district(c)],
        "category": [{"label": n, "value": c} for c, n in names.categories.items()],
        "channel": [{"label": n, "value": c} for c, n in names.channels().items()],
    }
    filters = [_labelled(text["hl.days"], dbc.RadioItems(
        id="hl-days", value=state["days"], inline=True, className="events-radios",
        options=[{"label": text[f"hl.days.{d}"], "value": d} for d in views.DAYS]), "hl-days")]
    filters += [_labelled(text[f"hl.filter.{name}"], dcc.Dropdown(
        id=f"hl-f-{name}", options=options[name], value=list(views.listed(state, name)), multi=True, labels=words,
        placeholder=text[f"hl.filter.{name}"], className="events-dropdown"), f"hl-f-{name}")
        for name in views.LISTED]
    may_export = principal.may(Action.EXPORT)
    act_labels = {**{a: text[f"hl.act.{a}"] for a in (*ORDER_ACTIONS, "follow_up")},
                  **{k: text[f"hl.act.{k}"] for k in ("departments", "text", "reached", "satisfaction")}}
    departments = [{"label": n, "value": c} for c, n in names.departments.items()]
    panel = dbc.Offcanvas([
        html.Div(id="hl-order-body"),
        order_actions(act_labels, departments,
                      [{"label": names.word("satisfaction", v), "value": v} for v in hotline.SATISFACTIONS],
                      [{"label": text["hl.act.reached.yes"], "value": True},
                       {"label": text["hl.act.reached.no"], "value": False}],
                      may_act=principal.may(Action.EVENT_ACT), dropdown_words=words),
        *_supervision.section("hl-", lang, principal),
    ], id="hl-order", title=html.Span(text["hl.panel"], id="hl-order-title"), labelledby="hl-order-title",
        placement="end", is_open=False, scrollable=True, backdrop=False, class_name="event-detail-panel")
    return html.Div([
        html.Div([html.H1(text["hl.title"], className="h3 mb-0"), user_bar(lang)], className="page-head"),
        html.Div(filters, className="events-filters mb-2"),
        html.Div(shown["tiles"], id="hl-tiles", className="d-flex flex-wrap gap-2 mb-1"),
        html.P(text["hl.kpi.calls_note"], className="small text-body-secondary mb-2"),
        html.Div([html.Section(analyst_graph("hl-volume", shown["volume"], "340px", lang), className="col-lg-8"),
                  html.Section(analyst_graph("hl-categories", shown["categories"], "340px", lang),
                               className="col-lg-4")], className="row"),
        html.Div([_section(text["hl.topics"], html.P(text["hl.topics.loading"], className="text-body-secondary"),
                           "hl-topics", "col-lg-4"),
                  _section(text["hl.spots"], shown["spots"], "hl-spots", "col-lg-5"),
                  _section(text["hl.followup"], shown["verdicts"], "hl-verdicts", "col-lg-3")], className="row"),
        html.Section([html.H2(text["hl.departments"], className="h6"),
                      html.P(text["hl.departments.note"].format(min=hotline.MIN_RANKED),
                             className="small text-body-secondary"),
                      html.Div(shown["departments"], id="hl-departments", style={"overflowX": "auto"})]),
        html.Section([
            html.H2(text["hl.orders"], className="h6"),
            html.Div([html.Span(text["hl.drill.showing"]),
                      html.Span(views.drill_label(state, names), id="hl-drill-label", className="fw-bold me-3"),
                      dbc.Button(text["hl.drill.clear"], id="hl-drill-clear", color="info", outline=True, size="sm"),
                      dbc.Button(text["hl.export_csv"], id="hl-export-csv", color="info", size="sm",
                                 disabled=not may_export),
                      dbc.Button(text["hl.export_xlsx"], id="hl-export-xlsx", color="info", size="sm",
                                 disabled=not may_export)],
                     className="d-flex flex-wrap align-items-center gap-2 mb-2"),
            dcc.Download(id="hl-download"),
            orders_grid(views.column_titles(lang), lang=lang)]),
        panel,
        view_location("hl-url", state),
        dcc.Store(id="hl-state", data=state),
        dcc.Store(id="hl-filters", data=_filters(state)),
        dcc.Store(id="hl-rows-wanted"),
        dcc.Store(id="hl-selected"),
    ], className="hotline-page container-fluid py-3", lang=lang, style={**PAGE_STYLE, "height": "100vh",
                                                                          "overflowY": "auto"}, **PAGE_ATTRIBUTES)


correct_url("hl-url")

def _filters(state: dict[str, Any]) -> dict[str, Any]:
    """The part of a view the analytics depend on: all but the drill."""
    return {k: v for k, v in state.items() if k != "drill"}


@callback(
    Output("hl-url", "search"), Output("hl-state", "data"), Output("hl-drill-label", "children"),
    Output("hl-filters", "data"), Input("hl-days", "value"), *(Input(f"hl-f-{name}", "value") for name in views.LISTED),
    Input({"type": DRILL, "kind": ALL, "value": ALL}, "n_clicks"), Input("hl-volume", "clickData"),
    Input("hl-categories", "clickData"), Input("hl-drill-clear", "n_clicks"),
    State("hl-state", "data"), prevent_initial_call=True,
)
def update_view(days: str, district: list[str] | None, category: list[str] | None, channel: list[str] | None,
                _drills: Any, volume_click: Any, category_click: Any, _clear: Any, old: dict[str, Any]) -> Any:
    """A filter or a drill → the new state → the URL and the drill's words; a change of filters also → the
    analytics' store, which each piece follows in a callback of its own (`_piece_callback`), so no piece waits
    for another's query; the grid follows the state."""
    principal = current_principal()
    trigger = ctx.triggered_id
    drill = old["drill"]
    if isinstance(trigger, dict) and ctx.triggered[0]["value"]:
        drill = views.drill_key(trigger["kind"], trigger["value"])
    elif trigger == "hl-volume" and volume_click:
        hour, channel_code = volume_click["points"][0]["customdata"]
        drill = views.drill_key("hour", hour, channel_code)
    elif trigger == "hl-categories" and category_click:
        drill = views.drill_key("category", category_click["points"][0]["customdata"])
    elif trigger == "hl-drill-clear":
        drill = None
    wanted = {**old, "days": days, "district": ",".join(district or []), "category": ",".join(category or []),
              "channel": ",".join(channel or []), "drill": drill}
    state = views.state_from(wanted, principal.scope)
    if state == old:
        return no_update, no_update, no_update, no_update
    filters = _filters(state)
    return (search_of(state), state, views.drill_label(state, views.Names(state["lang"])),
            no_update if filters == _filters(old) else filters)


def _piece_callback(name: str, output: Output) -> None:
    """Redraw piece `name` when the view's filters change (a drill alone leaves it as it is); a piece the layout
    does not draw at once (`views.AT_ONCE`) is also drawn when the page has loaded."""

    @callback(output, Input("hl-filters", "data"), prevent_initial_call=name in views.AT_ONCE)
    def redraw(filters: dict[str, Any]) -> Any:
        return views.piece(name, filters, current_principal())

    redraw.__name__ = f"redraw_{name}"


_PIECE_OUTPUTS = {"tiles": Output("hl-tiles", "children"), "volume": Output("hl-volume", "figure"),
                  "categories": Output("hl-categories", "figure"), "topics": Output("hl-topics", "children"),
                  "spots": Output("hl-spots", "children"), "verdicts": Output("hl-verdicts", "children"),
                  "departments": Output("hl-departments", "children")}
for _name, _output in _PIECE_OUTPUTS.items():
    _piece_callback(_name, _output)


# The grid's request carries functions the websocket worker cannot clone: the browser hands on the plain part.
clientside_callback(
    """function(request) {
        if (!request) { return window.dash_clientside.no_update; }
        return {startRow: request.startRow, endRow: request.endRow, sortModel: request.sortModel, at: Date.now()};
    }""",
    Output("hl-rows-wanted", "data"), Input(ORDERS_TABLE, "getRowsRequest"), prevent_initial_call=True)


@callback(Output(ORDERS_TABLE, "getRowsResponse"), Input("hl-rows-wanted", "data"), State("hl-state", "data"),
          prevent_initial_call=True)
def orders(request: dict[str, Any] | None, state: dict[str, Any]) -> Any:
    """The block of drilled orders the grid asks for, sorted by the database, with the total."""
    principal = current_principal()
    if not request:
        return no_update
    start, limit, column, descending = block_request(request, PAGE_SIZE)
    with runtime().sessions() as session:
        shown = hotline.order_page(session=session, filters=views.filter_of(state), drill=views.drill_of(state),
                                   scope=principal.scope, offset=start, limit=limit, sort_by=column,
                                   descending=descending)
    return {"rowData": views.grid_records(shown.rows, views.Names(state["lang"]), principal), "rowCount": shown.total}


reset_on_view(ORDERS_TABLE, "hl-state")


@callback(Output("hl-download", "data"), Input("hl-export-csv", "n_clicks"), Input("hl-export-xlsx", "n_clicks"),
          State("hl-state", "data"), prevent_initial_call=True)
def download(_csv: Any, _xlsx: Any, state: dict[str, Any]) -> Any:
    """The drilled orders as CSV or Excel, masked as on the page, audited."""
    principal = require(Action.EXPORT)
    with runtime().sessions() as session:
        rows = hotline.order_rows(session=session, filters=views.filter_of(state), drill=views.drill_of(state),
                                  scope=principal.scope)
        export.record_export(session, actor=principal, what="hotline", detail=search_of(state))
        session.commit()
    names = views.Names(state["lang"])
    frame = views.export_frame(rows, names, principal)
    if ctx.triggered_id == "hl-export-xlsx":
        return send_bytes(export.to_xlsx(frame, names.text["hl.orders"]), "hotline-orders.xlsx")
    return send_bytes(export.to_csv(frame), "hotline-orders.csv")


@callback(Output("hl-selected", "data"), Input(ORDERS_TABLE, "cellClicked"), Input(ORDERS_TABLE, "selectedRows"),
          prevent_initial_call=True)
def select_order(clicked: dict[str, Any] | None, selected: list[dict[str, Any]] | None) -> Any:
    """A click on a row (or Space on the focused one) opens that order's panel."""
    current_principal()
    if "cellClicked" in ctx.triggered[0]["prop_id"]:
        return int(clicked["rowId"]) if clicked and clicked.get("rowId") is not None else no_update
    return int(selected[0]["id"]) if selected else no_update


@callback(Output("hl-order-body", "children"), Output("hl-order", "is_open"),
          Output("hl-act-message", "children"), Output("hl-act-message", "className"), Output("hl-sv-subject", "data"),
          Input("hl-selected", "data"), State("hl-state", "data"), prevent_initial_call=True)
def show_order(order_id: int | None, state: dict[str, Any]) -> Any:
    """The picked order's detail and life in the side panel (reporter masked by role), its 督办 below."""
    principal = current_principal()
    if order_id is None:
        return no_update, no_update, no_update, no_update, no_update
    rt = runtime()
    with rt.sessions() as session:
        body = order_panel.detail(session, int(order_id), principal=principal, names=views.Names(state["lang"]),
                                  zone=rt.settings.zone)
    return (body or [], body is not None, "", "mt-1",
            {"subject": "event", "id": str(order_id)} if body is not None else None)  # an order is its event


@callback(Output("hl-act-message", "children", allow_duplicate=True),
          Output("hl-act-message", "className", allow_duplicate=True),
          Output("hl-order-body", "children", allow_duplicate=True),
          Output("hl-act-departments", "value"), Output("hl-act-text", "value"),
          *(Input(f"hl-act-{action}", "n_clicks") for action in (*ORDER_ACTIONS, "follow_up")),
          Input({"type": RETURN, "dispatch": ALL}, "n_clicks"),
          State("hl-selected", "data"), State("hl-act-departments", "value"), State("hl-act-text", "value"),
          State("hl-act-reached", "value"), State("hl-act-satisfaction", "value"), State("hl-state", "data"),
          prevent_initial_call=True)
def act(*args: Any) -> Any:
    """One step of the order's life as the signed-in user; a refusal is shown in words, the panel redrawn (and the
    form emptied) after a step."""
    *_clicks, order_id, departments, words, reached, satisfaction, state = args
    trigger = ctx.triggered_id
    if not ctx.triggered or not ctx.triggered[0]["value"] or trigger is None:
        return (no_update,) * 5
    principal = require(Action.EVENT_ACT)
    rt = runtime()
    names = views.Names(state["lang"])
    text = names.text
    if order_id is None:
        return text["hl.act.pick"], "mt-1 text-warning", no_update, no_update, no_update
    action = trigger.removeprefix("hl-act-") if isinstance(trigger, str) else "return"
    target = None if isinstance(trigger, str) else int(trigger["dispatch"])
    command = order_panel.Command(action, int(order_id), tuple(departments or ()), words or "", bool(reached),
                                  satisfaction, target)
    with rt.sessions() as session:
        refused = order_panel.act(session, command, principal=principal, limits=rt.pack.hotline_limits)
        body = order_panel.detail(session, int(order_id), principal=principal, names=names, zone=rt.settings.zone)
    if refused is not None:
        return (f"{text['hl.act.refused']}: {order_panel.refusal_text(refused, names)}",
                "mt-1 text-danger hl-act-refused", no_update, no_update, no_update)
    return text["hl.act.done"], "mt-1 text-success hl-act-done", body or [], [], ""
