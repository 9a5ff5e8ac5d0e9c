"""/wall in a real headless Chromium: an alert posted again (same sender, same id) is one row and one pop-up, as it
is one row in SQL; a different sender's alert with the same id is another alert."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from tests.dashboards.live_alerts import alert_sender


def _alert(alert_id: str, source: str, headline: str) -> dict[str, str]:
    return {"id": alert_id, "source": source, "sent": datetime.now(UTC).isoformat(), "severity": "severe",
            "urgency": "immediate", "certainty": "observed", "category": "met", "event": "燃气泄漏",
            "headline": headline, "district": "350206", "msg_type": "alert"}


def test_the_same_alert_three_times_is_one_row_and_one_popup(dash_duo, open_page, wall_runtime, redis_client):
    send = alert_sender(wall_runtime, redis_client, _alert)
    open_page("/wall", role="wall")
    dash_duo.wait_for_element('#connection-state[data-state="live"]', timeout=15)

    head = send("dup-1", "gas-sensors", "湖里区 燃气泄漏")
    dash_duo.wait_for_element("#alert-popup.is-open.severity-severe", timeout=5)
    dash_duo.find_element("#alert-popup-close").click()
    dash_duo.wait_for_element("#alert-popup:not(.is-open)", timeout=5)
    time.sleep(1.2)  # past the pop-up's pacing gap: a repeat would pop up again at once
    repeats = [send("dup-1", "gas-sensors", "湖里区 燃气泄漏") for _ in range(2)]
    other = send("dup-1", "another-system", "湖里区 燃气泄漏 (另一系统)")  # not a repeat: another sender
    dash_duo.wait_for_element(f'#alert-ticker li[data-alert-id="{head}"][data-count="2"]', timeout=5)
    time.sleep(1.5)

    rows = dash_duo.find_elements('#alert-ticker li[data-group="燃气泄漏|350206|severe"]')
    assert [row.get_attribute("data-alert-id") for row in rows] == [head]
    assert rows[0].get_attribute("data-count") == "2"  # its own first sighting and the other sender's
    assert not any(dash_duo.find_elements(f'#alert-ticker li[data-alert-id="{sid}"]') for sid in repeats + [other])
    dash_duo.wait_for_element("#alert-popup.is-open", timeout=5)  # the other sender's alert pops up …
    assert "另一系统" in dash_duo.find_element("#alert-popup-text").text  # … and the repeats did not
    assert dash_duo.get_logs() == [], "the browser console has errors"
