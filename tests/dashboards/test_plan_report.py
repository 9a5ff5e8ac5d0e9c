"""The after-action report from the console's plan panel, in a real headless Chromium: a response whose water
department has accepted is picked, its report downloads as a PDF carrying the plan, the departments and the
minutes from the alert, and the download is audited; /events draws the response's area over its map (the alert
has no CAP polygon: its district is the area) and says how many open events lie inside."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import select

from services import audit, plans
from services.access import Principal, Role
from services.events import advance_dispatch
from services.store import Alert, EventDispatch
from tests.dashboards.downloads import downloaded
from tests.dashboards.live_alerts import alert_sender, wait_stored

OPERATOR = Principal("op1", Role.OPERATOR)


def _alert(alert_id: str) -> dict[str, str]:
    return {"id": alert_id, "source": "meteo", "sent": datetime.now(UTC).isoformat(), "severity": "severe",
            "urgency": "immediate", "certainty": "observed", "category": "met", "event": "暴雨",
            "headline": "暴雨橙色预警：城区严重内涝", "district": "350203", "msg_type": "alert"}


def test_the_after_action_report_downloads_and_is_audited(dash_duo, open_page, wall_runtime, redis_client):
    send = alert_sender(wall_runtime, redis_client, _alert)
    open_page("/alerts", role="operator")  # the app's persist worker starts with it
    dash_duo.wait_for_element('#connection-state[data-state="live"]', timeout=15)
    stream_id = send("flood-report-1")
    wait_stored(wall_runtime, stream_id)
    plan = wall_runtime.pack.plan("flood")
    assert plan is not None
    with wall_runtime.sessions() as session:
        alert = session.scalar(select(Alert).where(Alert.stream_id == stream_id))
        activated = (alert.received_at or alert.sent_at) + timedelta(minutes=3)
        response = plans.activate(session, alert.id, plan, principal=OPERATOR, now=activated)
        water = session.scalar(select(EventDispatch.id).where(EventDispatch.event_id == response.event_id,
                                                               EventDispatch.department == "water"))
        advance_dispatch(session, water, "accept", principal=OPERATOR, now=activated + timedelta(minutes=4))
        response_id = response.id
        session.commit()

    dash_duo.wait_for_element(f'#alert-list tr[data-alert-id="{stream_id}"]', timeout=15).click()
    dash_duo.wait_for_element('#plan-response[data-status="active"]', timeout=10)
    folder = Path(dash_duo.download_path)
    dash_duo.find_element("#plan-response button.btn-outline-info").click()
    pdf = downloaded(folder, ".pdf", timeout=30)
    assert pdf.name == f"after-action-{response_id}.pdf"
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "应急响应事后评估报告" in text and plan.name_zh in text
    assert "预警至启动（分钟）\n3\n" in text  # activated 3 minutes after the alert reached us
    water_row = text[text.index("厦门水务集团"):].split("\n")[:7]
    assert [water_row[1], *water_row[3:]] == ["牵头", "7", "—", "—", "按时"]  # accepted 7 minutes after the alert
    with wall_runtime.sessions() as session:
        (entry,) = audit.recent(session, action="export.after_action")
    assert (entry.actor, entry.detail) == ("operator", f"response:{response_id}")
    assert dash_duo.get_logs() == [], "the browser console has errors"

    open_page("/events", role="operator")
    dash_duo.wait_for_contains_text("#events-incident", "应急响应", timeout=10)
    assert dash_duo.find_element("#events-incident").text.startswith(f"应急响应 · {plan.name_zh} · 影响区域：思明区 · 区域内在办事件")
    dash_duo.wait_for_element("#events-map .js-plotly-plot")
    names = dash_duo.driver.execute_script(
        "return document.querySelector('#events-map .js-plotly-plot').data.map(t => t.name);")
    assert names[-2:] == ["touched", "area"]
