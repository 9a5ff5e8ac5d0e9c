"""受理 on both backends: orders from the agents' system stored as registered events with their work orders, the
city's time limits (working days across a weekend), the caller's key as calls keep it, repeat flags, a per-row
report, and an Open311 request given the same."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from services.citypack import HotlineLimits, LimitRow, Span
from services.hotline import caller_key, posted_request, submit, take_orders
from services.ingest import applicant_key
from services.store import Event, EventTransition, WorkOrder
from tests.services.hotline.orders_data import CATEGORIES, LIMITS, ROW, SECRET


def _take(store, city, rows, limits=LIMITS):  # type: ignore[no-untyped-def]
    report = take_orders(store, rows, source="hotline-12345", city=city, categories=CATEGORIES, limits=limits,
                         secret_key=SECRET)
    store.commit()
    return report


def _order(store, external_id: str) -> tuple[Event, WorkOrder]:  # type: ignore[no-untyped-def]
    event = store.scalar(select(Event).where(Event.external_id == external_id))
    return event, store.get(WorkOrder, event.id)


def test_an_order_is_a_registered_event_with_its_channel_limits_and_caller_key(store, city):
    report = _take(store, city, [ROW, {**ROW, "external_id": "12345-0002", "channel": "小程序", "urgency": "紧急",
                                 "reported_at": "2026-12-04T17:00:00+08:00"}])
    assert (report.accepted, report.updated, report.refused) == (2, 0, [])
    event, order = _order(store, "12345-0001")
    assert (event.status, event.source, order.channel, order.urgency) == ("registered", "hotline-12345", "phone",
                                                                          "ordinary")
    # ordinary: 5 working days from Tuesday 09:30 is the next Tuesday 09:30 (the weekend skipped)
    assert order.reply_due_at == event.sla_due_at == datetime(2026, 12, 8, 1, 30, tzinfo=UTC)
    assert order.caller_key == applicant_key("13812341234", SECRET) == caller_key(" 13812341234 ", SECRET)
    assert len(order.token) <= 36 and order.reopened == 0 and order.repeat_of is None
    moves = store.scalars(select(EventTransition).where(EventTransition.event_id == event.id)).all()
    assert [(m.to_status, m.at) for m in moves] == [("registered", datetime(2026, 12, 1, 1, 30, tzinfo=UTC))]
    urgent, urgent_order = _order(store, "12345-0002")
    assert (urgent_order.channel, urgent_order.urgency, urgent.severity) == ("mini_program", "urgent", "severe")
    assert urgent_order.reply_due_at == datetime(2026, 12, 4, 11, 0, tzinfo=UTC)  # 2 hours
    assert urgent.sla_due_at == datetime(2026, 12, 5, 9, 0, tzinfo=UTC)  # 24 hours, weekend or not


def test_sending_an_order_again_updates_it_without_registering_it_twice(store, city):
    _take(store, city, [ROW])
    again = _take(store, city, [{**ROW, "urgency": "urgent", "description": "停水两天了"}])
    assert (again.accepted, again.updated) == (0, 1)
    event, order = _order(store, "12345-0001")
    assert order.urgency == "urgent" and order.reply_due_at == datetime(2026, 12, 1, 3, 30, tzinfo=UTC)
    assert len(store.scalars(select(EventTransition)).all()) == 1


def test_bad_rows_are_reported_by_row_and_field_and_the_rest_taken(store, city):
    rows = [{**ROW, "channel": None}, {**ROW, "external_id": "2", "channel": "fax"}, ROW,
            {**ROW, "external_id": "4", "urgency": "whenever"}, {**ROW, "external_id": "5", "category": "ufo"},
            {**ROW, "external_id": "6", "reported_at": "yesterday"}]
    report = _take(store, city, rows)
    assert report.accepted == 1
    assert [(r.row, r.field) for r in report.refused] == [(1, "channel"), (2, "channel"), (4, "urgency"),
                                                         (5, "category"), (6, "reported_at")]
    assert len(store.scalars(select(WorkOrder)).all()) == 1


def test_a_category_row_of_the_pack_overrides_the_default(store, city):
    limits = HotlineLimits((LimitRow("water", "ordinary", Span(4, "h"), Span(1, "wd")),
                            LimitRow("*", "ordinary", Span(3, "wd"), Span(3, "wd"))), "Asia/Shanghai")
    _take(store, city, [{**ROW, "reported_at": "2026-12-04T15:00:00+08:00"},
                  {**ROW, "external_id": "M-1", "category": "market", "subcategory": "价格投诉",
                   "reported_at": "2026-12-04T15:00:00+08:00"}], limits=limits)
    water, water_order = _order(store, "12345-0001")
    assert water_order.reply_due_at == datetime(2026, 12, 4, 11, 0, tzinfo=UTC)
    assert water.sla_due_at == datetime(2026, 12, 7, 7, 0, tzinfo=UTC)  # Friday 15:00 + 1 working day: Monday
    market, _ = _order(store, "M-1")
    assert market.sla_due_at == datetime(2026, 12, 9, 7, 0, tzinfo=UTC)  # + 3 working days: Wednesday


def test_the_same_caller_or_place_calling_again_is_flagged_as_a_repeat(store, city):
    _take(store, city, [ROW])
    _take(store, city, [
        {**ROW, "external_id": "again", "description": "幸福小区3号楼还是停水，又打电话了",
         "reported_at": "2026-12-03T10:00:00+08:00"},
        {**ROW, "external_id": "neighbour", "reporter_phone": "13900001111", "lon": 118.0896,
         "description": "幸福小区3号楼停水一天了", "reported_at": "2026-12-03T11:00:00+08:00"},
        {**ROW, "external_id": "other", "category": "city_appearance", "subcategory": "暴露垃圾",
         "description": "路边垃圾堆积没人清理", "reported_at": "2026-12-03T12:00:00+08:00"},
        {**ROW, "external_id": "late", "reported_at": "2027-02-20T09:30:00+08:00"},
    ])
    first, _ = _order(store, "12345-0001")
    assert _order(store, "again")[1].repeat_of == first.id
    assert _order(store, "neighbour")[1].repeat_of in {first.id, _order(store, "again")[0].id}
    assert _order(store, "other")[1].repeat_of is None and _order(store, "late")[1].repeat_of is None


def test_an_open311_request_gets_the_same_limits_caller_key_and_repeat_flag(store, city):
    _take(store, city, [ROW])
    fields = {"service_code": "water", "attribute[subcategory]": "停水", "lat": "24.4798", "long": "118.0894",
              "first_name": "三", "last_name": "张", "phone": "13812341234", "description": "幸福小区3号楼停水一天了"}
    posted = posted_request(fields, categories=CATEGORIES, districts={}, now=datetime(2026, 12, 2, 2, tzinfo=UTC))
    request_id = submit(store, posted, source="open311", city=city, categories=CATEGORIES, limits=LIMITS,
                        secret_key=SECRET)
    store.commit()
    event, order = store.get(Event, request_id), store.get(WorkOrder, request_id)
    assert (event.status, order.channel, order.token) == ("reported", "open311", posted.token)
    assert order.caller_key == applicant_key("13812341234", SECRET)
    assert order.reply_due_at == event.sla_due_at == datetime(2026, 12, 9, 2, tzinfo=UTC)
    assert order.repeat_of == _order(store, "12345-0001")[0].id
