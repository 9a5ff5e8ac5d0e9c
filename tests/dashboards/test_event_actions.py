"""/events lifecycle actions in a real headless Chromium: an operator registers a reported event from its detail
panel, an illegal move is refused with the reason shown, both are audited, and an analyst sees no action bar."""

from __future__ import annotations

from services import audit
from services.db import Event


def _open_first_reported_event(dash_duo, open_page, role: str) -> str:
    open_page("/events?status=reported&view=districts", role=role)
    cell = dash_duo.wait_for_element('#events-table td[data-dash-column="id"]', timeout=15)
    event_id = cell.text
    cell.click()
    dash_duo.wait_for_element(f'#event-detail-body h3[data-event-id="{event_id}"][data-status="reported"]',
                              timeout=15)
    return event_id


def test_an_operator_registers_an_event_and_an_illegal_move_is_refused_with_its_reason(dash_duo, open_page,
                                                                                        wall_runtime):
    dash_duo.driver.set_window_size(1600, 1200)
    event_id = _open_first_reported_event(dash_duo, open_page, "operator")

    dash_duo.find_element("#event-act-close").click()
    dash_duo.wait_for_element("#event-act-message.event-act-refused", timeout=15)
    message = dash_duo.find_element("#event-act-message").text
    assert "reported → closed is not allowed" in message and "registered" in message, message

    dash_duo.find_element("#event-act-register").click()
    dash_duo.wait_for_element(f'#event-detail-body h3[data-event-id="{event_id}"][data-status="registered"]',
                              timeout=15)
    assert "event-act-done" in dash_duo.find_element("#event-act-message").get_attribute("class")
    assert "reported → registered" in dash_duo.find_element("#event-detail-body .event-history").text

    with wall_runtime.sessions() as session:
        assert session.get(Event, int(event_id)).status == "registered"
        entries = [(e.action, e.target, e.outcome) for e in audit.recent(session, actor="operator")
                   if e.action.startswith("event.")]
    assert ("event.register", f"event:{event_id}", "ok") in entries
    assert ("event.close", f"event:{event_id}", "refused") in entries


def test_an_analyst_sees_no_action_bar(dash_duo, open_page):
    _open_first_reported_event(dash_duo, open_page, "analyst")
    assert "d-none" in dash_duo.find_element("#event-actions").get_attribute("class")
