"""/events lifecycle actions in a real headless Chromium: an operator registers a reported event from its detail
panel, an illegal move is refused with the reason shown, both are audited, and an analyst sees no action bar."""

from __future__ import annotations

from components.i18n import translator
from dashboards._event_views import refusal_text
from services import audit
from services.events.lifecycle import REASONS, TransitionRefused, refusal
from services.store import Event
from tests.dashboards.dom import click_when_still
from tests.dashboards.event_grid import open_event, wait_for_rows


def _open_first_reported_event(dash_duo, open_page, role: str) -> str:
    open_page("/events?status=reported&view=districts", role=role)
    event_id = wait_for_rows(dash_duo.driver)[0]["id"]
    open_event(dash_duo, event_id, status="reported")
    return event_id


def test_an_operator_registers_an_event_and_an_illegal_move_is_refused_with_its_reason(dash_duo, open_page,
                                                                                        wall_runtime):
    dash_duo.driver.set_window_size(1600, 1200)
    event_id = _open_first_reported_event(dash_duo, open_page, "operator")

    click_when_still(dash_duo.driver, "#event-act-close")  # the panel slides in
    dash_duo.wait_for_element("#event-act-message.event-act-refused", timeout=15)
    message = dash_duo.find_element("#event-act-message").text
    assert "不能从上报转为结案" in message and "作废或立案" in message, message  # the Chinese page words it in Chinese

    click_when_still(dash_duo.driver, "#event-act-register")
    dash_duo.wait_for_element(f'#event-detail-body h3[data-event-id="{event_id}"][data-status="registered"]',
                              timeout=15)
    assert "event-act-done" in dash_duo.find_element("#event-act-message").get_attribute("class")
    assert "上报 → 立案" in dash_duo.find_element("#event-detail-body .event-history").text

    with wall_runtime.sessions() as session:
        assert session.get(Event, int(event_id)).status == "registered"
        entries = [(e.action, e.target, e.outcome) for e in audit.recent(session, actor="operator")
                   if e.action.startswith("event.")]
    assert ("event.register", f"event:{event_id}", "ok") in entries
    assert ("event.close", f"event:{event_id}", "refused") in entries


def test_an_analyst_sees_no_action_bar(dash_duo, open_page):
    _open_first_reported_event(dash_duo, open_page, "analyst")
    assert "d-none" in dash_duo.find_element("#event-actions").get_attribute("class")


def test_a_refusal_is_worded_in_the_page_language_with_its_statuses_and_departments():
    illegal = refusal("reported", "closed")
    assert illegal is not None
    assert refusal_text(illegal, "zh-CN", {}) == "不能从上报转为结案：上报之后只能作废或立案"
    assert refusal_text(illegal, "en", {}) == ("Reported → Closed is not allowed: from Reported the next step is "
                                               "Cancelled or Registered")
    early = TransitionRefused("stage_order", department="police", dispatch_status="dispatched", stage="arrive",
                              needed="accepted")
    assert refusal_text(early, "zh-CN", {"police": "公安局"}) == "公安局已派遣：到场前须已签收"
    for code in REASONS:  # every code has its sentence in the catalog (both languages: tests/components/test_i18n)
        assert f"events.refusal.{code}" in translator("zh-CN")
