"""/indicators in a real browser: the URL restores the view, picking and drilling write it back, exports download
what is shown, and a district-bound analyst sees only their district."""

from __future__ import annotations

import csv
import io
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from services import audit

SIMING, HULI = "350203", "350206"


def _query(dash_duo) -> dict[str, list[str]]:
    return parse_qs(urlparse(dash_duo.driver.current_url).query)


def _downloaded(folder: Path, suffix: str, timeout: float = 10.0) -> Path:
    """The finished download ending in `suffix` (Chromium writes .crdownload until it is complete)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [p for p in folder.glob(f"*{suffix}") if p.stat().st_size > 0]
        if done:
            return done[0]
        time.sleep(0.1)
    raise AssertionError(f"no *{suffix} download in {folder}: {list(folder.iterdir())}")


def _wait_for_area(dash_duo, expected: str, timeout: float = 10.0) -> None:
    """Until the view's title contains `expected` (by textContent: the title may be scrolled out of view)."""
    WebDriverWait(dash_duo.driver, timeout).until(
        lambda d: expected in d.find_element(By.ID, "ind-area").get_attribute("textContent"),
        f"the view's title never showed {expected!r}",
    )


def _tick_labels(dash_duo) -> list[str]:
    """The comparison's district names, bottom bar first (SVG text: read its textContent)."""
    ticks = dash_duo.find_elements("#ind-compare .yaxislayer-above .ytick text")
    return [t.get_attribute("textContent") for t in ticks]


def test_url_restores_the_view_and_controls_write_it_back(dash_duo, open_page):
    open_page(f"/indicators?code=pm25&range=7d&district={HULI}", role="analyst")
    dash_duo.wait_for_element("#ind-trend .scatterlayer .trace", timeout=20)
    assert "湖里区 · PM2.5浓度" in dash_duo.find_element("#ind-area").text
    assert dash_duo.find_element("#ind-range input[value='7d']").is_selected()
    dash_duo.wait_for_element("#ind-map .maplibregl-canvas", timeout=10)
    dash_duo.wait_for_element("#ind-compare .bars .point", timeout=10)

    dash_duo.find_element("#ind-city").click()
    _wait_for_area(dash_duo, "全市 · PM2.5浓度（统计粒度：小时）")
    assert _query(dash_duo) == {"code": ["pm25"], "range": ["7d"]}

    dash_duo.find_element("#ind-range input[value='24h']").click()
    _wait_for_area(dash_duo, "5分钟")
    dash_duo.find_element("#ind-code").click()
    dash_duo.find_element(".dash-dropdown-search-container input").send_keys("空气质量")
    (option,) = [o for o in dash_duo.find_elements(".dash-dropdown-option") if o.text == "空气质量指数（AQI）"]
    option.click()
    _wait_for_area(dash_duo, "空气质量指数")
    assert _query(dash_duo) == {"code": ["aqi"], "range": ["24h"]}

    # Click the comparison's bar for Siming: the trend drills into it and the URL names it.
    bars = dash_duo.find_elements("#ind-compare .bars .point path")
    labels = _tick_labels(dash_duo)
    ActionChains(dash_duo.driver).move_to_element(bars[labels.index("思明区")]).click().perform()
    _wait_for_area(dash_duo, "思明区 · 空气质量指数")
    assert _query(dash_duo) == {"code": ["aqi"], "range": ["24h"], "district": [SIMING]}

    # Reloading the URL restores the whole view.
    dash_duo.driver.refresh()
    _wait_for_area(dash_duo, "思明区 · 空气质量指数（统计粒度：5分钟）")
    assert dash_duo.find_element("#ind-range input[value='24h']").is_selected()
    assert dash_duo.get_logs() == [], "the browser console has errors"


def test_exports_download_the_trend_shown_and_are_audited(dash_duo, open_page, wall_runtime):
    open_page(f"/indicators?code=aqi&range=24h&district={SIMING}&lang=en", role="analyst")
    _wait_for_area(dash_duo, "Siming")
    dash_duo.wait_for_element("#ind-trend .scatterlayer .trace", timeout=20)
    folder = Path(dash_duo.download_path)

    dash_duo.find_element("#ind-export-csv").click()
    data = _downloaded(folder, ".csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows and set(rows[0]) == {"Time", "Area", "Average", "Minimum", "Maximum", "Readings", "Unit"}
    assert {r["Area"] for r in rows} == {"Siming"} and rows[0]["Unit"] == "AQI"
    assert len(rows) == len(dash_duo.driver.execute_script(
        "return document.querySelector('#ind-trend .js-plotly-plot').data[1].x"))  # fmt: skip

    dash_duo.find_element("#ind-export-xlsx").click()
    assert _downloaded(folder, ".xlsx").read_bytes().startswith(b"PK")
    with wall_runtime.sessions() as session:
        entries = audit.recent(session, action="export.indicators")
    assert [e.actor for e in entries] == ["analyst", "analyst"] and "district=350203" in entries[0].detail


def test_a_district_bound_analyst_sees_only_their_district(dash_duo, open_page):
    open_page(f"/indicators?code=aqi&district={HULI}", role="analyst-siming")
    _wait_for_area(dash_duo, "思明区")
    assert dash_duo.find_element("#ind-city").get_attribute("disabled") is not None
    dash_duo.wait_for_element("#ind-compare .bars .point", timeout=10)
    labels = _tick_labels(dash_duo)
    assert labels == ["思明区"]
