"""The after-action report (事后评估报告) of a response, downloaded from the console's plan panel: its measures
(services/plans measures: minutes from the alert to activation and to each department's acceptance, arrival and
finish) worded for the reader as a `BriefingSheet` and rendered like the daily briefing (components/briefing.py,
A4 PDF with the font embedded). For those who run responses (`Action.EVENT_ACT`: operators, who have no general
export right); it holds no personal data, and each download is audited like an export."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from dash import ALL, Input, Output, State, callback, ctx, no_update
from dash.dcc.express import send_bytes

from components.briefing import Bars, BriefingSheet, Headline, Rows, render_pdf
from components.i18n import translator
from dashboards._auth import require
from dashboards._runtime import runtime
from services import alerts, events, export, plans
from services.access import Action

AT = "%Y-%m-%d %H:%M"
COLUMNS = ("department", "role", "due", "accept", "arrive", "finish", "late")


def _minutes(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def _at(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime(AT) if moment else "—"


def report_sheet(m: plans.ResponseMeasures, *, plan_name: str, district: str, departments: Mapping[str, str],
                 text: Mapping[str, str], zone: ZoneInfo, city: str, generated: datetime) -> BriefingSheet:
    """The sheet of one response's measures in the reader's words and zone."""
    name = {d.department: departments.get(d.department, d.department) for d in m.departments}
    rows = tuple((name[d.department], text[f"plans.role.{d.role}"], _at(d.due_at, zone), _minutes(d.to_accept),
                  _minutes(d.to_arrive), _minutes(d.to_finish), text["report.late" if d.late else "report.on_time"])
                 for d in m.departments)
    accepted = [d for d in m.departments if d.to_accept is not None]
    chart = Bars(text["report.accept_chart"], tuple(name[d.department] for d in accepted),
                 tuple(float(d.to_accept or 0) for d in accepted), ("minor",) * len(accepted))
    return BriefingSheet(
        title=f"{city} · {text['report.title']}",
        subtitle=f"{plan_name} · {text[f'plans.level.{m.level}']} · {district} · {text[f'plans.status.{m.status}']}",
        headlines=(Headline(text["report.alert_at"], _at(m.alert_at, zone)),
                   Headline(text["report.activated_at"], _at(m.activated_at, zone)),
                   Headline(text["report.to_activation"], _minutes(m.to_activation)),
                   Headline(text["report.checks"], f"{m.checks_done}/{m.checks_total}")),
        charts=(chart,) if accepted else (),
        tables=(Rows(text["report.departments"], tuple(text[f"report.col.{c}"] for c in COLUMNS), rows,
                     (3, 1.2, 2.4, 1.3, 1.3, 1.3, 1.2), tuple("alarm" if d.late else "normal" for d in m.departments)),
                Rows(text["report.summary"], (text["report.closed_at"], text["report.summary"]),
                     ((_at(m.closed_at, zone), m.summary or "—"),), (1, 3))),
        footer=f"OneScreen 一屏统览 · {text['brief.generated']} {generated.astimezone(zone).strftime(AT)}",
    )


def download_report(_clicks: list[int | None], stream_id: str | None, lang: str | None) -> Any:
    """The picked alert's response's report as PDF, in the caller's scope and language; audited."""
    if not ctx.triggered or not ctx.triggered[0]["value"]:
        return no_update
    try:
        principal = require(Action.EVENT_ACT)
    except PermissionError:
        return no_update  # the button is drawn for those who may run responses; a forged click gets nothing
    rt = runtime()
    lang = lang if lang in ("zh-CN", "en") else rt.settings.lang
    text, zone, now = translator(lang), rt.settings.zone, datetime.now(UTC)
    with rt.sessions() as session:
        row = alerts.find(session, stream_id or "", scope=principal.scope)
        view = plans.response_for_alert(session, row.id, scope=principal.scope) if row else None
        measures = plans.response_measures(session, view.id, scope=principal.scope, now=now) if view else None
        if measures is None:
            return no_update
        departments = events.department_names(session=session, lang=lang)
        export.record_export(session, actor=principal, what="after_action", detail=f"response:{measures.response_id}")
        session.commit()
    plan = rt.pack.plan(measures.plan)
    sheet = report_sheet(measures, plan_name=plan.name(lang) if plan else measures.plan,
                         district=rt.city.names(lang).get(measures.district or "", "—"), departments=departments,
                         text=text, zone=zone, city=rt.settings.city_name_zh if lang == "zh-CN" else rt.settings.city_name_en,
                         generated=now)
    return send_bytes(render_pdf(sheet), f"after-action-{measures.response_id}.pdf")


def register_callbacks() -> None:
    """Wire the download (dashboards/_alert_plans.py registers it with the plan panel's)."""
    callback(Output("plan-report-download", "data"), Input({"type": "plan-report", "index": ALL}, "n_clicks"),
             State("selected-alert", "data"), State("console-lang", "data"), prevent_initial_call=True)(download_report)
