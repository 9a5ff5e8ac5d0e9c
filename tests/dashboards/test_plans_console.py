"""From alert to response in the operator console, in a real headless Chromium on a real Redis: a severe flood
alert arrives, the flood plan is suggested with why, 启动预案 opens one incident with a dispatch to every department
of the plan, the checklist is ticked, the sender's Cancel proposes standing down, and 结束响应 closes it."""

from __future__ import annotations

from datetime import UTC, datetime

from selenium.webdriver.support.ui import Select
from sqlalchemy import select

from services.store import Event, EventDispatch, Response
from tests.dashboards.dom import settle, texts_of
from tests.dashboards.live_alerts import alert_sender, wait_stored
from tests.dashboards.page_checks import axe_violations, undrawn_cjk


def _alert(alert_id: str, **changes: str) -> dict[str, str]:
    return {"id": alert_id, "source": "meteo", "sent": datetime.now(UTC).isoformat(), "severity": "severe",
            "urgency": "immediate", "certainty": "observed", "category": "met", "event": "暴雨",
            "headline": "暴雨橙色预警：城区严重内涝", "district": "350203", "msg_type": "alert", **changes}


def test_alert_suggests_plan_activation_dispatches_and_stand_down(dash_duo, open_page, wall_runtime, redis_client):
    send = alert_sender(wall_runtime, redis_client, _alert)
    open_page("/alerts", role="operator")
    dash_duo.wait_for_element('#connection-state[data-state="live"]', timeout=15)
    stream_id = send("flood-1")
    row = dash_duo.wait_for_element(f'#alert-list tr[data-alert-id="{stream_id}"]', timeout=5)
    wait_stored(wall_runtime, stream_id)
    row.click()

    dash_duo.wait_for_element('.plan-suggestion[data-plan="flood"][data-level="III"]', timeout=10)
    reasons = texts_of(dash_duo.driver, '.plan-suggestion[data-plan="flood"] .plan-reasons li')
    assert reasons == ["事件名称含“暴雨”", "预警类别 met", "预警级别 severe ≥ severe"]
    dash_duo.find_element('.plan-suggestion[data-plan="flood"] button').click()

    dash_duo.wait_for_element('#plan-response[data-status="active"][data-level="III"]', timeout=10)
    dash_duo.wait_for_element('#plan-message[data-outcome="done"]', timeout=5)
    tasks = dash_duo.find_elements(".plan-task")
    assert [t.get_attribute("data-department") for t in tasks] == ["water", "urban_mgmt", "traffic_police",
                                                                   "emergency"]
    assert {t.get_attribute("data-status") for t in tasks} == {"dispatched"}
    duty = texts_of(dash_duo.driver, '.plan-task[data-department="water"] .plan-duty')
    assert duty == ["值班：水务集团调度值班长 黄志明 13905920201"]  # an operator may see who, and the number
    with wall_runtime.sessions() as session:
        (event,) = session.scalars(select(Event).where(Event.source == "plan")).all()
        dispatched = set(session.scalars(select(EventDispatch.department).where(EventDispatch.event_id == event.id)))
        assert dispatched == {"water", "urban_mgmt", "traffic_police", "emergency"}
        assert event.category == "waterlogging" and event.status == "dispatched"
    dash_duo.wait_for_element('#alert-detail-facts[data-status="acknowledged"]', timeout=5)

    settle(dash_duo.driver)
    assert [(v["id"], v["nodes"]) for v in axe_violations(dash_duo.driver)] == []  # the response panel, as a person meets it
    assert undrawn_cjk(dash_duo.driver) == []

    dash_duo.find_element('.plan-check[data-key="c1"] button').click()
    dash_duo.wait_for_element('.plan-check[data-key="c1"][data-done="true"]', timeout=5)

    Select(dash_duo.find_element("#plan-response select")).select_by_value("II")  # raised: audited, notified
    dash_duo.find_element("#plan-response button.btn-warning").click()
    dash_duo.wait_for_element('#plan-response[data-status="active"][data-level="II"]', timeout=5)

    send("flood-2", msg_type="cancel", references="flood-1")
    dash_duo.wait_for_element('#plan-response[data-cancel-proposed="true"]', timeout=10)
    dash_duo.find_element(".plan-summary-field textarea").send_keys("积水已排除，道路恢复通行")
    dash_duo.find_element('#plan-response button.btn-success').click()
    dash_duo.wait_for_element('#plan-response[data-status="closed"]', timeout=10)
    with wall_runtime.sessions() as session:
        (response,) = session.scalars(select(Response)).all()
        assert (response.status, response.summary) == ("closed", "积水已排除，道路恢复通行")
        assert session.scalar(select(Event.id).where(Event.source == "plan").offset(1)) is None  # one incident
    assert dash_duo.get_logs() == [], "the browser console has errors"
