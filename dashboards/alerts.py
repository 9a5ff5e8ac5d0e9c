"""/alerts — the operator console: a live, filterable list, a detail panel with the actions and the audit trail.

The list is the store's view (scope-filtered, one row per storm group), kept live by the same websocket push as the
wall (dashboards/_alert_push.py): new alerts that match the filters are prepended, a growing storm bumps its row's
count. Filters and search live in the URL, so a link restores the view. Every action names its caller.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import (
    ALL,
    Input,
    Output,
    Patch,
    State,
    callback,
    clientside_callback,
    ctx,
    dcc,
    html,
    no_update,
    set_props,
)

from components.alert_console import (
    action_bar,
    audit_list,
    console_header,
    console_row,
    detail_facts,
    hidden_label,
    outcome_toast,
    refusal_text,
)
from components.html_attrs import aria_attributes, data_attributes
from components.i18n import translator
from components.plan_panel import plan_section
from components.storm_summary import storm_box
from components.ticker import count_text
from dashboards import _alert_analytics, _alert_plans, _supervision
from dashboards._alert_push import HEARTBEAT_JS, WATCHDOG_JS, push_components, restore_folder, run_push
from dashboards._alert_text import headline_in, row_fields
from dashboards._auth import current_principal, register_for_page, require, user_bar
from dashboards._late_sources import console_note
from dashboards._present import local_time
from dashboards._runtime import runtime
from dashboards._storm_summary import StormLine
from services import alerts
from services.access import Action
from services.alerts import CATEGORIES, SEVERITIES, Entry, last_id, sent_time, storm_key

dash.register_page(__name__, path="/alerts", title="预警处置台 OneScreen")
register_for_page(__name__, _alert_plans.register_callbacks)  # the plan panel (预案联动)
register_for_page(__name__, _alert_analytics.register_callbacks)
register_for_page(__name__, _supervision.register("alerts-"))

FILTERS = ("severity", "status", "district", "category")
QUERY = (*FILTERS, "range", "q")  # everything the URL carries, besides the page
RANGES = {"1h": timedelta(hours=1), "24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30)}
P = "console-"  # prefix of this page's push stores
# Each button: the permission it needs and the command it gives.
_BUTTONS = {"btn-ack": (Action.ALERT_ACKNOWLEDGE, alerts.ACKNOWLEDGE),
            "btn-resolve": (Action.ALERT_RESOLVE, alerts.RESOLVE),
            "btn-escalate": (Action.ALERT_ESCALATE, alerts.ESCALATE), "btn-link": (Action.ALERT_LINK, alerts.LINK),
            **{f"btn-silence-{m}": (Action.ALERT_SILENCE, alerts.SILENCE) for m in (15, 60, 240)}}  # fmt: skip


def _filter(values: dict[str, Any]) -> alerts.AlertFilter:
    """The filters of the URL or the controls; a time range counts back from now, with no upper bound, so alerts
    arriving while the page is open still match it."""
    span = RANGES.get(values.get("range") or "")
    return alerts.AlertFilter(**{name: values.get(name) or None for name in FILTERS}, text=values.get("q"),
                                     since=datetime.now(UTC) - span if span else None)


def _page_number(value: Any) -> int:
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 1


def _place(district: str | None, lang: str) -> str | None:
    """A district's name in the city pack (its adcode if the pack has none of that code)."""
    return runtime().city.names(lang).get(district, district) if district else None


def _item(row: alerts.ConsoleRow, lang: str) -> dict[str, Any]:
    zone = runtime().settings.zone
    return {"stream_id": row.stream_id, "time": local_time(row.sent_at, zone, "%m-%d %H:%M:%S"),
            "severity": row.severity, "headline": headline_in(lang)(row_fields(row)), "district": row.district,
            "place": _place(row.district, lang), "status": row.status,
            "owner": row.owner, "count": row.count, "event_id": row.event_id, "sent": row.sent_at.isoformat(),
            "group": storm_key({"event": row.event, "district": row.district, "severity": row.severity})}


def _entry_item(stream_id: str, fields: dict[str, str], lang: str) -> dict[str, Any]:
    return {"stream_id": stream_id, "time": local_time(sent_time(fields), runtime().settings.zone, "%m-%d %H:%M:%S"),
            "severity": fields.get("severity", "unknown"), "headline": headline_in(lang)(fields),
            "district": fields.get("district"), "place": _place(fields.get("district"), lang), "status": "new", "count": 1, "group": storm_key(fields),
            "sent": fields.get("sent", "")}


