"""/sources in a real headless Chromium: a source that falls silent shows as late within one cadence of being due,
the wall's KPI card that depends on it names it in its stale note, and so does the operator console."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from selenium.webdriver.support.ui import WebDriverWait

from services.sources import SourceInfo, record_delivery, register_sources
from tests.dashboards.dom import data_of, text_of

CADENCE_S = 6
AQI_FEED = SourceInfo("ecology-aqi-feed", "空气质量监测平台", "Air quality platform", "ecology", "http", "readings",
                      CADENCE_S, ("aqi",))


@dataclass
class Delivered:
    accepted: int
    updated: int = 0
    refused: list[object] = field(default_factory=list)


def _row_state(dash_duo) -> str | None:
    return data_of(dash_duo.driver, f"#sources-catalog tr[data-source='{AQI_FEED.id}']", "state")


def test_a_silenced_source_turns_late_within_a_cadence_and_the_wall_names_it(dash_duo, open_page, wall_runtime):
    with wall_runtime.sessions() as session:
        register_sources(session, [AQI_FEED])
        record_delivery(session, AQI_FEED.id, "readings", Delivered(accepted=12))
        session.commit()
    delivered = time.monotonic()
    open_page("/sources", role="leader")
    dash_duo.wait_for_element("#sources-catalog", timeout=20)
    assert _row_state(dash_duo) == "on_time"
    assert "空气质量监测平台" in text_of(dash_duo.driver, "#sources-dependencies")

    # Silenced: late 1.5 cadences after its delivery; the page must show it within one more cadence.
    deadline = 1.5 * CADENCE_S + CADENCE_S - (time.monotonic() - delivered)
    WebDriverWait(dash_duo.driver, deadline).until(lambda _d: _row_state(dash_duo) == "late",
                                                   "the silenced source never turned late on /sources")
    problems = text_of(dash_duo.driver, "#sources-problems")
    assert "空气质量监测平台" in problems and "滞后" in problems

    open_page("/wall", role="operator")
    dash_duo.wait_for_element("#kpi-aqi .kpi-asof", timeout=20)
    WebDriverWait(dash_duo.driver, 10).until(lambda _d: "空气质量监测平台" in text_of(dash_duo.driver, "#kpi-aqi .kpi-asof"))
    assert "来源滞后" in text_of(dash_duo.driver, "#kpi-aqi .kpi-asof")
    assert "空气质量监测平台" not in text_of(dash_duo.driver, "#kpi-metro_ridership .kpi-asof")

    open_page("/alerts", role="operator")  # and the operator console names it
    dash_duo.wait_for_element("#console-late-sources", timeout=20)
    assert "空气质量监测平台（" in text_of(dash_duo.driver, "#console-late-sources")  # late, or silent by now
    assert dash_duo.get_logs() == [], "the browser console has errors"
