"""督办 (supervision) on a page's detail panel (/events, /approvals, /alerts): the panel's section for the item the
page has picked, and the steps taken from it (supervise, reply, clear) through services.supervision as the signed-in
user, each audited, a refusal worded in the page's language.

A page draws `section(prefix, …)` in its detail panel, writes `{"subject": …, "id": …}` into the store
`{prefix}sv-subject` when an item is picked, and wires the callbacks with
`register_for_page(__name__, register(prefix))` (a callback belongs to one page: each page has its own ids).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update

from components import supervision_panel as ui
from components.data_grid import dropdown_words
from components.i18n import translator
from dashboards._auth import current_principal, require
from dashboards._present import local_time
from dashboards._runtime import runtime
from services import audit, events, supervision
from services.access import Action, Principal

STAMP = "%Y-%m-%d %H:%M"
PICK = "sv-pick"  # the pattern-matching id type of a list's button that opens an item's 督办 panel
_AUDITED = {"supervise": "create"}  # a refused step is audited under the name of the step the service records
_DONE, _REFUSED = "mt-1 text-success sv-done", "mt-1 text-danger sv-refused"


def local_moment(value: str) -> datetime | None:
    """A deadline field's value (the display zone's wall clock) as an aware time; None when it is not one."""
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=runtime().settings.zone)


def default_deadline() -> str:
    """A supervision's deadline as the form first offers it: this time tomorrow, local, to the hour."""
    moment = datetime.now(runtime().settings.zone).replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    return moment.strftime(STAMP)


def labels(lang: str) -> dict[str, str]:
    """The panel's words in `lang`."""
    text = translator(lang)
    return {**{key: text[f"sv.{key}"] for key in ("title", "none", "reply", "clear", "instruction", "department",
                                                   "deadline", "supervise", "reply_text")},
            **{f"status.{status}": text[f"sv.status.{status}"] for status in ui.STATUSES}}


def department_names(lang: str) -> dict[str, str]:
    with runtime().sessions() as session:
        return events.department_names(session=session, lang=lang)


def section(prefix: str, lang: str, principal: Principal) -> list[Any]:
    """The detail panel's 督办 section and its stores (the picked item, the page's language)."""
    options = [{"label": name, "value": code} for code, name in department_names(lang).items()]
    return [ui.panel(prefix, labels(lang), options, may_supervise=principal.may(Action.SUPERVISE),
                     may_answer=principal.may(Action.EVENT_ACT) or principal.may(Action.SUPERVISE),
                     deadline=default_deadline(), dropdown_words=dropdown_words(lang)),
            dcc.Store(id=f"{prefix}sv-subject"), dcc.Store(id=f"{prefix}sv-lang", data=lang)]


def _rows(views: Sequence[supervision.SupervisionView], principal: Principal, lang: str) -> list[ui.Row]:
    text, names, zone = translator(lang), department_names(lang), runtime().settings.zone
    may_answer = principal.may(Action.EVENT_ACT) or principal.may(Action.SUPERVISE)
    rows = []
    for view in views:
        words = [names.get(view.department, view.department), view.instruction,
                 f"{text['sv.deadline']} {local_time(view.deadline, zone, STAMP)}", view.created_by]
        if view.reply:
            words.append(f"{text['sv.replied_with']}: {view.reply}")
        rows.append(ui.Row(view.id, view.status, view.department, " · ".join(words),
                           may_reply=may_answer and view.waiting and principal.scope.allows_department(view.department),
                           may_clear=principal.may(Action.SUPERVISE) and view.status != "cleared"
                           and view.department not in principal.scope.departments))
    return rows


def listing(prefix: str, subject: Mapping[str, str] | None, lang: str) -> list[Any]:
    """The picked item's supervisions (with the 督 badge while any waits), as the caller may act on them."""
    if not subject:
        return []
    principal = current_principal()
    with runtime().sessions() as session:
        views = supervision.supervisions_for(session, subject["subject"], [subject["id"]]).get(str(subject["id"]), [])
    waiting = sum(view.waiting for view in views)
    return [*([mark(translator(lang), waiting)] if waiting else []), ui.listing(prefix, _rows(views, principal, lang), labels(lang))]


def refusal_text(refused: supervision.SupervisionRefused, lang: str) -> str:
    """A refusal in the page's language: departments, statuses and subjects as the page names them."""
    text, names = translator(lang), department_names(lang)

    def word(name: str, value: Any) -> Any:
        if isinstance(value, tuple | list):
            return text["events.refusal.list"].join(str(word(name, item)) for item in value)
        if name == "department":
            return names.get(value, value)
        if name == "status":
            return text.get(f"sv.status.{value}", value)
        if name in ("subject", "subjects"):
            return text.get(f"sv.subject.{value}", value)
        return value

    params = {name: word(name, value) for name, value in refused.params.items()}
    return f"{text['sv.refused']}: {text.get(refused.key, refused.reason).format(**params)}"


