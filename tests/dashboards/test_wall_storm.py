"""Storm mode in a real headless Chromium: when alerts come faster than a screen can draw them, the wall and the
console say how many came, by severity and district, and in how many groups, with the stored counts."""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import UTC, datetime

from sqlalchemy import func, select

from services.store import Alert
from tests.dashboards.live_alerts import alert_sender

SEVERITIES = ("extreme", "severe", "moderate", "minor")
DISTRICTS = ("350203", "350206", "")  # "" = city-wide


def _alert(number: str, source: str = "storm-test") -> dict[str, str]:
    n = int(number)
    return {"id": f"storm-{n}", "source": source, "sent": datetime.now(UTC).isoformat(),
            "severity": SEVERITIES[n % 4], "urgency": "immediate", "certainty": "observed", "category": "met",
            "event": f"内涝 {n % 5}", "headline": f"积水 {n}", "district": DISTRICTS[n % 3], "msg_type": "alert"}


def _inside_one_minute() -> None:
    """The burst must not straddle a minute boundary (the summary counts by minute)."""
    if time.time() % 60 > 50:
        time.sleep(61 - time.time() % 60)


def _storm_line(dash_duo, element: str, count: int):
    return dash_duo.wait_for_element(f'#{element} .storm-line[data-count="{count}"]', timeout=15)


def test_the_wall_summarises_a_storm_with_the_stored_counts(dash_duo, open_page, wall_runtime, redis_client):
    send = alert_sender(wall_runtime, redis_client, _alert)
    open_page("/wall", role="wall")
    dash_duo.wait_for_element('#connection-state[data-state="live"]', timeout=15)
    assert dash_duo.find_element("#alert-storm").get_attribute("hidden") is not None  # calm: no summary

    _inside_one_minute()
    sent = [send(str(n)) for n in range(120)]
    for n in range(3):
        send(str(n))  # posted again: one alert each, as in SQL
    line = _storm_line(dash_duo, "alert-storm", 120)
    assert json.loads(line.get_attribute("data-severity")) == Counter(SEVERITIES[n % 4] for n in range(120))
    assert json.loads(line.get_attribute("data-district")) == Counter(DISTRICTS[n % 3] for n in range(120))
    assert line.get_attribute("data-groups") == str(len({(n % 5, n % 4, n % 3) for n in range(120)}))
    assert "90" in line.text  # 120 came, a ticker shows 30: it says 90 were not drawn one by one

    minute = int(sent[0].split("-")[0]) // 60_000
    stored = 0
    for _ in range(100):  # the persist worker catches up (a wait, not a timing assertion)
        with wall_runtime.sessions() as session:
            stream_ids = session.scalars(select(Alert.stream_id).where(Alert.source == "storm-test")).all()
        stored = sum(1 for sid in stream_ids if int(sid.split("-")[0]) // 60_000 == minute)
        if stored >= 120:
            break
        time.sleep(0.2)
    assert stored == int(line.get_attribute("data-count"))
    with wall_runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Alert).where(Alert.source == "storm-test")) == 120
    assert dash_duo.get_logs() == [], "the browser console has errors"


def test_the_console_summarises_a_storm(dash_duo, open_page, wall_runtime, redis_client):
    send = alert_sender(wall_runtime, redis_client, _alert)
    open_page("/alerts", role="operator")
    dash_duo.wait_for_element('#connection-state[data-state="live"]', timeout=15)
    _inside_one_minute()
    for n in range(40):
        send(str(n))
    line = _storm_line(dash_duo, "console-storm", 40)
    assert json.loads(line.get_attribute("data-severity")) == Counter(SEVERITIES[n % 4] for n in range(40))
    assert dash_duo.get_logs() == [], "the browser console has errors"
