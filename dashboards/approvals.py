"""/approvals — government-service (一网通办) performance: throughput updated in place, departments ranked by
on-time rate, drill department → matter → application list, overdue cards, reformers' findings, export.

The whole view is the URL query (`days`, `department`, `matter`, `lang`): `layout(**query)` draws it, so a shared or
reloaded URL restores it, and every drill writes the query back through a `dcc.Location` with `refresh=False`; a
query the page cannot show as asked is corrected in the address (dashboards/_view_url.py).
The throughput figure is drawn once per view; a slow interval then patches only the hours since the last one.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update
from dash.dcc.express import send_bytes

from components.graphs import analyst_graph
from components.html_attrs import data_attributes
from components.i18n import translator
from components.theme import PAGE_ATTRIBUTES, PAGE_STYLE
from dashboards import _approval_divide, _supervision
from dashboards import _approval_views as views
from dashboards._auth import current_principal, register_for_page, user_bar
from dashboards._runtime import runtime
from dashboards._view_url import correct_url, search_of, view_location
from services import export

dash.register_page(__name__, path="/approvals", title="政务服务 OneScreen")
register_for_page(__name__, _approval_divide.register_callbacks)
register_for_page(__name__, _supervision.register("apv-"))

REFRESH_MS = 60_000
_DAYS_GROUP: dict[str, Any] = {"role": "radiogroup", "aria-labelledby": "apv-days-label"}


def layout(**query: Any) -> html.Div:
    """The view the URL query names (see `_approval_views.state_from` for the defaults)."""
    principal = current_principal()
    state = views.state_from(query, principal.scope)
    lang = state["lang"]
    text = translator(lang)
    shown = views.render(state, principal)
    return html.Div(
        [
            html.Div([html.H1(text["apv.title"], className="h3 mb-0"), user_bar(lang)], className="page-head"),
            html.Div(
                [
                    html.Div([dbc.Label(text["apv.days"], id="apv-days-label", className="mb-0 text-nowrap"),
                              dbc.RadioItems(id="apv-days", value=state["days"], inline=True,
                                             options=[{"label": text[f"apv.days.{d}"], "value": d} for d in views.DAYS])],
                             className="d-flex align-items-center gap-2", **_DAYS_GROUP),
                    dbc.Button(text["apv.city"], id="apv-up-city", color="info", outline=True, size="sm"),
                    dbc.Button(f"↑ {text['apv.up']}", id="apv-up-department", color="info", outline=True, size="sm"),
                    html.Span(shown["crumbs"], id="apv-crumbs", className="fw-bold"),
                    dbc.Button(text["apv.export_csv"], id="apv-export-csv", color="info", size="sm"),
                    dbc.Button(text["apv.export_xlsx"], id="apv-export-xlsx", color="info", size="sm"),
                    dcc.Download(id="apv-download"),
                ],
                className="d-flex flex-wrap align-items-center gap-3 mb-3",
            ),
            html.Div(shown["kpis"], id="apv-kpis", className="d-flex flex-wrap gap-2 mb-3"),
            html.Div(
                [
                    html.Section(analyst_graph("approvals-throughput", shown["throughput"], "320px", lang),
                                 className="col-lg-7"),
                    html.Section(analyst_graph("apv-daily", shown["daily"], "320px", lang), className="col-lg-5"),
                ],
                className="row",
            ),
            html.Div(
                [
                    html.Section([html.H2(text["apv.overdue"], className="h6"),
                                  html.Div(shown["overdue"], id="apv-overdue")], className="col-12"),
                ],
                className="row",
            ),
            html.Div(
                [
                    html.Section(analyst_graph("apv-ranking", shown["ranking"], "560px", lang), className="col-lg-5"),
                    html.Section([html.H2(text["apv.table"], className="h6"),
                                  html.Div(shown["table"], id="apv-table", style={"overflowX": "auto"})],
                                 className="col-lg-7"),
                ],
                className="row",
            ),
            html.Div(
                [
                    html.Section([analyst_graph("apv-reviews", shown["reviews"], "280px", lang),
                                  html.Div([html.Span(f"{text['apv.followups']}: "),
                                            html.Span(shown["followups"], id="apv-followups")])],
                                 className="col-lg-4"),
                    html.Section([html.H2(text["apv.findings"], className="h6"),
                                  html.Div(views.findings(state, principal.scope), id="apv-findings")],
                                 className="col-lg-8"),
                ],
                className="row",
            ),
            _approval_divide.section(lang, int(state["days"])),
            dcc.Store(id="apv-sv-open", data=str(query.get("application") or "")),  # ?application=<id>: its 督办
            dbc.Offcanvas([html.Div(id="apv-sv-heading"), *_supervision.section("apv-", lang, principal)],
                          id="apv-sv", title=html.Span(text["apv.sv.panel"], id="apv-sv-title"),
                          labelledby="apv-sv-title", placement="end", is_open=False, scrollable=True,
                          backdrop=False, class_name="event-detail-panel"),
            view_location("apv-url", state),
            dcc.Store(id="apv-state", data=state),
            dcc.Store(id="apv-flow", data=shown["flow"]),
            dcc.Interval(id="apv-refresh", interval=REFRESH_MS),
        ],
        className="approvals-page container-fluid py-3",
        style=PAGE_STYLE,
        lang=lang,
        **PAGE_ATTRIBUTES,
    )


correct_url("apv-url")


@callback(
    Output("apv-url", "search"),
    Output("apv-state", "data"),
    Output("apv-kpis", "children"),
    Output("approvals-throughput", "figure"),
    Output("apv-flow", "data"),
    Output("apv-daily", "figure"),
    Output("apv-ranking", "figure"),
    Output("apv-table", "children"),
    Output("apv-crumbs", "children"),
    Output("apv-overdue", "children"),
    Output("apv-reviews", "figure"),
    Output("apv-followups", "children"),
    Input("apv-days", "value"),
    Input("apv-ranking", "clickData"),
    Input({"type": "apv-drill", "level": ALL, "key": ALL}, "n_clicks"),
    Input("apv-up-city", "n_clicks"),
    Input("apv-up-department", "n_clicks"),
    State("apv-state", "data"),
    prevent_initial_call=True,
)
def update_view(days: str, bar_click: Any, _drills: Any, _city: Any, _up: Any, old: dict[str, Any]) -> Any:
    """A control, a bar or a row button → the new state → URL and every panel of the view."""
    principal = current_principal()
    wanted = {**old, "days": days}
    trigger = ctx.triggered_id
    level = "matter" if old["department"] else "department"
    if isinstance(trigger, dict) and ctx.triggered[0]["value"]:
        wanted[trigger["level"]] = trigger["key"]
    elif trigger == "apv-ranking" and bar_click and not old["matter"]:
        wanted[level] = bar_click["points"][0]["customdata"][0]
    elif trigger == "apv-up-city":
        wanted.update(department=None, matter=None)
    elif trigger == "apv-up-department" and old["matter"]:
        wanted["matter"] = None
    elif trigger == "apv-up-department":
        wanted["department"] = None
    state = views.state_from(wanted, principal.scope)
    if state == old:
        return (no_update,) * 12
    shown = views.render(state, principal)
    return (search_of(state), state, shown["kpis"], shown["throughput"], shown["flow"], shown["daily"],
            shown["ranking"], shown["table"], shown["crumbs"], shown["overdue"], shown["reviews"], shown["followups"])


@callback(
    Output("apv-findings", "children"),
    Input("apv-state", "data"),
    prevent_initial_call=True,
)
def update_findings(state: dict[str, Any]) -> Any:
    """The findings depend on the period (and the caller's scope), not on the drill."""
    return views.findings(state, current_principal().scope)


@callback(
    Output("approvals-throughput", "figure", allow_duplicate=True),
    Output("apv-flow", "data", allow_duplicate=True),
    Input("apv-refresh", "n_intervals"),
    State("apv-state", "data"),
    State("apv-flow", "data"),
    prevent_initial_call=True,
)
def extend_throughput(_tick: Any, state: dict[str, Any], flow: dict[str, Any]) -> Any:
    """Patch the hours since the last one shown (the current hour in place, new hours appended)."""
    if not flow:
        return no_update, no_update
    return views.extend_throughput(state, flow, current_principal())


@callback(
    Output("apv-download", "data"),
    Input("apv-export-csv", "n_clicks"),
    Input("apv-export-xlsx", "n_clicks"),
    State("apv-state", "data"),
    prevent_initial_call=True,
)
def download(_csv: Any, _xlsx: Any, state: dict[str, Any]) -> Any:
    """The drill table as shown (names masked as on screen), audited."""
    principal = current_principal()
    level, frame, formats = views.level_frame(state, principal)
    table = frame.drop(columns=[c for c in ("key", "card") if c in frame])
    stem = "_".join(["approvals", state["department"] or "city", state["matter"] or level, f"{state['days']}d"])
    with runtime().sessions() as session:
        export.record_export(session, actor=principal, what="approvals", detail=search_of(state))
        session.commit()
    if ctx.triggered_id == "apv-export-xlsx":
        return send_bytes(export.to_xlsx(table, level, formats=formats), f"{stem}.xlsx")
    return send_bytes(export.to_csv(table, formats=formats), f"{stem}.csv")


@callback(Output("apv-sv-subject", "data"), Output("apv-sv", "is_open"), Output("apv-sv-heading", "children"),
          Input({"type": _supervision.PICK, "application": ALL}, "n_clicks"), Input("apv-sv-open", "data"),
          State("apv-state", "data"))
def pick_application(clicks: list[int | None], opened: str, state: dict[str, Any]) -> Any:
    """A click on an overdue application's number opens its 督办 panel, as does an address that names one."""
    current_principal()
    if isinstance(ctx.triggered_id, dict) and any(clicks):
        application = str(ctx.triggered_id["application"])
    elif ctx.triggered_id is None and opened.isdigit():
        application = opened
    else:
        return no_update, no_update, no_update
    heading = f"{translator(state['lang'])['apv.col.id']} {application}"
    return {"subject": "application", "id": application}, True, html.H3(heading, className="h6",
                                                                          **data_attributes(application_id=application))
