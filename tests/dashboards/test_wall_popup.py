"""/wall in a real headless Chromium: severe and extreme alerts pop up with a chime, extreme ones flash the border,
and a storm shows as one ticker row with its count — all by property updates, the page never redrawn."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.dashboards.live_alerts import alert_sender


def _alert(alert_id: str, severity: str, headline: str, event: str) -> dict[str, str]:
    return {"id": alert_id, "source": "test", "sent": datetime.now(UTC).isoformat(), "severity": severity,
            "urgency": "immediate", "certainty": "observed", "category": "met", "event": event,
            "headline": headline, "district": "350206", "msg_type": "alert"}


def test_severe_pops_up_extreme_flashes_and_a_storm_counts(dash_duo, open_page, wall_runtime, redis_client):
    send = alert_sender(wall_runtime, redis_client, _alert)
    open_page("/wall", role="wall")
    dash_duo.wait_for_element('#connection-state[data-state="live"]', timeout=15)
    assert "is-open" not in dash_duo.find_element("#alert-popup").get_attribute("class")
    marker = dash_duo.driver.execute_script("var el = document.getElementById('kpi-strip'); el.__kept = 1; return 1;")

    send("p-1", "severe", "湖里区 燃气泄漏", "燃气泄漏")
    dash_duo.wait_for_element("#alert-popup.is-open.severity-severe", timeout=5)
    assert "燃气泄漏" in dash_duo.find_element("#alert-popup-text").text
    assert "flash-extreme" not in dash_duo.find_element("#wall-root").get_attribute("class")

    send("p-2", "extreme", "湖里区 特大暴雨", "特大暴雨")
    dash_duo.wait_for_element("#alert-popup.is-open.severity-extreme", timeout=5)
    dash_duo.wait_for_element("#wall-root.wall.flash-extreme", timeout=2)
    assert "特大暴雨" in dash_duo.find_element("#alert-popup-text").text
    dash_duo.find_element("#alert-popup-close").click()
    dash_duo.wait_for_element("#alert-popup:not(.is-open)", timeout=5)
    assert "flash-extreme" not in dash_duo.find_element("#wall-root").get_attribute("class")

    head = send("s-1", "minor", "积水点 1", "道路积水")
    for n in (2, 3):
        send(f"s-{n}", "minor", f"积水点 {n}", "道路积水")
    row = dash_duo.wait_for_element(f'#alert-ticker li[data-alert-id="{head}"][data-count="3"]', timeout=5)
    assert row.find_element("css selector", ".ticker-count").text == "×3"
    assert len(dash_duo.find_elements('#alert-ticker li[data-group="道路积水|350206|minor"]')) == 1
    assert "is-open" not in dash_duo.find_element("#alert-popup").get_attribute("class")  # minor: no pop-up
    # The page was updated in place, not redrawn: the KPI strip is the same DOM node.
    assert dash_duo.driver.execute_script("return document.getElementById('kpi-strip').__kept") == marker

    sound = dash_duo.find_element("#alert-sound").get_attribute("src")
    assert sound.endswith("/assets/sounds/alert.wav")
    status, kind, size = dash_duo.driver.execute_async_script(
        "var done = arguments[1]; fetch(arguments[0]).then(function (r) { return r.arrayBuffer().then("
        "function (b) { done([r.status, r.headers.get('content-type'), b.byteLength]); }); });", sound)
    assert status == 200 and "wav" in kind and size > 1000
    assert dash_duo.get_logs() == [], "the browser console has errors"


def test_a_burst_ends_on_its_newest_rows_and_its_most_severe_popup(dash_duo, open_page, wall_runtime, redis_client):
    """Forty alerts at once (more than the ticker holds) and a pop-up storm: the ticker ends on the newest thirty,
    newest first, each once; the paced pop-up ends on the last, most severe one."""
    send = alert_sender(wall_runtime, redis_client, _alert)
    open_page("/wall", role="wall")
    dash_duo.wait_for_element('#connection-state[data-state="live"]', timeout=15)

    sent = [send(f"b-{n}", "minor", f"积水点 {n}", f"事件 {n}") for n in range(40)]
    dash_duo.wait_for_element(f'#alert-ticker li[data-alert-id="{sent[-1]}"]', timeout=5)
    shown = [li.get_attribute("data-alert-id") for li in dash_duo.find_elements("#alert-ticker li")]
    assert shown[:30] == sent[::-1][:30]

    for n in range(5):
        send(f"u-{n}", "severe", f"燃气泄漏 {n}", f"燃气 {n}")
    send("u-last", "extreme", "特大暴雨 最后一条", "特大暴雨")
    dash_duo.wait_for_element("#alert-popup.is-open.severity-extreme", timeout=5)
    dash_duo.wait_for_contains_text("#alert-popup-text", "最后一条", timeout=5)
    assert dash_duo.get_logs() == [], "the browser console has errors"
