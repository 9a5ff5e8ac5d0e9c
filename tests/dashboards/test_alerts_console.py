"""/alerts, the operator console, in a real headless Chromium on a real Redis: alerts pushed live in order with
their severity, a storm as one row with its count, and an acknowledgement with a comment in the audit trail."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from selenium.webdriver.common.by import By
from sqlalchemy import select

from services.store import Alert
from tests.dashboards.live_alerts import alert_sender


def _alert(alert_id: str, severity: str, event: str, district: str = "350206") -> dict[str, str]:
    return {"id": alert_id, "source": "test", "sent": datetime.now(UTC).isoformat(), "severity": severity,
            "urgency": "immediate", "certainty": "observed", "category": "safety", "event": event,
            "headline": f"{event} {alert_id}", "district": district, "msg_type": "alert"}


def _stored(runtime, stream_id: str) -> None:
    """Wait (not a timing assertion) until the app's persist worker has written the alert."""
    for _ in range(100):
        with runtime.sessions() as session:
            if session.scalar(select(Alert.id).where(Alert.stream_id == stream_id)) is not None:
                return
        time.sleep(0.1)
    raise AssertionError(f"alert {stream_id} was never persisted")


def test_live_list_storm_count_and_acknowledge_with_audit(dash_duo, open_page, wall_runtime, redis_client):
    send = alert_sender(wall_runtime, redis_client, _alert)
    open_page("/alerts", role="operator")
    dash_duo.wait_for_element('#connection-state[data-state="live"]', timeout=15)

    sent = [send("c-1", "severe", "燃气泄漏"), send("c-2", "minor", "路灯故障"), send("c-3", "extreme", "山体滑坡")]
    dash_duo.wait_for_element(f'#alert-list tr[data-alert-id="{sent[-1]}"]', timeout=5)
    rows = dash_duo.find_elements("#alert-list tr")
    assert [row.get_attribute("data-alert-id") for row in rows][:3] == sent[::-1]  # newest first, each once
    assert [row.get_attribute("data-severity") for row in rows][:3] == ["extreme", "minor", "severe"]
    assert [row.get_attribute("data-status") for row in rows][:3] == ["new"] * 3

    send("c-4", "severe", "燃气泄漏")
    send("c-5", "severe", "燃气泄漏")
    storm = dash_duo.wait_for_element(f'#alert-list tr[data-alert-id="{sent[0]}"][data-count="3"]', timeout=5)
    assert storm.find_element(By.CSS_SELECTOR, ".console-count").text == "×3"
    assert len(dash_duo.find_elements("#alert-list tr")) == 3

    _stored(wall_runtime, sent[0])
    storm.click()
    dash_duo.wait_for_element(f'#alert-detail-facts[data-alert-id="{sent[0]}"][data-status="new"]', timeout=5)
    dash_duo.find_element("#action-comment").send_keys("已通知燃气公司")
    dash_duo.find_element("#btn-ack").click()
    dash_duo.wait_for_element('#alert-detail-facts[data-status="acknowledged"]', timeout=5)
    entry = dash_duo.wait_for_element('#audit-trail li[data-action="acknowledge"]', timeout=5)
    assert entry.get_attribute("data-user") not in ("", "system")
    assert "已通知燃气公司" in entry.text
    dash_duo.wait_for_element(f'#alert-list tr[data-alert-id="{sent[0]}"][data-status="acknowledged"]', timeout=5)
    assert dash_duo.find_element("#action-message").text != ""

    dash_duo.find_element("#btn-ack").click()  # again: refused with the reason, nothing recorded twice
    dash_duo.wait_for_text_to_equal("#action-message", "cannot acknowledge an alert that is acknowledged", timeout=5)
    assert len(dash_duo.find_elements('#audit-trail li[data-action="acknowledge"]')) == 1

    send("c-6", "minor", "井盖缺失")  # the push still runs after the list was reloaded by the action
    dash_duo.wait_for_element('#alert-list tr[data-severity="minor"][data-status="new"]:first-child', timeout=5)
    assert dash_duo.get_logs() == [], "the browser console has errors"


def _history(runtime, count: int, hours_apart: float) -> None:
    """`count` stored alerts, one every `hours_apart` hours back from now, each its own storm (distinct events)."""
    now = datetime.now(UTC)
    with runtime.sessions() as session:
        session.add_all(
            Alert(stream_id=f"{n + 1}-0", alert_id=f"hist-{n}", source="test", sent_at=now - timedelta(hours=n * hours_apart),
                  severity="minor", urgency="past", certainty="observed", category="infra", event=f"history {n}",
                  headline=f"history {n}", district="350203", msg_type="alert", status="resolved")
            for n in range(count))
        session.commit()


def test_pages_and_time_range_live_in_the_url(dash_duo, open_page, wall_runtime):
    _history(wall_runtime, 120, hours_apart=0.5)  # 60 hours of alerts: 48 within the last 24 h
    open_page("/alerts?range=24h", role="operator")
    dash_duo.wait_for_text_to_equal("#page-info", "第 1/1 页 · 共 48 条", timeout=10)
    assert len(dash_duo.find_elements("#alert-list tr")) == 48

    dash_duo.select_dcc_dropdown("#filter-range", "近7天")
    dash_duo.wait_for_text_to_equal("#page-info", "第 1/3 页 · 共 120 条", timeout=10)
    assert "range=7d" in dash_duo.driver.current_url
    dash_duo.find_element("#page-next").click()
    dash_duo.wait_for_text_to_equal("#page-info", "第 2/3 页 · 共 120 条", timeout=10)
    assert "page=2" in dash_duo.driver.current_url
    assert dash_duo.find_element("#alert-list tr:first-child").get_attribute("data-alert-id") == "51-0"  # newest first: alert 50

    dash_duo.driver.get(dash_duo.driver.current_url)  # the URL restores the page and the range
    dash_duo.wait_for_text_to_equal("#page-info", "第 2/3 页 · 共 120 条", timeout=10)
    dash_duo.find_element("#page-prev").click()
    dash_duo.wait_for_text_to_equal("#page-info", "第 1/3 页 · 共 120 条", timeout=10)
    assert dash_duo.find_element("#alert-list tr:first-child").get_attribute("data-alert-id") == "1-0"
    assert dash_duo.get_logs() == [], "the browser console has errors"