def _rows(values: dict[str, Any], page: int, lang: str) -> tuple[list[html.Tr], str, alerts.ConsolePage]:
    """One page of the list as the store has it now, and the stream id it is current to (where the push resumes)."""
    rt = runtime()
    principal = current_principal()
    since = last_id(rt.redis, rt.settings.alerts_stream)
    try:
        flt = _filter(values)
    except ValueError:
        flt = alerts.AlertFilter(text=values.get("q"))
    with rt.sessions() as session:
        found = alerts.list_alerts(session, flt, page=page, scope=principal.scope)
    text = translator(lang)
    marked = _supervision.marks("alert", [row.stream_id for row in found.rows])
    return ([console_row({**_item(row, lang), "supervised": marked.get(row.stream_id, 0)}, lang, text)
             for row in found.rows], since, found)


def _page_text(found: alerts.ConsolePage, text: Any) -> str:
    return str(text["alerts.page_of"]).format(page=found.page, pages=found.pages, total=found.total)


def _options(values: tuple[str, ...], text: dict[str, str] | Any, prefix: str = "") -> list[dict[str, str]]:
    return [{"label": text.get(f"{prefix}{value}", value) if prefix else value, "value": value} for value in values]


def _filter_select(name: str, options: list[dict[str, str]], query: dict[str, Any], text: Any) -> list[Any]:
    """A filter as the browser's own select (keyboard and screen readers know it), its first choice "all" (also
    the placeholder dbc.Select shows for the empty value)."""
    label = text[f"alerts.{name}"]
    everything = {"label": text["alerts.any"].format(name=label), "value": ""}
    return [hidden_label(label, f"filter-{name}"),
            dbc.Select(id=f"filter-{name}", options=[everything, *options], value=query.get(name) or "",
                       placeholder=everything["label"], class_name="console-filter")]


def _pager_button(arrow: str, ident: str, name: str) -> html.Button:
    """An arrow button named for screen readers (the arrow alone says nothing to them)."""
    return html.Button(arrow, id=ident, className="btn btn-outline-info", title=name, **aria_attributes(label=name))


def layout(lang: str | None = None, **query: Any) -> html.Div:
    """Filters from the URL, the list from the store, the detail panel empty until a row is picked."""
    rt = runtime()
    principal = current_principal()
    lang = lang if lang in ("zh-CN", "en") else rt.settings.lang
    text = translator(lang)
    rows, since, found = _rows(query, _page_number(query.get("page")), lang)
    districts = [{"label": name, "value": code} for code, name in rt.city.names(lang).items()]
    choices = {"severity": _options(SEVERITIES, text), "status": _options(alerts.STATUSES, text, "alerts.status."),
               "district": districts, "category": _options(CATEGORIES, text),
               "range": _options(tuple(RANGES), text, "alerts.range.")}  # fmt: skip
    return html.Div([
        html.Header(dbc.Stack([
            html.H1(text["alerts.title"], className="console-title"),
            user_bar(lang),
            html.Div(text["conn.reconnecting"], id="connection-state", className="connection-state",
                     **data_attributes(state="reconnecting", live=text["conn.live"],
                                       reconnecting=text["conn.reconnecting"], offline=text["conn.offline"])),
            console_note(lang),
        ], direction="horizontal", gap=4), className="console-header"),
        _alert_analytics.tab_list(text),
        html.Div([
            html.Div([part for name in (*FILTERS, "range") for part in _filter_select(name, choices[name], query, text)]
                     + [hidden_label(text["alerts.search"], "filter-q"),
                        dcc.Input(id="filter-q", value=query.get("q") or "", placeholder=text["alerts.search"],
                                  debounce=True, className="form-control console-search")],
                     className="console-filters"),
            storm_box(f"{P}storm"),
            html.Div([
                html.Div([
                    html.Table([console_header(text), html.Tbody(rows, id="alert-list")],
                               className="table console-table", role="grid",
                               **aria_attributes(label=text["alerts.list"])),
                    html.Nav([_pager_button("‹", "page-prev", text["alerts.prev"]),
                              html.Span(_page_text(found, text), id="page-info", className="console-page-info"),
                              _pager_button("›", "page-next", text["alerts.next"])],
                             className="console-pager", **aria_attributes(label=text["alerts.pages"])),
                ]),
                html.Aside([html.Div(detail_facts(None, lang, text), id="alert-detail"), action_bar(text),
                            plan_section(text), *_supervision.section("alerts-", lang, principal),
                            html.H3(text["alerts.audit"]), html.Ol(id="audit-trail", className="audit-trail")],
                           className="console-detail"),
            ], className="console-body"),
        ], **_alert_analytics.pane_props("console")),
        _alert_analytics.analytics_pane(lang),
        dcc.Location(id="console-url", refresh=False),
        dcc.Store(id="console-lang", data=lang),
        dcc.Store(id="selected-alert", data=query.get("alert") or None),  # ?alert=<stream id>: it picked
        dcc.Store(id="action-done", data=0),
        dcc.Store(id="console-list-version", data=0),
        dcc.Store(id="console-page", data={"page": found.page, "pages": found.pages}),
        *push_components(P, since),
    ], className="console", lang=lang)


