"""/ — the leader's overview: the wall's picture (headline KPIs, open events by district, today's approvals,
the latest alerts) readable on a laptop and on a phone, and the daily briefing (每日简报) as PNG and PDF.

No fixed canvas: panels sit in a CSS grid that is several columns wide on a laptop and one column at 390 px
(assets/leader.css), and every figure is responsive. The panels refresh in place on one interval: the
callbacks set the text of values, the status of tiles and the figure, never new children. Each panel links
to its detail page. Nothing here shows personal data (no reporter or applicant fields are read). The
briefing downloads need `Action.EXPORT` and are audited like every export.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import dash
from dash import Input, Output, State, callback, ctx, dcc, html, no_update
from dash.dcc.express import send_bytes

from components.briefing import render_pdf, render_png
from components.html_attrs import data_attributes
from components.i18n import translator
from components.leader import (
    ALERT_SLOTS,
    GRAPH_CONFIG,
    AlertRow,
    alert_row_props,
    alert_rows,
    big_number,
    district_bars,
    kpi_tile,
    kpi_tile_props,
    severity_counts,
)
from components.panel import as_of_stamp, panel
from components.ticker import SEVERITY_LABELS, count_text
from dashboards import _leader_cards, _leader_supervision
from dashboards._alert_text import headline_in, row_fields
from dashboards._auth import current_principal, register_for_page, require, user_bar
from dashboards._leader_briefing import briefing_sheet, percent
from dashboards._present import kpi_cards, local_time, number, shown_decimals
from dashboards._runtime import runtime
from dashboards._wall_screens import kpi_codes
from services import alerts, approvals, briefing, events, export, indicators
from services.access import Action, Principal
from services.alerts import AlertFilter
from services.severity import GRADED

dash.register_page(__name__, path="/", title="城市运行总览 OneScreen")
register_for_page(__name__, _leader_cards.register_callbacks)
register_for_page(__name__, _leader_supervision.register_callbacks)

CADENCE_S = 60
# The headline indicators: the KPI strip of the running pack's default wall. Dash runs a page module once per app,
# with that app current, so each app's callbacks name its own pack's cards.
KPI_CODES = kpi_codes(runtime().pack.screens[:1])
# (element id pattern, property, key in the component's props): what a refresh sets, element by element.
_KPI_PARTS = (("kpi-{}", "className", "className"), ("kpi-{}", "data-status", "data-status"),
              ("leader-kpi-value-{}", "children", "value"), ("leader-kpi-delta-{}", "children", "delta"))
_ALERT_PARTS = (("leader-alert-{}", "className", "className"),
                ("leader-alert-{}", "data-severity", "data-severity"),
                ("leader-alert-{}-level", "children", "level"), ("leader-alert-{}-time", "children", "time"),
                ("leader-alert-{}-headline", "children", "headline"))


def _href(path: str, lang: str, **params: str) -> str:
    """A detail page's address, keeping the language when it is not the default."""
    params = {**params, **({"lang": lang} if lang == "en" else {})}
    return path + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def _now_stamp() -> tuple[datetime, str]:
    now = datetime.now(UTC)
    return now, local_time(now, runtime().settings.zone, "%H:%M:%S")


def _today_start(now: datetime) -> datetime:
    zone = runtime().settings.zone
    return briefing.day_window(now.astimezone(zone).date(), zone)[0]


# ---------------------------------------------------------------- what each panel shows


def _kpis(lang: str, now: datetime) -> list[Any]:
    rt = runtime()
    with rt.sessions() as session:
        values = indicators.kpi_strip(session=session, codes=KPI_CODES, now=now,
                                      scope=current_principal().scope)
    return kpi_cards(values, lang, rt.settings.zone, translator(lang),
                     decimals=shown_decimals(rt.pack.catalogs.indicators))


