"""issue 18 on the wall, in a real headless Chromium: the pop-up shows only the highest level open (a red alert's
pop-up is never replaced by an orange one), names the level, closes itself after ONESCREEN_WALL_POPUP_SECONDS (a
kiosk has no mouse), and closes on every wall, flash and all, once an operator acknowledges the alert in the
console. Before, an orange alert replaced the red one within a second while the border kept flashing, and an
acknowledgement changed nothing on the wall."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from tests.dashboards.dom import text_of
from tests.dashboards.live_alerts import alert_sender, wait_stored


def _alert(alert_id: str, severity: str, headline: str) -> dict[str, str]:
    return {"id": alert_id, "source": "test", "sent": datetime.now(UTC).isoformat(), "severity": severity,
            "urgency": "immediate", "certainty": "observed", "category": "met", "event": headline,
            "headline": headline, "district": "350206", "msg_type": "alert"}


@pytest.fixture
def short_popup(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pop-up that closes itself after 4 s (asked for before the app's settings are read)."""
    monkeypatch.setenv("ONESCREEN_WALL_POPUP_SECONDS", "4")


def _flashing(dash_duo) -> bool:
    return "flash-extreme" in dash_duo.find_element("#wall-root").get_attribute("class")


def test_red_stays_over_orange_and_closes_itself(short_popup, dash_duo, open_page, wall_runtime, redis_client,
                                                 shoot):
    send = alert_sender(wall_runtime, redis_client, _alert)
    open_page("/wall", role="wall")
    dash_duo.wait_for_element('#connection-state[data-state="live"]', timeout=15)

    send("red-1", "extreme", "思明区 特大暴雨")
    dash_duo.wait_for_element("#alert-popup.is-open.severity-extreme", timeout=5)
    dash_duo.wait_for_element("#wall-root.flash-extreme", timeout=2)
    assert text_of(dash_duo.driver, "#alert-popup-text").startswith("红色预警")
    shoot("wall-popup-red-zh.png")

    orange = send("orange-1", "severe", "湖里区 燃气泄漏")
    dash_duo.wait_for_element(f'#alert-ticker li[data-alert-id="{orange}"]', timeout=5)
    time.sleep(1.5)  # past the pop-up's pacing gap: the orange one has been sent to the page by now
    assert "特大暴雨" in text_of(dash_duo.driver, "#alert-popup-text")
    assert "severity-extreme" in dash_duo.find_element("#alert-popup").get_attribute("class")
    assert _flashing(dash_duo)

    dash_duo.wait_for_element("#alert-popup:not(.is-open)", timeout=15)  # on its own: nobody touched it
    assert not _flashing(dash_duo)
    send("orange-2", "severe", "集美区 燃气泄漏")  # with the red one closed, an orange one shows
    dash_duo.wait_for_element("#alert-popup.is-open.severity-severe", timeout=5)
    assert text_of(dash_duo.driver, "#alert-popup-text").startswith("橙色预警")
    assert dash_duo.get_logs() == [], "the browser console has errors"


def test_an_acknowledgement_in_the_console_closes_every_wall(dash_duo, open_page, wall_runtime, redis_client, shoot):
    """Two walls and the console in three windows of one browser (one signed-in session: its pages share one
    websocket, so a kiosk's token and an operator's sign-in cannot both be in it)."""
    send = alert_sender(wall_runtime, redis_client, _alert)
    driver = dash_duo.driver
    open_page("/wall?lang=en", role="operator")
    dash_duo.wait_for_element('#connection-state[data-state="live"]', timeout=15)
    walls = [driver.current_window_handle]
    driver.switch_to.new_window("window")
    driver.get(f"{dash_duo.server_url}/wall?lang=zh-CN")
    dash_duo.wait_for_element('#connection-state[data-state="live"]', timeout=15)
    walls.append(driver.current_window_handle)

    red = send("ack-1", "extreme", "翔安区 危化品泄漏")
    wait_stored(wall_runtime, red)
    time.sleep(1.2)  # past the pop-up's pacing gap
    second = send("ack-2", "extreme", "翔安区 危化品泄漏")  # the same storm group: its pop-up replaces the first's
    for wall in walls:
        driver.switch_to.window(wall)
        dash_duo.wait_for_element(f'#alert-ticker li[data-alert-id="{red}"][data-count="2"]', timeout=5)
        dash_duo.wait_for_element("#alert-popup.is-open.severity-extreme", timeout=5)
        dash_duo.wait_for_element("#wall-root.flash-extreme", timeout=2)
    driver.switch_to.window(walls[0])
    assert text_of(driver, "#alert-popup-text").startswith("Red alert")
    shoot("wall-popup-red-en.png")

    wait_stored(wall_runtime, second)
    driver.switch_to.new_window("window")
    driver.get(f"{dash_duo.server_url}/alerts")
    dash_duo.wait_for_element(f'#alert-list tr[data-alert-id="{red}"]', timeout=10).click()
    dash_duo.wait_for_element(f'#alert-detail-facts[data-alert-id="{red}"][data-status="new"]', timeout=5)
    dash_duo.find_element("#btn-ack").click()  # the group, through its first alert: the pop-up shows the second
    dash_duo.wait_for_element('#alert-detail-facts[data-status="acknowledged"]', timeout=5)

    for wall in walls:
        driver.switch_to.window(wall)
        dash_duo.wait_for_element("#alert-popup:not(.is-open)", timeout=5)
        assert not _flashing(dash_duo)
        dash_duo.wait_for_element(f'#alert-ticker li[data-alert-id="{red}"][data-status="acknowledged"]', timeout=5)
    driver.refresh()  # a wall opened now shows the alert (from the stream) with the status the store holds
    dash_duo.wait_for_element(f'#alert-ticker li[data-alert-id="{red}"][data-status="acknowledged"]', timeout=15)
    assert dash_duo.get_logs() == [], "the browser console has errors"