@callback(
    Output("alert-list", "children"), Output("console-url", "search"), Output(f"{P}alert-last-id", "data"),
    Output("console-list-version", "data"), Output("console-page", "data"), Output("page-info", "children"),
    *[Input(f"filter-{name}", "value") for name in QUERY], Input("action-done", "data"),
    Input("page-prev", "n_clicks"), Input("page-next", "n_clicks"),
    State("console-page", "data"), State("console-lang", "data"), State("console-list-version", "data"),
    prevent_initial_call=True,
)
def refresh_list(*args: Any) -> tuple[Any, ...]:
    """A filter changed, a page was turned or an action was taken: that page again from the store, the push
    restarted on it. A new filter starts again at page 1; an action keeps the page."""
    *values, _done, _prev, _next, paging, lang, version = args
    chosen = dict(zip(QUERY, values, strict=True))
    page = (paging or {}).get("page", 1)
    if ctx.triggered_id == "page-prev":
        page -= 1
    elif ctx.triggered_id == "page-next":
        page += 1
    elif ctx.triggered_id != "action-done":
        page = 1
    rows, since, found = _rows(chosen, _page_number(page), lang)
    search = urlencode({**{name: value for name, value in chosen.items() if value},
                        **({"page": found.page} if found.page > 1 else {}),
                        **({"lang": lang} if lang != runtime().settings.lang else {})})  # a reload keeps it
    return (rows, f"?{search}" if search else "", since, (version or 0) + 1,
            {"page": found.page, "pages": found.pages}, _page_text(found, translator(lang)))


@callback(Output("selected-alert", "data"), Input({"type": "alert-row", "index": ALL}, "n_clicks"),
          prevent_initial_call=True)
def select(clicks: list[int | None]) -> Any:
    if not ctx.triggered_id or not any(clicks):
        return no_update
    return ctx.triggered_id["index"]


@callback(Output("alerts-sv-subject", "data"), Input("selected-alert", "data"))
def supervise_subject(stream_id: str | None) -> Any:
    """The picked alert is the one its 督办 section acts on."""
    current_principal()
    return {"subject": "alert", "id": stream_id} if stream_id else None


@callback(Output("alert-detail", "children"), Output("audit-trail", "children"),
          Input("selected-alert", "data"), Input("action-done", "data"), State("console-lang", "data"))
def show_detail(stream_id: str | None, _done: int, lang: str) -> tuple[Any, Any]:
    if not stream_id:
        return no_update, no_update
    principal = current_principal()
    zone = runtime().settings.zone
    with runtime().sessions() as session:
        row = alerts.find(session, stream_id, scope=principal.scope)
        trail = alerts.audit_trail(session, row.id, scope=principal.scope) if row else []
    text = translator(lang)
    return (detail_facts(_item(row, lang) if row else None, lang, text),
            audit_list([{"at": local_time(a.at, zone, "%m-%d %H:%M:%S"), "user": a.user, "action": a.action,
                         "comment": a.comment or ""} for a in trail], text))


_TOAST_PROPS = ("is_open", "header", "icon", "class_name", "children")


def _toast(outcome: str, message: str, text: Any) -> tuple[Any, ...]:
    """The action toast's props, in the order of the outputs."""
    props = outcome_toast(outcome, message, text)
    return tuple(props[prop] for prop in _TOAST_PROPS)