def _events(lang: str, now: datetime) -> tuple[Any, str, str]:
    rt = runtime()
    text = translator(lang)
    with rt.sessions() as session:
        frame = events.open_by_district(session=session, now=now, scope=current_principal().scope)
    names = rt.city.names(lang)
    frame = frame.assign(name=frame["district"].map(names).fillna(frame["district"])).sort_values(
        ["open", "name"], ascending=[False, True])
    figure = district_bars(list(frame["name"]), list(frame["open"]), list(frame["overdue"]),
                           {"open": text["leader.events.open"], "overdue": text["leader.events.overdue"]})
    return figure, number(int(frame["open"].sum()), lang), number(int(frame["overdue"].sum()), lang)


def _approvals(lang: str, now: datetime) -> tuple[str, str, str]:
    with runtime().sessions() as session:
        row = approvals.summary(session=session, start=_today_start(now), end=now,
                                       scope=current_principal().scope).iloc[0]
    rate = row["on_time_rate"]
    return (number(int(row["received"]), lang), number(int(row["completed"]), lang),
            percent(None if rate != rate else float(rate)))


def _alerts(lang: str, now: datetime) -> tuple[dict[str, int], list[AlertRow]]:
    rt = runtime()
    scope = current_principal().scope
    with rt.sessions() as session:
        counts = dict(briefing.alerts_by_severity(session, _today_start(now), now, scope))
        latest = alerts.newest(session, AlertFilter(), limit=ALERT_SLOTS, scope=scope)
    labels, headline = SEVERITY_LABELS[lang], headline_in(lang)
    return counts, [AlertRow(row.severity, labels.get(row.severity, row.severity),
                             local_time(row.sent_at, rt.settings.zone, "%m-%d %H:%M"),
                             f"{headline(row_fields(row))} {count_text(row.count)}".strip()) for row in latest]


# ---------------------------------------------------------------- layout


def _more(label: str, href: str, kind: str = "") -> html.A:
    return html.A(label, href=href, className=f"leader-more {kind}".strip())


def _panel(name: str, title: str, body: list[Any], as_of: tuple[datetime, str]) -> html.Section:
    return panel(name, title, html.Div(body, className="panel-body"), as_of_stamp(name, *as_of, CADENCE_S))


def _briefing_panel(lang: str, principal: Principal) -> html.Section:
    text = translator(lang)
    may_export = principal.may(Action.EXPORT)
    day = briefing.yesterday(runtime().settings.zone)
    buttons = [html.Button(text[f"leader.briefing.{fmt}"], id=f"leader-briefing-{fmt}",
                           disabled=not may_export, className="leader-button") for fmt in ("png", "pdf")]
    return panel("leader-briefing", text["leader.briefing"], html.Div([
        html.Label([html.Span(text["leader.briefing.day"]),
                    dcc.DatePickerSingle(id="leader-briefing-day", date=day.isoformat(),
                                         max_date_allowed=day.isoformat(), display_format="YYYY-MM-DD",
                                         first_day_of_week=1)], className="leader-briefing-day"),
        html.Div(buttons, className="leader-buttons"),
        html.Div("" if may_export else text["leader.briefing.no_export"], className="leader-note"),
        dcc.Download(id="leader-briefing-download"),
        *_highlights(lang, principal),
    ], className="panel-body"))


def _highlights(lang: str, principal: Principal) -> list[Any]:
    """Last week's movements in the reader's scope, in the words of the weekly briefing the pack schedules
    (nothing when the pack words none)."""
    rt = runtime()
    words = rt.pack.briefings.sentences.get(lang)
    if not words:
        return []
    week = briefing.period_before("weekly", datetime.now(UTC), rt.settings.zone)
    with rt.sessions() as session:
        *_movements, said = briefing.highlights(session=session, period=week, zone=rt.settings.zone,
                                                sentence_words={lang: words}, scope=principal.scope)
    title = f"{translator(lang)['leader.briefing.highlights']} {week.first:%m-%d} – {week.last:%m-%d}"
    return [html.H3(title, className="leader-highlights-title"),
            html.Ul([html.Li(sentence) for sentence in said[lang]], id="leader-briefing-highlights",
                    className="leader-highlights")]