def _step(session: Any, action: str, subject: Mapping[str, str], target: int | None, form: Mapping[str, Any],
          principal: Principal) -> None:
    if action == "supervise":
        supervision.supervise(session, subject=subject["subject"], subject_id=subject["id"],
                              department=form["department"] or "", instruction=form["instruction"] or "",
                              deadline=form["deadline"], principal=principal)
    elif action == "reply":
        supervision.reply_supervision(session, int(target or 0), form["reply"] or "", principal=principal)
    else:
        supervision.clear_supervision(session, int(target or 0), principal=principal,
                                      comment=form["reply"] or None)


def act(action: str, subject: Mapping[str, str], target: int | None, form: Mapping[str, Any],
        principal: Principal) -> supervision.SupervisionRefused | None:
    """Carry out one step and commit; None when done, else the refusal (nothing written but its audit entry)."""
    with runtime().sessions() as session:
        try:
            _step(session, action, subject, target, form, principal)
        except supervision.SupervisionRefused as refused:
            session.rollback()
            audit.record(session, actor=principal, action=f"supervision.{_AUDITED.get(action, action)}",
                         target=f"{subject['subject']}:{subject['id']}", outcome="refused", detail=refused.reason)
            session.commit()
            return refused
        session.commit()
    return None


def _form_problem(action: str, form: dict[str, Any], lang: str) -> str | None:
    """What the flagging form lacks, naming the field (the deadline read into `form`), else None."""
    text = translator(lang)
    if action != "supervise":
        return None
    if not form["department"]:
        return text["sv.needs_department"]
    form["deadline"] = local_moment(form["deadline"] or "")
    return text["sv.bad_deadline"] if form["deadline"] is None else None


def register(prefix: str) -> Callable[[], None]:
    """The callbacks of the section with ids `prefix…`, for `register_for_page`."""
    reply, clear = f"{prefix}{ui.REPLY}", f"{prefix}{ui.CLEAR}"

    def wire() -> None:
        @callback(Output(f"{prefix}sv-list", "children"), Output(f"{prefix}sv-message", "children"),
                  Output(f"{prefix}sv-message", "className"), Input(f"{prefix}sv-subject", "data"),
                  State(f"{prefix}sv-lang", "data"), prevent_initial_call=True)
        def show(subject: dict[str, str] | None, lang: str) -> tuple[Any, str, str]:
            return listing(prefix, subject, lang), "", "mt-1"

        @callback(Output(f"{prefix}sv-list", "children", allow_duplicate=True),
                  Output(f"{prefix}sv-message", "children", allow_duplicate=True),
                  Output(f"{prefix}sv-message", "className", allow_duplicate=True),
                  Output(f"{prefix}sv-instruction", "value"), Output(f"{prefix}sv-reply-text", "value"),
                  Input(f"{prefix}sv-supervise", "n_clicks"), Input({"type": reply, "supervision": ALL}, "n_clicks"),
                  Input({"type": clear, "supervision": ALL}, "n_clicks"), State(f"{prefix}sv-subject", "data"),
                  State(f"{prefix}sv-instruction", "value"), State(f"{prefix}sv-department", "value"),
                  State(f"{prefix}sv-deadline", "value"), State(f"{prefix}sv-reply-text", "value"),
                  State(f"{prefix}sv-lang", "data"), prevent_initial_call=True)
        def step(_flag: Any, _replies: Any, _clears: Any, subject: dict[str, str] | None, instruction: str | None,
                 department: str | None, deadline: str | None, reply_text: str | None, lang: str) -> Any:
            """One 督办 step on the picked item; the list redrawn and the words emptied after it."""
            trigger = ctx.triggered_id
            if not ctx.triggered or not ctx.triggered[0]["value"] or trigger is None:
                return (no_update,) * 5
            principal = require(Action.EVENT_ACT, Action.SUPERVISE)
            text = translator(lang)
            if not subject:
                return no_update, text["sv.pick"], "mt-1 text-warning", no_update, no_update
            action = "supervise" if isinstance(trigger, str) else "reply" if trigger["type"] == reply else "clear"
            form = {"instruction": instruction, "department": department, "deadline": deadline, "reply": reply_text}
            problem = _form_problem(action, form, lang)
            if problem:
                return no_update, f"{text['sv.refused']}: {problem}", _REFUSED, no_update, no_update
            target = None if isinstance(trigger, str) else int(trigger["supervision"])
            refused = act(action, subject, target, form, principal)
            if refused is not None:
                return no_update, refusal_text(refused, lang), _REFUSED, no_update, no_update
            return listing(prefix, subject, lang), text[f"sv.done.{action}"], _DONE, "", ""

    return wire


def marks(subject: str, ids: Sequence[str | int]) -> dict[str, int]:
    """Of the listed items, those with supervisions still waiting → how many (a list's 督 badges)."""
    with runtime().sessions() as session:
        found = supervision.supervisions_for(session, subject, ids)
    counts = {key: sum(view.waiting for view in views) for key, views in found.items()}
    return {key: count for key, count in counts.items() if count}


def mark(text: Mapping[str, str], count: int) -> html.Span:
    """The 督 badge of an item with `count` waiting supervisions, in the page's words `text`."""
    return ui.badge(text["sv.badge"], count, text["sv.badge.title"])
