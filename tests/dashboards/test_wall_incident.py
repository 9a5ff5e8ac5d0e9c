"""Incident mode on the wall, in a real headless Chromium on a real Redis: a severe flood alert with a CAP polygon
over one district arrives, the flood plan is activated, and the wall switches to the incident — the area on its
map, the level, each department's task — on the push alone (its fallback timer is 30 s); a department's progress
and a ticked checklist line show; an operator leaves incident mode and brings it back; at stand-down the wall is
back to its overview."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select

from services import plans
from services.access import Principal, Role
from services.events import advance_dispatch
from services.store import Alert, EventDispatch
from tests.dashboards.dom import texts_of
from tests.dashboards.live_alerts import alert_sender, wait_stored

OPERATOR = Principal("op1", Role.OPERATOR)
PUSHED_S = 5  # far below the section's 30 s fallback timer: only the push gets the wall there in time
# a rectangle in Siming (思明) reaching just over the border into Huli (湖里): two districts touched
AREA = {"type": "Polygon", "coordinates": [[[118.10, 24.45], [118.15, 24.45], [118.15, 24.49], [118.10, 24.49],
                                            [118.10, 24.45]]]}


def _alert(alert_id: str, **changes: str) -> dict[str, str]:
    return {"id": alert_id, "source": "meteo", "sent": datetime.now(UTC).isoformat(), "severity": "severe",
            "urgency": "immediate", "certainty": "observed", "category": "met", "event": "暴雨",
            "headline": "暴雨橙色预警：城区严重内涝", "district": "350203", "msg_type": "alert",
            "area": json.dumps(AREA), "lat": "24.47", "lon": "118.125", **changes}


def _mode(dash_duo, mode: str) -> None:
    dash_duo.wait_for_element(f'#wall-incident[data-mode="{mode}"]', timeout=PUSHED_S)


def test_the_wall_follows_a_response_from_activation_to_stand_down(dash_duo, open_page, wall_runtime, redis_client,
                                                                  shoot):
    send = alert_sender(wall_runtime, redis_client, _alert)
    open_page("/wall", role="wall")
    dash_duo.wait_for_element('#connection-state[data-state="live"]', timeout=15)
    _mode(dash_duo, "overview")
    stream_id = send("flood-wall-1")
    wait_stored(wall_runtime, stream_id)

    plan = wall_runtime.pack.plan("flood")
    assert plan is not None
    with wall_runtime.sessions() as session:
        alert_pk = session.scalar(select(Alert.id).where(Alert.stream_id == stream_id))
        response = plans.activate(session, alert_pk, plan, principal=OPERATOR)
        response_id, event_id = response.id, response.event_id
        session.commit()

    dash_duo.wait_for_element(f'#wall-incident[data-mode="incident"][data-level="III"][data-response="{response_id}"]',
                              timeout=PUSHED_S)
    tasks = dash_duo.find_elements(".incident-task")
    assert [t.get_attribute("data-department") for t in tasks] == ["water", "urban_mgmt", "traffic_police",
                                                                   "emergency"]
    assert {t.get_attribute("data-status") for t in tasks} == {"dispatched"}
    assert all(left.startswith("剩余") for left in texts_of(dash_duo.driver, ".incident-left"))
    area = dash_duo.find_element(".incident-area").text
    assert "思明区" in area and "湖里区" in area
    dash_duo.wait_for_element("#incident-map .js-plotly-plot")
    names = dash_duo.driver.execute_script(
        "return document.querySelector('#incident-map .js-plotly-plot').data.map(t => t.name);")
    assert names == ["districts", "touched", "area", "events"]
    assert texts_of(dash_duo.driver, ".incident-alert span") == ["暴雨橙色预警：城区严重内涝"]
    shoot("wall-incident.png")

    with wall_runtime.sessions() as session:  # the water department reports through its own system
        water = session.scalar(select(EventDispatch.id).where(EventDispatch.event_id == event_id,
                                                               EventDispatch.department == "water"))
        advance_dispatch(session, water, "accept", principal=OPERATOR)
        session.commit()
    dash_duo.wait_for_element('.incident-task[data-department="water"][data-status="accepted"]', timeout=PUSHED_S)
    with wall_runtime.sessions() as session:
        plans.tick(session, response_id, "c1", principal=OPERATOR)
        session.commit()
    total = len(plan.checklist)
    dash_duo.wait_for_element(f'#incident-checks[data-done="1"][data-total="{total}"]', timeout=PUSHED_S)

    dash_duo.find_element(".incident-leave").click()
    _mode(dash_duo, "left")
    dash_duo.find_element(".incident-return").click()
    _mode(dash_duo, "incident")

    with wall_runtime.sessions() as session:
        plans.stand_down(session, response_id, principal=OPERATOR, summary="积水已排除")
        session.commit()
    _mode(dash_duo, "overview")
    assert dash_duo.get_logs() == [], "the browser console has errors"
