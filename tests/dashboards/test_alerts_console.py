"""/alerts, the operator console, in a real headless Chromium on a real Redis: alerts pushed live in order with
their severity, a storm as one row with its count, and an acknowledgement with a comment in the audit trail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from services.store import Alert
from tests.dashboards.dom import text_of, texts_of
from tests.dashboards.live_alerts import alert_sender, wait_stored


def _alert(alert_id: str, severity: str, event: str, district: str = "350206") -> dict[str, str]:
    return {"id": alert_id, "source": "test", "sent": datetime.now(UTC).isoformat(), "severity": severity,
            "urgency": "immediate", "certainty": "observed", "category": "safety", "event": event,
            "headline": f"{event} {alert_id}", "district": district, "msg_type": "alert"}


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

    wait_stored(wall_runtime, sent[0])
    storm.click()
    dash_duo.wait_for_element(f'#alert-detail-facts[data-alert-id="{sent[0]}"][data-status="new"]', timeout=5)
    dash_duo.find_element("#action-comment").send_keys("已通知燃气公司")
    dash_duo.find_element("#btn-ack").click()
    dash_duo.wait_for_element('#alert-detail-facts[data-status="acknowledged"]', timeout=5)
    entry = dash_duo.wait_for_element('#audit-trail li[data-action="acknowledge"]', timeout=5)
    assert entry.get_attribute("data-user") not in ("", "system")
    assert "已通知燃气公司" in entry.text
    dash_duo.wait_for_element(f'#alert-list tr[data-alert-id="{sent[0]}"][data-status="acknowledged"]', timeout=5)
    dash_duo.wait_for_element('#action-message[data-outcome="done"]', timeout=5)
    assert text_of(dash_duo.driver, "#action-message") == "已确认"

    dash_duo.find_element("#btn-ack").click()  # again: refused with the reason, in Chinese, nothing recorded twice
    dash_duo.wait_for_element('#action-message[data-outcome="refused"]', timeout=5)
    assert text_of(dash_duo.driver, "#action-message") == "不能确认：该预警状态为“已确认”"
    assert len(dash_duo.find_elements('#audit-trail li[data-action="acknowledge"]')) == 1

    send("c-6", "minor", "井盖缺失")  # the push still runs after the list was reloaded by the action
    dash_duo.wait_for_element('#alert-list tr[data-severity="minor"][data-status="new"]:first-child', timeout=5)
    assert dash_duo.get_logs() == [], "the browser console has errors"


def _history(runtime, count: int, hours_apart: float, status: str = "resolved") -> None:
    """`count` stored alerts, one every `hours_apart` hours back from now, each its own storm (distinct events)."""
    now = datetime.now(UTC)
    with runtime.sessions() as session:
        session.add_all(
            Alert(stream_id=f"{n + 1}-0", alert_id=f"hist-{n}", source="test", sent_at=now - timedelta(hours=n * hours_apart),
                  severity="minor", urgency="past", certainty="observed", category="infra", event=f"history {n}",
                  headline=f"history {n}", district="350203", msg_type="alert", status=status)
            for n in range(count))
        session.commit()


def test_pages_and_time_range_live_in_the_url(dash_duo, open_page, wall_runtime):
    _history(wall_runtime, 120, hours_apart=0.5)  # 60 hours of alerts: 48 within the last 24 h
    open_page("/alerts?range=24h", role="operator")
    dash_duo.wait_for_text_to_equal("#page-info", "第 1/1 页 · 共 48 条", timeout=10)
    assert len(dash_duo.find_elements("#alert-list tr")) == 48

    Select(dash_duo.find_element("#filter-range")).select_by_visible_text("近7天")
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


_ROWS = "return Array.from(document.querySelectorAll('#alert-list tr'), r => [r.dataset.alertId, r.getAttribute('aria-selected')]);"
_FOCUSED = "const e = document.activeElement; return e.matches('#alert-list tr') ? e.dataset.alertId : null;"
# Every action button's label on one line: a label broken inside a word ("上/报") has two line boxes.
_BROKEN_LABELS = """return Array.from(document.querySelectorAll('.console-actions .btn'), b => {
  const range = document.createRange(); range.selectNodeContents(b);
  return [b.textContent, new Set(Array.from(range.getClientRects(), r => Math.round(r.top))).size];
}).filter(([, lines]) => lines > 1).map(([label]) => label);"""


def _show_toast(driver) -> None:  # type: ignore[no-untyped-def]
    driver.execute_script("document.getElementById('action-toast').scrollIntoView({block: 'center'});")


def test_rows_by_keyboard_the_selection_shown_and_a_toast_for_each_outcome(dash_duo, open_page, wall_runtime, shoot):
    _history(wall_runtime, 3, hours_apart=1, status="new")  # rows 1-0 (newest), 2-0, 3-0
    open_page("/alerts", role="operator")
    driver = dash_duo.driver
    driver.set_window_size(1366, 768)  # a console PC
    dash_duo.wait_for_element('#alert-list tr[data-alert-id="3-0"]', timeout=10)
    assert [dash_duo.find_element(f"#page-{key}").get_attribute("aria-label") for key in ("prev", "next")] == [
        "上一页", "下一页"]
    assert driver.execute_script(_BROKEN_LABELS) == []

    driver.find_element(By.TAG_NAME, "body").click()
    for _ in range(40):  # Tab through the header and the filters until a row has the focus
        driver.switch_to.active_element.send_keys(Keys.TAB)
        if driver.execute_script(_FOCUSED):
            break
    assert driver.execute_script(_FOCUSED) == "1-0", "Tab never reached the list's rows"
    driver.switch_to.active_element.send_keys(Keys.ARROW_DOWN)
    assert driver.execute_script(_FOCUSED) == "2-0"
    driver.switch_to.active_element.send_keys(Keys.ENTER)
    dash_duo.wait_for_element('#alert-detail-facts[data-alert-id="2-0"]', timeout=10)
    assert driver.execute_script(_ROWS) == [["1-0", "false"], ["2-0", "true"], ["3-0", "false"]]
    driver.switch_to.active_element.send_keys(Keys.ARROW_DOWN)
    driver.switch_to.active_element.send_keys(Keys.SPACE)
    dash_duo.wait_for_element('#alert-detail-facts[data-alert-id="3-0"]', timeout=10)
    assert driver.execute_script(_ROWS) == [["1-0", "false"], ["2-0", "false"], ["3-0", "true"]]

    dash_duo.find_element("#action-comment").send_keys("已派人核查")
    dash_duo.find_element("#btn-ack").click()
    dash_duo.wait_for_element('#action-message[data-outcome="done"]', timeout=10)
    assert (text_of(driver, "#action-toast .toast-header"), text_of(driver, "#action-message")) == ("已记录", "已确认")
    dash_duo.wait_for_text_to_equal("#action-comment", "", timeout=10)  # cleared for the next action
    dash_duo.wait_for_element('#alert-list tr[data-alert-id="3-0"][data-status="acknowledged"]', timeout=10)
    assert driver.execute_script(_ROWS)[2] == ["3-0", "true"], "the selection outlives the list's reload"
    _show_toast(driver)
    shoot("console-done-zh-CN.png")

    dash_duo.find_element("#btn-ack").click()
    dash_duo.wait_for_element('#action-message[data-outcome="refused"]', timeout=10)
    assert "console-toast-refused" in dash_duo.find_element("#action-toast").get_attribute("class")
    assert text_of(driver, "#action-message") == "不能确认：该预警状态为“已确认”"
    _show_toast(driver)
    shoot("console-refused-zh-CN.png")
    assert dash_duo.get_logs() == [], "the browser console has errors"


def test_the_console_in_english_words_refusals_and_the_audit_trail_in_english(dash_duo, open_page, wall_runtime, shoot):
    _history(wall_runtime, 1, hours_apart=1, status="new")
    open_page("/alerts?lang=en", role="operator")
    dash_duo.wait_for_element('#alert-list tr[data-alert-id="1-0"]', timeout=10).click()
    dash_duo.wait_for_element('#alert-detail-facts[data-alert-id="1-0"]', timeout=10)
    dash_duo.find_element("#btn-resolve").click()
    dash_duo.wait_for_element('#audit-trail li[data-action="resolve"]', timeout=10)
    assert texts_of(dash_duo.driver, "#audit-trail .audit-action") == ["Resolved"]
    dash_duo.find_element("#btn-silence-15").click()
    dash_duo.wait_for_element('#action-message[data-outcome="refused"]', timeout=10)
    assert text_of(dash_duo.driver, "#action-message") == "Cannot silence: the alert's status is Resolved"
    _show_toast(dash_duo.driver)
    shoot("console-refused-en.png")

    Select(dash_duo.find_element("#filter-status")).select_by_visible_text("Resolved")
    WebDriverWait(dash_duo.driver, 10).until(lambda d: "status=resolved" in d.current_url)
    assert "lang=en" in dash_duo.driver.current_url  # a reload stays in English
