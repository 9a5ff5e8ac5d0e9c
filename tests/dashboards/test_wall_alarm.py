"""/wall in a real browser: a reading past the alarm threshold, recorded through services.indicators.readings, turns its KPI
card's data-status to alarm and puts the rules' alert on the ticker; the recovery resolves it (its row says so, in
place) and the card follows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.alerts.stream import recent
from services.indicators.readings import load_rules, record_readings
from services.indicators.rules import status_change


def test_alarm_reading_recolours_the_card_and_recovery_resolves_it(dash_duo, open_page, wall_runtime, redis_client):
    settings = wall_runtime.settings
    open_page("/wall", role="wall")
    dash_duo.wait_for_element("#kpi-aqi", timeout=10)
    dash_duo.wait_for_element('#connection-state[data-state="live"]', timeout=10)
    rules = load_rules(wall_runtime.engine, settings)
    now = datetime.now(UTC)

    def record(seconds: int, value: float) -> tuple[str, ...]:
        return record_readings([("aqi", None, now + timedelta(seconds=seconds), value)], engine=wall_runtime.engine,
                               redis_client=redis_client, settings=settings, rules=rules).alert_ids  # fmt: skip

    (alarm_id,) = record(1, 320.0)
    dash_duo.wait_for_element('#kpi-aqi[data-status="alarm"]', timeout=3)
    assert "status-alarm" in dash_duo.find_element("#kpi-aqi").get_attribute("class")
    item = dash_duo.wait_for_element(f'#alert-ticker li[data-alert-id="{alarm_id}"]', timeout=3)
    assert item.get_attribute("data-severity") == "severe" and "空气质量指数" in item.text

    assert record(2, 199.0) == (), "inside the dead band: no new alert, the card stays at alarm"
    (resolve_id,) = record(3, 35.0)
    dash_duo.wait_for_element('#kpi-aqi[data-status="normal"]', timeout=3)
    # the rules' cancel changes the alarm's own row in place (issue 18: it used to land as a new row on top)
    resolved = dash_duo.wait_for_element(f'#alert-ticker li[data-alert-id="{alarm_id}"][data-status="cancelled"]',
                                         timeout=3)
    assert "恢复正常" in resolved.text and "已解除" in resolved.text
    assert not dash_duo.find_elements(f'#alert-ticker li[data-alert-id="{resolve_id}"]')
    (_, cancel), = [e for e in recent(redis_client, settings.alerts_stream, 5) if e[0] == resolve_id]
    assert cancel["references"] and status_change(cancel) == ("aqi", None, "normal")
    others = [c for c in dash_duo.find_elements("#kpi-strip .kpi-card") if c.get_attribute("id") != "kpi-aqi"]
    assert others and all(c.get_attribute("data-status") in ("normal", "warn", "alarm", "nodata") for c in others)
    assert dash_duo.get_logs() == [], "the browser console has errors"
