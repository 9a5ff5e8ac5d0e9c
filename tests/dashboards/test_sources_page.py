"""/sources in a real headless Chromium: a source that falls silent shows as late within one cadence of being due,
the wall's KPI card that depends on it names it in its stale note, and so does the operator console."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from selenium.webdriver.support.ui import WebDriverWait

from services.sources import SourceInfo, record_delivery, register_sources

CADENCE_S = 6
AQI_FEED = SourceInfo("ecology-aqi-feed", "空气质量监测平台", "Air quality platform", "ecology", "http", "readings",
                      CADENCE_S, ("aqi",))


@dataclass
class Delivered:
    accepted: int
    updated: int = 0
    refused: list[object] = field(default_factory=list)


def _text(dash_duo, selector: str) -> str:
    """An element's text from the DOM, in view or not."""
    return dash_duo.find_element(selector).get_attribute("textContent")


def _row_state(dash_duo) -> str | None:
    rows = dash_duo.driver.find_elements("css selector", f"#sources-catalog tr[data-source='{AQI_FEED.id}']")
    return rows[0].get_attribute("data-state") if rows else None


def test_a_silenced_source_turns_late_within_a_cadence_and_the_wall_names_it(dash_duo, open_page, wall_runtime):
    with wall_runtime.sessions() as session:
        register_sources(session, [AQI_FEED])
        record_delivery(session, AQI_FEED.id, "readings", Delivered(accepted=12))
        session.commit()
    delivered = time.monotonic()
    open_page("/sources", role="leader")
    dash_duo.wait_for_element("#sources-catalog", timeout=20)
    assert _row_state(dash_duo) == "on_time"
    assert "空气质量监测平台" in _text(dash_duo, "#sources-dependencies")

    # Silenced: late 1.5 cadences after its delivery; the page must show it within one more cadence.
    deadline = 1.5 * CADENCE_S + CADENCE_S - (time.monotonic() - delivered)
    WebDriverWait(dash_duo.driver, deadline).until(lambda _d: _row_state(dash_duo) == "late",
                                                   "the silenced source never turned late on /sources")
    problems = _text(dash_duo, "#sources-problems")
    assert "空气质量监测平台" in problems and "滞后" in problems

    open_page("/wall", role="operator")
    dash_duo.wait_for_element("#kpi-aqi .kpi-asof", timeout=20)
    WebDriverWait(dash_duo.driver, 10).until(lambda _d: "空气质量监测平台" in _text(dash_duo, "#kpi-aqi .kpi-asof"))
    assert "来源滞后" in _text(dash_duo, "#kpi-aqi .kpi-asof")
    assert "空气质量监测平台" not in _text(dash_duo, "#kpi-metro_ridership .kpi-asof")

    open_page("/alerts", role="operator")  # and the operator console names it
    dash_duo.wait_for_element("#console-late-sources", timeout=20)
    assert "空气质量监测平台（" in _text(dash_duo, "#console-late-sources")  # late, or silent by now
    assert dash_duo.get_logs() == [], "the browser console has errors"