def layout(lang: str | None = None, **_ignored: Any) -> html.Div:
    """A fresh picture on every load, in the caller's scope."""
    principal = current_principal()
    rt = runtime()
    lang = lang if lang in ("zh-CN", "en") else rt.settings.lang
    text = translator(lang)
    city = rt.settings.city_name_zh if lang == "zh-CN" else rt.settings.city_name_en
    stamp = _now_stamp()
    now = stamp[0]
    tiles = [kpi_tile(card, _href("/indicators", lang, code=card.code)) for card in _kpis(lang, now)]
    figure, open_total, overdue_total = _events(lang, now)
    received, completed, on_time = _approvals(lang, now)
    counts, rows = _alerts(lang, now)
    panels = [  # alerts first: what a leader on a phone must see without scrolling past the numbers
        _panel("leader-alerts", text["leader.alerts"], [
            html.Div(text["leader.alerts.today"], className="leader-big-label"),
            severity_counts({s: SEVERITY_LABELS[lang][s] for s in GRADED}, counts),
            alert_rows(rows),
            _more(text["leader.more.wall"], _href("/wall", lang), "leader-more-wall")], stamp),
        _panel("leader-kpis", text["leader.kpis"], [
            html.Div(tiles, className="leader-kpi-grid"),
            _more(text["leader.more.indicators"], _href("/indicators", lang)),
            _more(text["leader.more.hotline"], _href("/hotline", lang))], stamp),
        _panel("leader-events", text["leader.events"], [
            html.Div([big_number("leader-events-open", text["leader.events.open"], open_total),
                      big_number("leader-events-overdue", text["leader.events.overdue"], overdue_total,
                                 "alarm")], className="leader-bigs"),
            dcc.Graph(id="leader-events-graph", figure=figure, config=GRAPH_CONFIG, className="leader-graph",
                      responsive=True),
            _more(text["leader.more.events"], _href("/events", lang, status="open"))], stamp),
        _panel("leader-approvals", text["leader.approvals"], [
            html.Div([big_number("leader-apv-received", text["leader.approvals.received"], received),
                      big_number("leader-apv-completed", text["leader.approvals.completed"], completed),
                      big_number("leader-apv-on-time", text["leader.approvals.on_time"], on_time)],
                     className="leader-bigs"),
            _more(text["leader.more.approvals"], _href("/approvals", lang))], stamp),
        _leader_supervision.supervision_card(lang),  # 督办: what waits for a department's reply
        _leader_cards.rankings_card(lang),
        _leader_cards.response_card(lang, _href("/alerts", lang)),
        _leader_cards.divide_card(lang, _href("/approvals", lang)),
        _briefing_panel(lang, principal),
    ]
    return html.Div([
        html.Header([html.H1(f"{city} · {text['leader.title']}", className="leader-title"), user_bar(lang)],
                    className="leader-header"),
        html.Main(panels, className="leader-grid"),
        dcc.Interval(id="leader-refresh", interval=CADENCE_S * 1000),
        dcc.Store(id="leader-lang", data=lang),
    ], id="leader-root", className="leader", lang=lang, **data_attributes(stale_label=text["kpi.stale"]))


# ---------------------------------------------------------------- refresh in place


def _stamp_outputs(name: str) -> list[Output]:
    return [Output(f"{name}-as-of", "dateTime"), Output(f"{name}-as-of", "children")]


def _stamp_values() -> list[str]:
    now, text = _now_stamp()
    return [now.isoformat(), text]


@callback(*[Output(pattern.format(code), prop) for code in KPI_CODES for pattern, prop, _key in _KPI_PARTS],
          *_stamp_outputs("leader-kpis"), Input("leader-refresh", "n_intervals"),
          State("leader-lang", "data"), prevent_initial_call=True)
def refresh_kpis(_tick: int | None, lang: str) -> list[Any]:
    """Each tile's value, change and status hooks."""
    cards = {card.code: kpi_tile_props(card) for card in _kpis(lang, datetime.now(UTC))}
    return [*[cards[code][key] for code in KPI_CODES for _p, _prop, key in _KPI_PARTS], *_stamp_values()]


