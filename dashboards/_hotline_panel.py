"""The work-order panel of /hotline as plain functions of a session: the order's detail worded for the page
(services.hotline.order_detail masks the reporter by the caller's role), and one action carried out through the
hotline's commands, its refusal worded from the catalogs. Its 督办 is the shared section (dashboards/_supervision.py)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from components import hotline_order as panel
from dashboards._hotline_views import STAMP, Names
from dashboards._present import local_time
from services import hotline
from services.access import Action, Principal
from services.citypack import HotlineLimits

# Which words a refusal's parameter is made of (by its name); the others are shown as they are.
_STATUS_PARAMS = {"current", "to", "statuses", "allowed"}
_DISPATCH_PARAMS = {"dispatch_status", "needed"}


def _dispatch_word(names: Names, status: str) -> str:
    return names.text.get(f"events.dispatch.{status}") or names.text.get(f"hl.dispatch.{status}", status)


def detail(session: Any, order_id: int, *, principal: Principal, names: Names, zone: ZoneInfo) -> list[Any] | None:
    """The panel's body for the order, None when the caller may not see it."""
    try:
        order = hotline.order_detail(session, order_id, principal=principal)
    except hotline.OrderRefused:
        return None
    text = names.text
    may_act = principal.may(Action.EVENT_ACT)

    def department(code: str) -> str:
        return str(names.departments.get(code, code))

    dispatches = [panel.Part(str(part.id), " · ".join(w for w in (
        department(part.department), _dispatch_word(names, part.status), part.note or "") if w), part.status,
        (("department", part.department),),
        text["hl.act.return"] if may_act and part.status in ("dispatched", "accepted", "arrived") else None)
        for part in order.dispatches]
    follow = order.follow_up
    follow_words = (text["hl.panel.not_followed"] if follow is None else
                    text["hl.panel.unreached"] if not follow.reached else
                    f"{names.word('satisfaction', follow.satisfaction)} · {local_time(follow.at, zone, STAMP)}")
    fields = [(text["hl.col.category"], names.categories.get(order.category, order.category)),
              (text["hl.col.subcategory"], order.subcategory or "—"),
              (text["hl.col.status"], names.word("status", order.status)),
              (text["hl.col.channel"], names.word("channel", order.channel)),
              (text["hl.col.urgency"], names.word("urgency", order.urgency)),
              (text["hl.col.district"], names.districts.get(order.district or "", order.district or "—")),
              (text["hl.col.address"], order.address or "—"),
              (text["hl.col.reported_at"], local_time(order.reported_at, zone, STAMP)),
              (text["hl.col.reply_due_at"], local_time(order.reply_due_at, zone, STAMP)),
              (text["hl.col.sla_due_at"], local_time(order.close_due_at, zone, STAMP)),
              (text["hl.col.reporter_name"], order.reporter_name or "—"),
              (text["hl.col.reporter_phone"], order.reporter_phone or "—"),
              (text["hl.panel.reply"], order.reply or "—"),
              (text["hl.col.repeat_of"], str(order.repeat_of) if order.repeat_of else "—"),
              (text["hl.panel.reopened"], str(order.reopened))]
    history = [f"{local_time(move.at, zone, STAMP)} {names.word('status', move.from_status)} → "
               f"{names.word('status', move.to_status)} · {move.user}" + (f" · {move.comment}" if move.comment else "")
               for move in order.history]
    titles = {key: text[f"hl.panel.{key}"] for key in ("followup", "dispatches", "no_dispatches", "history",
                                                         "no_history")}
    return panel.order_body(
        order_id=order.id, status=order.status, title=f"#{order.id} {order.description or order.title or ''}",
        cards=[(text["hl.panel.reply_card"], order.reply_card, text[f"hl.card.{order.reply_card}"]),
               (text["hl.panel.close_card"], order.close_card, text[f"hl.card.{order.close_card}"])],
        fields=fields, titles=titles, follow_up=(follow.satisfaction or "" if follow else "", follow_words),
        dispatches=dispatches, history=history)


@dataclass(frozen=True)
class Command:
    """One action from the panel: `action` a `hl-act-*` name or `return`, with what the form holds."""

    action: str
    order_id: int
    departments: tuple[str, ...] = ()
    text: str = ""
    reached: bool = True
    satisfaction: str | None = None
    target: int | None = None  # the dispatch it acts on (退单)


def act(session: Any, command: Command, *, principal: Principal, limits: HotlineLimits) -> Exception | None:
    """Carry out `command` and commit; None when done, else the refusal: nothing written but its audit entry."""
    order, text = command.order_id, command.text.strip()
    steps: dict[str, Callable[[], object]] = {
        "dispatch": lambda: hotline.dispatch_order(session, order, command.departments, principal=principal,
                                                   note=text or None),
        "redispatch": lambda: hotline.redispatch_order(session, order, command.departments, principal=principal,
                                                       note=text or None),
        "reply": lambda: hotline.reply_order(session, order, text, principal=principal),
        "close": lambda: hotline.close_order(session, order, principal=principal, comment=text or None),
        "follow_up": lambda: hotline.follow_up(session, order, reached=command.reached,
                                               satisfaction=command.satisfaction if command.reached else None,
                                               principal=principal, comment=text or None, limits=limits),
        "return": lambda: hotline.return_order(session, int(command.target or 0), principal=principal, reason=text),
    }
    try:
        steps[command.action]()
    except hotline.OrderRefused as refused:
        session.rollback()
        hotline.record_refused(session, command.action, f"order:{order}", refused, principal=principal)
        session.commit()
        return refused
    session.commit()
    return None


def refusal_text(refused: Any, names: Names) -> str:
    """A refusal in the page's language: its catalog sentence (`refused.key`), with statuses, dispatch states,
    departments and verdicts as the page names them."""
    text = names.text

    def word(name: str, value: Any) -> Any:
        if isinstance(value, tuple | list):
            return text["events.refusal.list"].join(str(word(name, item)) for item in value)
        if name.startswith("department"):
            return names.departments.get(value, value)
        if name in _STATUS_PARAMS:
            return names.word("status", value)
        if name in _DISPATCH_PARAMS:
            return _dispatch_word(names, value)
        if name in ("choices", "satisfaction"):
            return names.word("satisfaction", value)
        return value

    params: Mapping[str, Any] = {name: word(name, value) for name, value in refused.params.items()}
    return str(text.get(refused.key, refused.reason)).format(**params)
