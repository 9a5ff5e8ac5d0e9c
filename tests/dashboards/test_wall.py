"""/wall in a real headless Chromium: the panels are there with real data, and a new alert is pushed within 2 s."""

from __future__ import annotations

from datetime import UTC, datetime

from services.alerts.stream import publish


def _alert(alert_id: str, severity: str, headline: str) -> dict[str, str]:
    return {"id": alert_id, "source": "test", "sent": datetime.now(UTC).isoformat(), "severity": severity,
            "urgency": "immediate", "certainty": "observed", "category": "met", "event": "暴雨",
            "headline": headline, "description": "", "district": "350206", "lat": "24.51", "lon": "118.14",
            "area": "", "msg_type": "alert", "references": ""}


def test_wall_shows_kpis_map_chart_and_pushes_alerts(dash_duo, open_page, wall_runtime, redis_client):
    settings = wall_runtime.settings
    open_page("/wall", role="wall")

    dash_duo.wait_for_element("#kpi-strip .kpi-card", timeout=10)
    cards = dash_duo.find_elements("#kpi-strip .kpi-card")
    assert len(cards) >= 6
    for card in cards:
        assert card.get_attribute("id").startswith("kpi-")
        assert card.get_attribute("data-status") in ("normal", "warn", "alarm", "nodata")
    assert any(card.get_attribute("data-status") != "nodata" for card in cards)
    dash_duo.wait_for_element("#event-map .scatterlayer path.js-fill", timeout=10)  # districts, no MapLibre
    labels = [e.text for e in dash_duo.find_elements("#event-map .annotation-text")]
    assert any(label.startswith("思明区") for label in labels), labels
    dash_duo.wait_for_element("#event-map canvas.gl-canvas-context", timeout=10)  # the dots
    dash_duo.wait_for_element("#approvals-throughput .main-svg .scatterlayer", timeout=10)
    scripts = dash_duo.driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name).filter(n => /plotly[\\w-]*\\.min\\.js/.test(n))")
    assert [s.rsplit("/", 1)[1] for s in scripts] == ["plotly-onescreen.min.js"], "the partial bundle, alone"
    assert dash_duo.driver.execute_script("return document.querySelectorAll('.maplibregl-map').length") == 0
    assert "厦门市" in dash_duo.find_element(".wall-title").text
    dash_duo.wait_for_element('#connection-state[data-state="live"]', timeout=10)

    stream_id = publish(redis_client, settings.alerts_stream, _alert("t-1", "severe", "湖里区 内涝积水 超过警戒"),
                        settings.stream_maxlen)
    item = dash_duo.wait_for_element(f'#alert-ticker li[data-alert-id="{stream_id}"]', timeout=2)
    assert item.get_attribute("data-severity") == "severe"
    assert "内涝积水" in item.text

    later = [publish(redis_client, settings.alerts_stream, _alert(f"t-{n}", sev, f"预警{n}"), settings.stream_maxlen)
             for n, sev in ((2, "extreme"), (3, "minor"))]
    dash_duo.wait_for_element(f'#alert-ticker li[data-alert-id="{later[-1]}"]', timeout=2)
    shown = [li.get_attribute("data-alert-id") for li in dash_duo.find_elements("#alert-ticker li")]
    assert shown[:3] == [later[1], later[0], stream_id]  # newest first, each once
    assert [li.get_attribute("data-severity") for li in dash_duo.find_elements("#alert-ticker li")][:2] == [
        "minor", "extreme"]

    assert dash_duo.get_logs() == [], "the browser console has errors"
    canvas = dash_duo.find_element("#wall-root").rect  # the scaled canvas fills the window (test_wall_canvas.py)
    assert canvas["width"] > 0 and canvas["height"] > 0
