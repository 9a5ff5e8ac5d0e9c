"""issue 18 on the wall, in a real headless Chromium: the ticker's rows follow the time alerts reached us. An update
or escalation changes its alert's row in place (before: a new row on top, with the original's time); a storm group
that grows goes to the top showing its newest headline (before: "×2" on a row further down); an alert whose CAP
`expires` has passed leaves (before: shown as live); a sender's time that is not today shows its date; and the
panel opens on the store's recent history (before: on a fresh start, the one alert since)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from services.alerts import publish
from services.demo.simulator import alert_fields
from services.indicators.readings import load_rules, record_readings
from services.store import Alert
from tests.dashboards.dom import text_of, texts_of
from tests.dashboards.live_alerts import alert_sender


def _alert(alert_id: str, severity: str, event: str, headline: str, **extra: str) -> dict[str, str]:
    return {"id": alert_id, "source": "rules-test", "sent": datetime.now(UTC).isoformat(), "severity": severity,
            "urgency": "immediate", "certainty": "observed", "category": "met", "event": event,
            "headline": headline, "district": "350206", "msg_type": "alert", **extra}


def _ids(dash_duo) -> list[str]:
    return list(dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('#alert-ticker li'), li => li.dataset.alertId);"))


def _store_history(runtime, count: int) -> list[str]:
    """`count` alerts the store kept from before a restart (the stream is empty), oldest first; their stream ids."""
    now = datetime.now(UTC)
    rows = [Alert(stream_id=f"{1_700_000_000_000 + n}-0", alert_id=f"hist-{n}", source="history",
                  sent_at=now - timedelta(minutes=count - n), received_at=now - timedelta(minutes=count - n),
                  severity="moderate", urgency="expected", certainty="likely", category="met", event=f"历史 {n}",
                  headline=f"历史预警 {n}", district="350203", msg_type="alert",
                  status="escalated" if n == count - 1 else "new")
            for n in range(count)]
    with runtime.sessions() as session:
        session.add_all(rows)
        session.commit()
    return [row.stream_id for row in rows]


def test_the_ticker_opens_on_history_and_keeps_its_rules(dash_duo, open_page, wall_runtime, redis_client, shoot):
    history = _store_history(wall_runtime, 12)
    send = alert_sender(wall_runtime, redis_client, _alert)
    open_page("/wall", role="wall")
    dash_duo.wait_for_element('#connection-state[data-state="live"]', timeout=15)
    assert _ids(dash_duo) == history[::-1]
    newest = f'#alert-ticker li[data-alert-id="{history[-1]}"]'
    assert dash_duo.find_element(newest).get_attribute("data-status") == "escalated"
    assert text_of(dash_duo.driver, f"{newest} .ticker-status") == "已升级"

    first = send("r-1", "moderate", "暴雨", "思明区 暴雨黄色预警")
    second = send("r-2", "minor", "交通拥堵", "湖滨南路 拥堵")
    dash_duo.wait_for_element(f'#alert-ticker li[data-alert-id="{second}"]', timeout=5)
    # an escalation re-sent as an update with its original time: the row changes in place, no row on top
    update = send("r-1-up", "severe", "暴雨", "思明区 暴雨升级为橙色预警",
                  msg_type="update", references="r-1", sent=(datetime.now(UTC) - timedelta(minutes=4)).isoformat())
    row = dash_duo.wait_for_element(f'#alert-ticker li[data-alert-id="{first}"][data-status="escalated"]', timeout=5)
    assert row.get_attribute("data-severity") == "severe"
    assert "升级为橙色" in text_of(dash_duo.driver, f'#alert-ticker li[data-alert-id="{first}"] .ticker-headline')
    assert update not in _ids(dash_duo) and _ids(dash_duo)[:2] == [second, first]

    # a new alert joining an older storm group: the group's row goes to the top with the newest headline
    again = send("r-1b", "moderate", "暴雨", "思明区 暴雨 第二报")  # r-1's old level: r-1 is severe now
    storm_head = send("g-1", "minor", "道路积水", "积水点 1")
    send("x-1", "minor", "井盖缺失", "井盖缺失 1")
    send("g-2", "minor", "道路积水", "积水点 2 新")
    top = dash_duo.wait_for_element(f'#alert-ticker li:first-child[data-alert-id="{storm_head}"][data-count="2"]',
                                    timeout=5)
    assert "积水点 2 新" in top.text
    assert again in _ids(dash_duo) and dash_duo.find_element(
        f'#alert-ticker li[data-alert-id="{first}"]').get_attribute("data-count") == "1"

    # expired alerts leave; a sender's time from another day shows its date
    soon = (datetime.now(UTC) + timedelta(seconds=3)).isoformat()
    expiring = send("e-1", "moderate", "大风", "大风蓝色预警 即将解除", expires=soon)
    past = send("e-0", "moderate", "海啸", "2011 海啸警报", sent="2011-03-11T14:46:00+09:00",
                expires="2011-03-12T14:46:00+09:00")
    old = send("o-1", "minor", "旧消息", "旧消息 无有效期", sent="2011-03-11T14:46:00+09:00")
    dash_duo.wait_for_element(f'#alert-ticker li[data-alert-id="{old}"]', timeout=5)
    assert past not in _ids(dash_duo)
    assert text_of(dash_duo.driver, f'#alert-ticker li[data-alert-id="{old}"] .ticker-time') == "2011-03-11 13:46:00"
    assert _ids(dash_duo)[0] == old  # received last, so on top, whatever its sender's time
    shoot("wall-ticker-rules-zh.png")
    dash_duo.wait_for_no_elements(f'#alert-ticker li[data-alert-id="{expiring}"]', timeout=15)
    assert dash_duo.get_logs() == [], "the browser console has errors"


def test_the_ticker_in_english(dash_duo, open_page, wall_runtime, redis_client, shoot):
    send = alert_sender(wall_runtime, redis_client, _alert)
    open_page("/wall?lang=en", role="wall")
    dash_duo.wait_for_element('#connection-state[data-state="live"]', timeout=15)
    first = send("en-1", "moderate", "暴雨", "Siming rainstorm yellow warning")
    send("en-1-up", "moderate", "暴雨", "Siming rainstorm yellow warning, extended", msg_type="update",
         references="en-1")
    dash_duo.wait_for_element(f'#alert-ticker li[data-alert-id="{first}"][data-status="updated"]', timeout=5)
    assert texts_of(dash_duo.driver, f'#alert-ticker li[data-alert-id="{first}"] span')[0] == "Moderate"
    assert text_of(dash_duo.driver, f'#alert-ticker li[data-alert-id="{first}"] .ticker-status') == "Updated"
    assert "Siming rainstorm yellow warning, extended" in text_of(dash_duo.driver, "#alert-ticker")  # as sent

    # our own alerts' headlines are built from names we hold in both languages: in English on an English page
    now = datetime.now(UTC)
    rules = load_rules(wall_runtime.engine, wall_runtime.settings)
    (alarm,) = record_readings([("aqi", "350203", now, 320.0)], engine=wall_runtime.engine, redis_client=redis_client,
                               settings=wall_runtime.settings, rules=rules).alert_ids
    simulated = publish(redis_client, wall_runtime.settings.alerts_stream,
                        alert_fields(now, "fire", "火情", "severe", "immediate", "350203", "思明区", 24.45, 118.08),
                        wall_runtime.settings.stream_maxlen)
    dash_duo.wait_for_element(f'#alert-ticker li[data-alert-id="{simulated}"]', timeout=5)
    headlines = dict(zip(_ids(dash_duo), texts_of(dash_duo.driver, "#alert-ticker .ticker-headline"), strict=True))
    assert headlines[alarm] == "Siming · Air quality index (AQI): alarm threshold reached"
    assert headlines[simulated] == "Siming: fire above the alert level"
    shoot("wall-ticker-rules-en.png")


CAP = Path(__file__).parents[1] / "services" / "alerts" / "data" / "cap"


@pytest.fixture
def cap_token(monkeypatch: pytest.MonkeyPatch) -> str:
    """An integrator's token for /api/v1 (asked for before the app's settings are read)."""
    monkeypatch.setenv("ONESCREEN_API_TOKENS", "cap-bridge:cap-secret")
    return "cap-secret"


def test_real_cap_messages_through_the_api(cap_token, dash_duo, open_page, wall_runtime):
    """OASIS's 2003 examples posted as a CAP bridge would: the expired thunderstorm warning never shows; the one
    without `expires` shows with its sender's date, below nothing newer."""
    open_page("/wall", role="wall")
    dash_duo.wait_for_element('#connection-state[data-state="live"]', timeout=15)
    answers = [requests.post(f"{dash_duo.server_url}/api/v1/alerts", data=(CAP / name).read_bytes(), timeout=30,
                             headers={"Authorization": f"Bearer {cap_token}", "Content-Type": "application/cap+xml"})
               for name in ("oasis-cap12-A2-severe-thunderstorm-polygon.xml",
                            "oasis-cap12-A1-homeland-security-advisory.xml")]
    assert all(answer.ok for answer in answers), [answer.text for answer in answers]
    row = dash_duo.wait_for_element("#alert-ticker li:first-child", timeout=5)
    assert "Homeland Security" in row.text
    assert text_of(dash_duo.driver, "#alert-ticker li:first-child .ticker-time") == "2003-04-03 03:39:01"
    assert "THUNDERSTORM" not in text_of(dash_duo.driver, "#alert-ticker")