@callback(
    *[Output("action-toast", prop) for prop in _TOAST_PROPS], Output("action-done", "data"),
    Output("action-comment", "value"),
    *[Input(button, "n_clicks") for button in _BUTTONS],
    State("selected-alert", "data"), State("action-comment", "value"), State("escalate-to", "value"),
    State("link-event-id", "value"), State("action-done", "data"), State("console-lang", "data"),
    prevent_initial_call=True,
)
def act(*args: Any) -> tuple[Any, ...]:
    """One action on the selected alert, as the signed-in operator. The toast says how it went: done (and the
    comment cleared for the next one) or refused with the reason in the operator's language, never swallowed."""
    *_clicks, stream_id, comment, to, event_id, done, lang = args
    button = ctx.triggered_id
    text = translator(lang)
    if not stream_id or button not in _BUTTONS:
        return *_toast("pick", text["alerts.pick"], text), no_update, no_update
    permission, action = _BUTTONS[button]
    try:
        principal = require(permission)
    except PermissionError:
        return *_toast("refused", text["alerts.forbidden"], text), no_update, no_update
    until = datetime.now(UTC) + timedelta(minutes=int(button.rsplit("-", 1)[1])) if action == alerts.SILENCE else None
    command = alerts.AlertCommand(action, comment=comment or "", to=to or "", until=until,
                                  event_id=int(event_id or 0) if action == alerts.LINK else None)
    with runtime().sessions() as session:
        row = alerts.find(session, stream_id, scope=principal.scope)
        try:
            if row is None:
                raise alerts.ActionRefused("not_found", alert=stream_id)
            alert = alerts.act(session, row.id, command, actor=principal)
        except alerts.ActionRefused as refusal:
            return *_toast("refused", refusal_text(refusal.code, refusal.params, text), text), no_update, no_update
        news = [alerts.signal(alert)]
        session.commit()
    alerts.announce(runtime().redis, runtime().settings.alerts_stream, news)  # every wall hears of it at once
    return *_toast("done", text[f"alerts.did.{action}"], text), (done or 0) + 1, ""  # the comment cleared


@callback(
    Input(f"{P}push-restart", "data"), Input("console-list-version", "data"),
    State(f"{P}alert-last-id", "data"), State("alert-list", "children"), State("console-lang", "data"),
    State("console-page", "data"), *[State(f"filter-{name}", "value") for name in QUERY],
    persistent=True,
)
async def push_console(_restart: int, _version: int, since: str, children: list[Any] | None, lang: str,
                       paging: dict[str, int] | None, *values: Any) -> None:
    """New alerts that match the filters and the caller's area go on top of page 1, which keeps its size; a
    storm's row counts up. A later page stays as it was read (new alerts would shift it under the reader)."""
    principal = current_principal()
    flt = _filter(dict(zip(QUERY, values, strict=True)))
    on_first_page = (paging or {}).get("page", 1) == 1
    folder = restore_folder(children, runtime().settings.alert_storm_minutes)
    text = translator(lang)
    storm = StormLine(f"{P}storm", lang, drawn=alerts.PAGE_SIZE)  # issue 17: what a storm's list cannot show

    def show(entries: list[Entry]) -> None:
        storm.add(entries)
        before = [row.head_id for row in folder.rows]
        patch, new = Patch(), []
        for stream_id, fields in entries:
            if fields.get("msg_type") in ("update", "cancel"):
                set_props("action-done", {"data": datetime.now(UTC).timestamp()})  # statuses moved: reload
            if not on_first_page or stream_id in before or not alerts.matches(fields, flt, principal.scope):
                continue
            row, is_new = folder.add(stream_id, fields)
            if is_new:
                new.append(_entry_item(stream_id, fields, lang))
            elif row.head_id in before:
                index = before.index(row.head_id)
                patch[index]["props"]["children"][6]["props"]["children"] = count_text(row.count)
                patch[index]["props"]["data-count"] = str(row.count)
        for item in new:
            item["count"] = next(r.count for r in folder.rows if r.head_id == item["stream_id"])
            patch.prepend(console_row(item, lang, text))
        for _ in range(max(0, len(folder.rows) - alerts.PAGE_SIZE)):
            del patch[alerts.PAGE_SIZE]
        del folder.rows[alerts.PAGE_SIZE:]
        set_props("alert-list", {"children": patch})

    await run_push(ctx.websocket, P, since, show, principal.scope, tick=storm.flush)


clientside_callback(HEARTBEAT_JS, Output(f"{P}heartbeat-seen", "data"), Input(f"{P}stream-heartbeat", "data"),
                    prevent_initial_call=True)
clientside_callback(WATCHDOG_JS, Output(f"{P}push-restart", "data"), Input(f"{P}push-watchdog", "n_intervals"),
                    State(f"{P}push-restart", "data"), prevent_initial_call=True)
