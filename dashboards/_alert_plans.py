"""The console's plan panel (/alerts): the picked alert's matching plans with why, 启动预案 in one click, and the
response it opened — level, departments' tasks and progress, checklist, notifications, stand-down.

Every command goes through services/plans as the signed-in operator (scope and role checked there), and the
alert's new status is announced to the walls like any console action. dashboards/alerts.py registers the
callbacks for its page.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from dash import ALL, Input, Output, State, callback, ctx, html, no_update

from components.alert_console import outcome_toast
from components.html_attrs import data_attributes
from components.i18n import translator
from components.plan_panel import response_panel, suggestions
from dashboards import _plan_report
from dashboards._auth import current_principal, require
from dashboards._present import local_time
from dashboards._runtime import runtime
from services import alerts, notify, plans
from services.access import Action, Principal, mask_name, mask_phone
from services.events import department_names

_TOAST = ("is_open", "header", "icon", "class_name", "children")


def _reason(reason: plans.Reason, lang: str, text: Any) -> str:
    value = runtime().city.names(lang).get(reason.value, reason.value) if reason.code == "area" else reason.value
    return str(text[f"plans.why.{reason.code}"]).format(value=value)


def _on_duty(department: str, district: str | None, lang: str, principal: Principal) -> str | None:
    """Who is on duty for the department now (the pack's roster): name and phone masked unless the caller may see
    personal data."""
    zone, roster = runtime().settings.zone, runtime().pack.roster
    duty = roster.on_duty(department, district, datetime.now(zone).replace(tzinfo=None))
    if duty is None:
        return None
    name, phone = (duty.name, duty.phone) if principal.may_see_pii else (mask_name(duty.name), mask_phone(duty.phone))
    return f"{duty.title_zh if lang == 'zh-CN' else duty.title_en} {name} {phone}"


def _view(view: plans.ResponseView, lang: str, session: Any, principal: Principal) -> dict[str, Any]:
    zone, pack = runtime().settings.zone, runtime().pack
    names = department_names(session=session, lang=lang)
    plan = pack.plan(view.plan)
    at = "%m-%d %H:%M"
    return {
        "id": view.id, "name": plan.name(lang) if plan else view.plan, "level": view.level, "status": view.status,
        "may_report": principal.may(Action.EVENT_ACT),
        "event_id": view.event_id, "cancel_proposed": view.cancel_proposed, "summary": view.summary,
        "updated": local_time(view.updated_at, zone, at) if view.updated_at else None,
        "tasks": [{"department": t.department, "name": names.get(t.department, t.department), "role": t.role,
                   "task": t.task_zh if lang == "zh-CN" else t.task_en, "due": local_time(t.due_at, zone, at),
                   "status": t.status, "duty": _on_duty(t.department, view.district, lang, principal)}
                  for t in view.tasks],
        "checks": [{"key": c.key, "text": c.text_zh if lang == "zh-CN" else c.text_en,
                    "done": translator(lang)["plans.ticked"].format(at=local_time(c.checked_at, zone, at),
                                                                    by=c.checked_by) if c.checked_at else None}
                   for c in view.checks],
        "deliveries": [{"department": d.department or "", "name": names.get(d.department or "", d.department or ""),
                        "channel": d.channel, "state": d.state, "attempts": d.attempts, "error": d.last_error}
                       for d in notify.deliveries(session, view.id)],
    }


def show_plans(stream_id: str | None, _done: Any, _plan_done: Any, _tick: Any, shown: str | None,
               lang: str) -> tuple[Any, Any]:
    """The response of the picked alert if it has one, else the plans it sets off; redrawn only when what it shows
    changed, so a timer's look does not wipe what the operator is typing."""
    if not stream_id:
        return no_update, no_update
    principal = current_principal()
    text = translator(lang)
    with runtime().sessions() as session:
        row = alerts.find(session, stream_id, scope=principal.scope)
        view = plans.response_for_alert(session, row.id, scope=principal.scope) if row else None
        data: Any = _view(view, lang, session, principal) if view else None
    if row is not None and view is None:
        facts = plans.AlertFacts(row.event, row.category, row.severity, row.district, row.headline)
        data = [{"code": m.plan.code, "name": m.plan.name(lang), "level": m.level,
                 "reasons": [_reason(r, lang, text) for r in m.reasons]}
                for m in plans.match_plans(runtime().pack.plans, facts)]
    digest = json.dumps([stream_id, lang, data], sort_keys=True, ensure_ascii=False, default=str)
    if digest == shown:
        return no_update, no_update
    if row is None:
        return None, digest
    return (response_panel(data, text) if view else suggestions(data, text)), digest


def _toast(outcome: str, message: str, text: Any) -> tuple[Any, ...]:
    props = outcome_toast(outcome, message, text)
    props["children"] = html.Div(message, id="plan-message", role="status", **data_attributes(outcome=outcome))
    props["icon"] = None  # the icon is an <svg role="img"> without a title (axe svg-img-alt); the colour says it
    return tuple(props[prop] for prop in _TOAST)


def _command(session: Any, trigger: dict[str, str], row: alerts.ConsoleRow, principal: Any, level: str | None,
             summary: str) -> tuple[str, int | None]:
    """Carry out what was clicked; the action's key for the toast and the alert whose status moved."""
    pack, settings = runtime().pack, runtime().settings
    notices = plans.Notices(pack.contacts, pack.roster, settings.zone)
    if trigger["type"] == "plan-activate":
        plan = pack.plan(trigger["index"])
        if plan is None:
            raise plans.ResponseRefused("plan_missing", plan=trigger["index"])
        plans.activate(session, row.id, plan, principal=principal, notices=notices)
        return "activate", row.id
    view = plans.response_for_alert(session, row.id, scope=principal.scope)
    if view is None:
        raise plans.ResponseRefused("no_response", response=row.id)
    if trigger["type"] == "plan-check":
        plans.tick(session, view.id, trigger["index"], principal=principal)
        return "check", None
    if trigger["index"] == "level":
        plan = pack.plan(view.plan)
        if plan is None:
            raise plans.ResponseRefused("plan_missing", plan=view.plan)
        plans.change_level(session, view.id, level or "", principal=principal, plan=plan, notices=notices)
        return "level", None
    plans.stand_down(session, view.id, principal=principal, summary=summary)
    return "stand_down", row.id


def act_on_plan(_activate: Any, _check: Any, _commands: Any, stream_id: str | None, _fields: list[Any],
                plan_done: int | None, done: int | None, lang: str) -> tuple[Any, ...]:
    """One plan command as the signed-in operator; the toast says how it went, in the operator's language."""
    text = translator(lang)
    if not ctx.triggered or not ctx.triggered[0]["value"]:
        return (*(no_update,) * len(_TOAST), no_update, no_update)  # a button drawn afresh, not clicked
    trigger = dict(ctx.triggered_id)
    values = {item["id"]["index"]: item.get("value") for item in ctx.states_list[1]}  # the panel's fields by name
    level, summary = values.get("level"), values.get("summary")
    try:
        principal = require(Action.EVENT_ACT)
    except PermissionError:
        return *_toast("refused", text["alerts.forbidden"], text), no_update, no_update
    rt = runtime()
    with rt.sessions() as session:
        row = alerts.find(session, stream_id or "", scope=principal.scope)
        try:
            if row is None:
                raise plans.ResponseRefused("not_found", alert=stream_id)
            key, moved = _command(session, trigger, row, principal, level, summary or "")
        except plans.ResponseRefused as refusal:
            session.rollback()
            words = str(text[f"plans.refused.{refusal.code}"]).format(**refusal.params)
            return *_toast("refused", words, text), no_update, no_update
        news = plans.alert_signal(session, moved)
        session.commit()
    alerts.announce(rt.redis, rt.settings.alerts_stream, news)
    return *_toast("done", text[f"plans.did.{key}"], text), (plan_done or 0) + 1, (done or 0) + 1


def register_callbacks() -> None:
    """Wire the panel's callbacks for the console page (see dashboards._auth.register_for_page)."""
    _plan_report.register_callbacks()
    callback(Output("plan-panel", "children"), Output("plan-shown", "data"), Input("selected-alert", "data"),
             Input("action-done", "data"), Input("plan-done", "data"), Input("plan-refresh", "n_intervals"),
             State("plan-shown", "data"), State("console-lang", "data"), prevent_initial_call=True)(show_plans)
    callback(
        *[Output("plan-toast", prop) for prop in _TOAST], Output("plan-done", "data"),
        Output("action-done", "data", allow_duplicate=True),
        Input({"type": "plan-activate", "index": ALL}, "n_clicks"),
        Input({"type": "plan-check", "index": ALL}, "n_clicks"), Input({"type": "plan-cmd", "index": ALL}, "n_clicks"),
        State("selected-alert", "data"), State({"type": "plan-field", "index": ALL}, "value"),
        State("plan-done", "data"), State("action-done", "data"), State("console-lang", "data"),
        prevent_initial_call=True,
    )(act_on_plan)
