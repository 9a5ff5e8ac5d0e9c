"""A work order's whole life on both backends (dispatch to two, one returns it, redispatch, reply, close, 回访
dissatisfied → reopened, closed again), every refusal writing nothing, and what order_detail shows whom."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from components.i18n import translator
from services import audit
from services.access import Principal, Role, Scope
from services.hotline import (
    OrderRefused,
    close_order,
    dispatch_order,
    follow_up,
    order_detail,
    progress_order,
    redispatch_order,
    reply_order,
    return_order,
)
from services.hotline.refusals import REASONS
from services.store import AuditEntry, EventTransition
from tests.services.hotline.orders_data import LIMITS, OPERATOR, TAKEN, WATER


def _at(minutes: int) -> datetime:
    return TAKEN + timedelta(minutes=minutes)


def _written(store: Session) -> tuple[int, int]:
    return (store.scalar(select(func.count()).select_from(EventTransition)) or 0,
            store.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def test_a_whole_life_with_a_return_a_redispatch_and_a_dissatisfied_follow_up(store, order):
    parts = dispatch_order(store, order, ["water", "urban_mgmt"], principal=OPERATOR, note="先查管网", now=_at(5))
    by_department = {part.department: part for part in order_detail(store, order, principal=OPERATOR).dispatches}
    assert sorted(by_department) == ["urban_mgmt", "water"] and len(parts) == 2
    return_order(store, by_department["urban_mgmt"].id, principal=OPERATOR, reason="不属于本部门职责", now=_at(20))
    [municipal] = redispatch_order(store, order, ["municipal"], principal=OPERATOR, now=_at(25))
    progress_order(store, order, "water", "arrived", principal=WATER, note="到场", now=_at(60))
    reply_order(store, order, "已抢修管道，今晚恢复供水", principal=WATER, now=_at(120))
    close_order(store, order, principal=OPERATOR, now=_at(130))
    reopened_at = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)  # Friday 10:00 in the city
    follow_up(store, order, reached=True, satisfaction="dissatisfied", principal=OPERATOR, comment="仍然停水",
              now=reopened_at, limits=LIMITS)
    store.commit()

    detail = order_detail(store, order, principal=OPERATOR, now=reopened_at)
    assert detail.status == "rework" and detail.reopened == 1 and detail.closed_at is None
    assert detail.reply is None and detail.follow_up is not None and detail.follow_up.satisfaction == "dissatisfied"
    # a new reply deadline: five working days from Friday 10:00 is the next Friday 10:00
    assert detail.reply_due_at == datetime(2026, 12, 11, 2, 0, tzinfo=UTC)
    returned = next(part for part in detail.dispatches if part.department == "urban_mgmt")
    assert (returned.status, returned.note, returned.finished_at) == ("returned", "不属于本部门职责", _at(20))
    assert detail.departments == ("water", "municipal")
    water = next(part for part in detail.dispatches if part.department == "water")
    assert (water.status, water.accepted_at, water.arrived_at, water.note) == ("arrived", _at(60), _at(60), "到场")
    assert [(m.from_status, m.to_status) for m in detail.history] == [
        ("reported", "registered"), ("registered", "dispatched"), ("dispatched", "in_progress"),
        ("in_progress", "feedback"), ("feedback", "checking"), ("checking", "closed"), ("closed", "rework")]
    assert detail.history[3].comment == "已抢修管道，今晚恢复供水" and detail.history[-1].comment == "仍然停水"
    assert detail.history[0].at == TAKEN and detail.history[0].user == "hotline-12345"
    assert municipal in {part.id for part in detail.dispatches}

    # reopened: urban management, which returned it, is asked to help after all
    [rejoined] = redispatch_order(store, order, ["urban_mgmt"], principal=OPERATOR, note="回访不满意，协同处理",
                                  now=reopened_at)
    reply_order(store, order, "更换阀门，已恢复供水", principal=OPERATOR, now=reopened_at + timedelta(hours=3))
    close_order(store, order, principal=OPERATOR, comment="核实已恢复", now=reopened_at + timedelta(hours=4))
    follow_up(store, order, reached=True, satisfaction="satisfied", principal=OPERATOR,
              now=reopened_at + timedelta(days=1))
    store.commit()
    again = order_detail(store, order, principal=OPERATOR)
    assert (again.status, again.reopened, again.follow_up.satisfaction) == ("closed", 1, "satisfied")
    assert again.departments == ("water", "municipal", "urban_mgmt") and again.dispatches[-1].id == rejoined
    assert again.reply_card == "none" and again.close_card == "none"
    actions = [entry.action for entry in reversed(audit.recent(store, limit=50)) if entry.action.startswith("hotline")]
    assert actions == ["hotline.take", "hotline.dispatch", "hotline.return", "hotline.redispatch",
                       "hotline.progress.arrived", "hotline.reply", "hotline.close", "hotline.follow_up",
                       "hotline.reopen", "hotline.redispatch", "hotline.reply", "hotline.close",
                       "hotline.follow_up"]


def _dispatched(store: Session, order: int) -> int:
    dispatch_order(store, order, ["water", "urban_mgmt"], principal=OPERATOR, now=_at(5))
    return next(part.id for part in order_detail(store, order, principal=OPERATOR).dispatches
                if part.department == "urban_mgmt")


def _replied(store: Session, order: int) -> int:
    dispatch = _dispatched(store, order)
    reply_order(store, order, "已处理", principal=OPERATOR, now=_at(30))
    return dispatch


def _closed(store: Session, order: int) -> int:
    dispatch = _replied(store, order)
    close_order(store, order, principal=OPERATOR, now=_at(40))
    return dispatch


def _satisfied(store: Session, order: int) -> int:
    dispatch = _closed(store, order)
    follow_up(store, order, reached=True, satisfaction="satisfied", principal=OPERATOR, now=_at(60))
    return dispatch


ANALYST = Principal("an1", Role.ANALYST)
ELSEWHERE = Principal("op2", Role.OPERATOR, Scope.of(districts=["350206"]))


@pytest.mark.parametrize(("before", "step", "code"), [
    (None, lambda s, o, d: dispatch_order(s, o, ["water"], principal=ANALYST), "role"),
    (None, lambda s, o, d: dispatch_order(s, o, ["water"], principal=ELSEWHERE), "no_order"),
    (None, lambda s, o, d: dispatch_order(s, o, [], principal=OPERATOR), "needs_department"),
    (None, lambda s, o, d: dispatch_order(s, o, ["nobody"], principal=OPERATOR), "unknown_departments"),
    (_dispatched, lambda s, o, d: dispatch_order(s, o, ["water"], principal=OPERATOR), "not_allowed"),
    (_dispatched, lambda s, o, d: return_order(s, d, principal=OPERATOR, reason="  "), "needs_reason"),
    (_dispatched, lambda s, o, d: return_order(s, d, principal=WATER, reason="不是我们的"), "no_dispatch"),
    (_dispatched, lambda s, o, d: return_order(s, 999_999, principal=OPERATOR, reason="x"), "no_dispatch"),
    (_dispatched, lambda s, o, d: redispatch_order(s, o, ["municipal"], principal=OPERATOR), "nothing_returned"),
    (_dispatched, lambda s, o, d: reply_order(s, o, " ", principal=OPERATOR), "empty_reply"),
    (_dispatched, lambda s, o, d: close_order(s, o, principal=OPERATOR), "not_replied"),
    (_dispatched, lambda s, o, d: progress_order(s, o, "water", "landed", principal=OPERATOR), "unknown_stage"),
    (_dispatched, lambda s, o, d: progress_order(s, o, "police", "arrived", principal=OPERATOR), "no_dispatch"),
    (None, lambda s, o, d: reply_order(s, o, "已处理", principal=OPERATOR), "no_active_dispatch"),
    (_replied, lambda s, o, d: reply_order(s, o, "再次回复", principal=OPERATOR), "not_replyable"),
    (_replied, lambda s, o, d: follow_up(s, o, reached=True, satisfaction="satisfied", principal=OPERATOR),
     "not_closed"),
    (_closed, lambda s, o, d: return_order(s, d, principal=OPERATOR, reason="晚了"), "not_working"),
    (_closed, lambda s, o, d: follow_up(s, o, reached=True, satisfaction=None, principal=OPERATOR),
     "needs_satisfaction"),
    (_closed, lambda s, o, d: follow_up(s, o, reached=False, satisfaction="basic", principal=OPERATOR),
     "unreached_satisfaction"),
    (_closed, lambda s, o, d: follow_up(s, o, reached=True, satisfaction="happy", principal=OPERATOR),
     "unknown_satisfaction"),
    (_satisfied, lambda s, o, d: follow_up(s, o, reached=True, satisfaction="basic", principal=OPERATOR),
     "followed_up"),
    (None, lambda s, o, d: order_detail(s, o + 1, principal=OPERATOR), "no_order"),
])  # fmt: skip
def test_every_refusal_has_its_code_and_writes_nothing(store, order, before, step, code):
    dispatch = before(store, order) if before is not None else None
    store.commit()
    written = _written(store)
    with pytest.raises(OrderRefused) as refused:
        step(store, order, dispatch)
    store.rollback()
    assert refused.value.code == code and refused.value.reason
    assert _written(store) == written
    text = translator("zh-CN")[refused.value.key]
    assert text.format(**{k: ", ".join(v) if isinstance(v, tuple) else v for k, v in refused.value.params.items()})


def test_a_redispatch_goes_to_departments_not_already_working_on_it(store, order):
    returned = _dispatched(store, order)
    return_order(store, returned, principal=OPERATOR, reason="职责不符", now=_at(10))
    with pytest.raises(OrderRefused) as busy:
        redispatch_order(store, order, ["water", "municipal"], principal=OPERATOR, now=_at(15))
    assert (busy.value.code, busy.value.params) == ("already_dispatched", {"departments": ("water",)})
    with pytest.raises(OrderRefused, match="unknown department"):
        redispatch_order(store, order, ["ghosts"], principal=OPERATOR, now=_at(15))
    assert redispatch_order(store, order, ["urban_mgmt"], principal=OPERATOR, now=_at(15))  # it may come back
    with pytest.raises(OrderRefused) as twice:
        return_order(store, returned, principal=OPERATOR, reason="again")
    assert twice.value.code == "not_returnable"


def test_a_citizen_not_reached_may_be_called_again(store, order):
    _closed(store, order)
    follow_up(store, order, reached=False, satisfaction=None, principal=OPERATOR, now=_at(50))
    follow_up(store, order, reached=True, satisfaction="basic", principal=OPERATOR, now=_at(70))
    store.commit()
    assert order_detail(store, order, principal=OPERATOR).follow_up.satisfaction == "basic"


def test_the_reporter_is_masked_unless_the_caller_may_see_personal_data(store, order):
    shown = order_detail(store, order, principal=OPERATOR)
    assert (shown.reporter_name, shown.reporter_phone) == ("张三", "13812341234")
    for role in (Role.LEADER, Role.ANALYST):
        masked = order_detail(store, order, principal=Principal("x", role))
        assert (masked.reporter_name, masked.reporter_phone) == ("张*", "138****1234")


def test_a_department_sees_and_answers_only_the_orders_dispatched_to_it(store, order):
    police = Principal("police1", Role.OPERATOR, Scope.of(departments=["police"]))
    _dispatched(store, order)
    with pytest.raises(OrderRefused, match="no work order"):
        order_detail(store, order, principal=police)
    with pytest.raises(OrderRefused, match="no work order"):
        reply_order(store, order, "已处理", principal=police)
    assert order_detail(store, order, principal=WATER).departments == ("urban_mgmt", "water")


def test_the_cards_turn_yellow_then_red_as_the_deadlines_pass(store, order):
    detail = order_detail(store, order, principal=OPERATOR, now=TAKEN)
    assert detail.close_due_at == detail.reply_due_at == datetime(2026, 12, 8, 1, 30, tzinfo=UTC)
    assert order_detail(store, order, principal=OPERATOR, now=TAKEN + timedelta(days=6)).reply_card == "yellow"
    late = order_detail(store, order, principal=OPERATOR, now=TAKEN + timedelta(days=8))
    assert (late.reply_card, late.close_card) == ("red", "red")


def test_every_hotline_refusal_is_worded_in_both_languages():
    for code in REASONS:
        assert translator("zh-CN")[f"hotline.refusal.{code}"] and translator("en")[f"hotline.refusal.{code}"]
    assert OrderRefused("not_allowed", current="closed", to="rework", allowed=("x",)).key == "events.refusal.not_allowed"