@callback(Output("leader-events-graph", "figure"), Output("leader-events-open", "children"),
          Output("leader-events-overdue", "children"), *_stamp_outputs("leader-events"),
          Input("leader-refresh", "n_intervals"), State("leader-lang", "data"), prevent_initial_call=True)
def refresh_events(_tick: int | None, lang: str) -> list[Any]:
    return [*_events(lang, datetime.now(UTC)), *_stamp_values()]


@callback(Output("leader-apv-received", "children"), Output("leader-apv-completed", "children"),
          Output("leader-apv-on-time", "children"), *_stamp_outputs("leader-approvals"),
          Input("leader-refresh", "n_intervals"), State("leader-lang", "data"), prevent_initial_call=True)
def refresh_approvals(_tick: int | None, lang: str) -> list[Any]:
    return [*_approvals(lang, datetime.now(UTC)), *_stamp_values()]


@callback(*[Output(f"leader-sev-{s}", "children") for s in GRADED],
          *[Output(pattern.format(i), prop) for i in range(ALERT_SLOTS)
            for pattern, prop, _key in _ALERT_PARTS],
          *_stamp_outputs("leader-alerts"), Input("leader-refresh", "n_intervals"),
          State("leader-lang", "data"), prevent_initial_call=True)
def refresh_alerts(_tick: int | None, lang: str) -> list[Any]:
    """Today's count per severity and the latest alerts, written into the fixed rows."""
    counts, rows = _alerts(lang, datetime.now(UTC))
    padded = [*rows, *[AlertRow()] * (ALERT_SLOTS - len(rows))]
    props = [alert_row_props(row) for row in padded]
    return [*[str(counts.get(s, 0)) for s in GRADED],
            *[props[i][key] for i in range(ALERT_SLOTS) for _p, _prop, key in _ALERT_PARTS], *_stamp_values()]


# ---------------------------------------------------------------- the daily briefing


def _scope_label(principal: Principal, lang: str) -> str:
    scope = principal.scope
    if scope.unrestricted:
        return translator(lang)["brief.city_wide"]
    names = runtime().city.names(lang)
    return "、".join([names.get(d, d) for d in sorted(scope.districts)] + sorted(scope.departments))


@callback(Output("leader-briefing-download", "data"), Input("leader-briefing-png", "n_clicks"),
          Input("leader-briefing-pdf", "n_clicks"), State("leader-briefing-day", "date"),
          State("leader-lang", "data"), prevent_initial_call=True)
def download_briefing(_png: Any, _pdf: Any, day: str | None, lang: str) -> Any:
    """The chosen day's briefing (yesterday by default) as PNG or PDF, in the caller's scope, audited."""
    principal = require(Action.EXPORT)
    rt = runtime()
    latest = briefing.yesterday(rt.settings.zone)
    try:
        chosen = min(date.fromisoformat(day[:10]), latest) if day else latest
    except ValueError:
        return no_update
    fmt = "pdf" if ctx.triggered_id == "leader-briefing-pdf" else "png"
    with rt.sessions() as session:
        figures = briefing.gather(session=session, zone=rt.settings.zone, kpi_codes=KPI_CODES, day=chosen,
                                  scope=principal.scope)
        export.record_export(session, actor=principal, what="briefing", detail=f"{chosen.isoformat()} {fmt}")
        session.commit()
    city = rt.settings.city_name_zh if lang == "zh-CN" else rt.settings.city_name_en
    sheet = briefing_sheet(figures, lang=lang, city=city, scope_label=_scope_label(principal, lang),
                           text=translator(lang), category_names=events.category_names(rt.pack, lang),
                           generated=datetime.now(UTC))
    content = render_pdf(sheet) if fmt == "pdf" else render_png(sheet)
    return send_bytes(content, f"briefing-{chosen.isoformat()}.{fmt}")
