"""/alerts, the analytics tab in a real headless Chromium: opened on demand, it shows MTTA / MTTR by severity,
category and department and the events' dispatch and arrival times by department and district, the figures the
services give, in both languages, with the daily trends drawn, passing axe-core with its Chinese in the shipped
font."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from components.response_figures import minutes
from dashboards._alert_analytics import _window
from services import alerts, events
from services.store import Alert
from tests.dashboards.dom import settle
from tests.dashboards.page_checks import axe_violations, undrawn_cjk


def _worked_alerts(wall_runtime) -> None:
    """A few alerts of today, acknowledged and resolved through the operator commands."""
    now = datetime.now(UTC)
    with wall_runtime.sessions() as session:
        for i, (severity, category) in enumerate((("severe", "met"), ("extreme", "fire"), ("moderate", "met"))):
            received = now - timedelta(hours=3, minutes=10 * i)
            alert = Alert(stream_id=f"{i}-9", alert_id=f"resp-{i}", source="test", sent_at=received,
                          severity=severity, urgency="immediate", certainty="observed", category=category,
                          event="e", headline=f"h{i}", district="350203", msg_type="alert", status="new",
                          received_at=received)
            session.add(alert)
            session.flush()
            alerts.acknowledge(session, alert.id, user="op", now=received + timedelta(minutes=4 + i))
            alerts.resolve(session, alert.id, user="op", now=received + timedelta(minutes=40 + i))
        session.commit()


def _cells(dash_duo, table_id: str) -> list[list[str]]:
    return dash_duo.driver.execute_script(
        "return [...document.querySelectorAll(arguments[0])].map(r => [...r.cells].map(c => c.textContent))",
        f"#{table_id} tbody tr")


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_the_analytics_tab_shows_the_response_times(dash_duo, open_page, wall_runtime, shoot, lang):
    _worked_alerts(wall_runtime)
    dash_duo.driver.set_window_size(1600, 1000)
    open_page(f"/alerts?lang={lang}", role="operator")
    dash_duo.wait_for_element("#alert-list", timeout=15)
    assert dash_duo.driver.find_elements("css selector", "#resp-alerts-severity") == []  # nothing until opened
    assert dash_duo.find_element("#alerts-tab-console").get_attribute("aria-selected") == "true"
    dash_duo.find_element("#alerts-tab-analytics").click()
    dash_duo.wait_for_element("#resp-alerts-severity tbody tr", timeout=20)
    assert dash_duo.find_element("#alerts-tab-analytics").get_attribute("aria-selected") == "true"
    assert dash_duo.find_element("#alerts-pane-console").get_attribute("hidden") is not None
    dash_duo.wait_for_element("#resp-event-trend .main-svg .scatterlayer .trace", timeout=20)
    settle(dash_duo.driver)
    start, end = _window(7)
    with wall_runtime.sessions() as session:
        by_severity = alerts.response_times(session=session, start=start, end=end, by="severity")
        by_district = events.dispatch_times(session=session, start=start, end=end, by="district")
    shown = _cells(dash_duo, "resp-alerts-severity")
    assert [row[1:] for row in shown] == [[f"{int(n):,}", minutes(a), minutes(r)] for n, a, r in zip(
        by_severity["alerts"], by_severity["mtta_min"], by_severity["mttr_min"], strict=True)]
    assert [row[1:] for row in _cells(dash_duo, "resp-events-district")] == [
        [f"{int(n):,}", minutes(d), minutes(a)] for n, d, a in zip(
            by_district["dispatches"], by_district["dispatch_min"], by_district["arrival_min"], strict=True)]
    assert len(_cells(dash_duo, "resp-alerts-department")) >= 1
    shoot(f"alerts-analytics-{lang}.png")
    problems = [f"axe {v['impact']} {v['id']}: {v['help']} at {v['nodes']}" for v in axe_violations(dash_duo.driver)]
    problems += [f"not in Noto Sans SC: {u}" for u in undrawn_cjk(dash_duo.driver)]
    assert not problems, "\n".join(problems)
    dash_duo.find_element("#alerts-tab-console").click()  # back to the list, which was kept
    dash_duo.wait_for_element("#alert-list", timeout=10)
    assert dash_duo.find_element("#alerts-pane-analytics").get_attribute("hidden") is not None
    assert dash_duo.get_logs() == [], "the browser console has errors"
