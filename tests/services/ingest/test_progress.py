"""Progress from department systems on both backends: lifecycle refusals keep their codes, dispatch stages that
arrive out of order are kept and never move a dispatch back, the read-back masks unless allowed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.access import Principal, Role
from services.events import TransitionRefused
from services.ingest import event_record, find_event, ingest_events, move_event, report_dispatch
from services.store.catalog import load_categories

SYSTEM = Principal(username="api:water", role=Role.OPERATOR)
AT = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
CATEGORIES = load_categories()  # the default pack's
ROW = {"external_id": "P-1", "category": "waterlogging", "reported_at": "2026-12-01T09:30:00+08:00",
       "lon": 118.0894, "lat": 24.4798, "reporter_name": "张三", "reporter_phone": "13812341234"}


@pytest.fixture
def event(store, city):  # type: ignore[no-untyped-def]
    ingest_events(store, [ROW], source="water", city=city, categories=CATEGORIES)
    store.commit()
    return find_event(store, "water", "P-1")


def test_stages_out_of_order_are_kept_and_the_record_shows_them(store, event):
    with pytest.raises(TransitionRefused) as refused:
        move_event(store, event, "closed", principal=SYSTEM)
    assert refused.value.code == "not_allowed"
    store.rollback()
    move_event(store, event, "registered", principal=SYSTEM, at=AT)
    move_event(store, event, "dispatched", principal=SYSTEM, departments=["water"], at=AT)
    report_dispatch(store, event, "water", "finished", principal=SYSTEM, at=AT + timedelta(hours=2), note="完工")
    report_dispatch(store, event, "water", "accepted", principal=SYSTEM, at=AT + timedelta(minutes=5))
    store.commit()
    record = event_record(store, event, may_see_pii=False)
    (part,) = record["dispatches"]
    assert part["status"] == "finished" and part["arrived_at"] is None and part["note"] == "完工"
    assert part["accepted_at"] == AT + timedelta(minutes=5)
    assert [move["to"] for move in record["history"]] == ["registered", "dispatched"]
    assert (record["reporter_name"], record["reporter_phone"]) == ("张*", "138****1234")
    assert event_record(store, event, may_see_pii=True)["reporter_name"] == "张三"


def test_progress_on_a_closed_or_undispatched_part_is_refused_with_its_code(store, event):
    with pytest.raises(TransitionRefused) as refused:
        report_dispatch(store, event, "water", "accepted", principal=SYSTEM)
    assert refused.value.code == "no_dispatch"
    move_event(store, event, "cancelled", principal=SYSTEM, comment="重复上报")
    with pytest.raises(TransitionRefused) as refused:
        report_dispatch(store, event, "water", "teleported", principal=SYSTEM)
    assert refused.value.code == "unknown_stage"
