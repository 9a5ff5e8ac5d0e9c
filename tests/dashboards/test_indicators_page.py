"""/indicators in a real browser: the URL restores the view, picking and drilling write it back, a bad query is
corrected in the address, exports download what is shown, a district-bound analyst sees only their district, and
the charts are titled, dated and united in the page's language."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import openpyxl
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from services import audit
from tests.dashboards.dom import settle, texts_of
from tests.dashboards.downloads import downloaded

SIMING, HULI = "350203", "350206"


def _query(dash_duo) -> dict[str, list[str]]:
    return parse_qs(urlparse(dash_duo.driver.current_url).query)


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
    Select(dash_duo.find_element("#ind-code")).select_by_visible_text("空气质量指数（AQI）")
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
    data = downloaded(folder, ".csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows and set(rows[0]) == {"Time", "Area", "Average", "Minimum", "Maximum", "Readings", "Unit"}
    assert {r["Area"] for r in rows} == {"Siming"} and rows[0]["Unit"] == "AQI"
    assert len(rows) == len(dash_duo.driver.execute_script(
        "return document.querySelector('#ind-trend .js-plotly-plot').data[1].x"))  # fmt: skip

    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?", r["Time"]) for r in rows)  # no offset
    assert all(re.fullmatch(r"\d+(\.\d)?", r["Average"]) for r in rows)  # AQI has no decimals, at most one

    dash_duo.find_element("#ind-export-xlsx").click()
    sheet = openpyxl.load_workbook(downloaded(folder, ".xlsx")).active
    header = [cell.value for cell in sheet[1]]
    first = {name: cell for name, cell in zip(header, sheet[2], strict=True)}
    assert isinstance(first["Time"].value, datetime) and "yy" in first["Time"].number_format  # a real date-time
    assert isinstance(first["Average"].value, (int, float)) and isinstance(first["Readings"].value, int)
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


def _layout(dash_duo, graph: str) -> dict:
    """The layout plotly.js drew for `graph` (its full layout: computed axis ranges and types included)."""
    return dash_duo.driver.execute_script(
        "const gd = document.querySelector(arguments[0] + ' .js-plotly-plot');"
        "return {shapes: gd.layout.shapes || [], xrange: gd._fullLayout.xaxis.range, locale: gd._context.locale};",
        f"#{graph}")  # fmt: skip


def test_a_bad_query_is_corrected_in_the_address_without_a_history_entry(dash_duo, open_page):
    open_page("/indicators?code=nope&range=1y&district=999999", role="analyst")
    _wait_for_area(dash_duo, "全市 · 空气质量指数")
    WebDriverWait(dash_duo.driver, 10).until(lambda d: _query(dash_duo) == {"code": ["aqi"], "range": ["24h"]},
                                             f"the address kept the bad query: {dash_duo.driver.current_url}")
    assert Select(dash_duo.find_element("#ind-code")).first_selected_option.get_attribute("value") == "aqi"
    # A control changed afterwards is one new history entry, and Back returns to the corrected address.
    dash_duo.find_element("label[for$='_7d'], #ind-range input[value='7d']").click()
    _wait_for_area(dash_duo, "小时")
    assert _query(dash_duo) == {"code": ["aqi"], "range": ["7d"]}
    dash_duo.driver.back()
    _wait_for_area(dash_duo, "5分钟")
    assert _query(dash_duo) == {"code": ["aqi"], "range": ["24h"]}
    assert dash_duo.get_logs() == [], "the browser console has errors"


def test_the_picker_names_each_unit_once_in_the_page_language(dash_duo, open_page):
    open_page("/indicators?lang=en", role="analyst")
    _wait_for_area(dash_duo, "Whole city")
    english = texts_of(dash_duo.driver, "#ind-code option")
    assert "Air quality index (AQI)" in english and not [o for o in english if "（" in o or "(AQI) (" in o]
    assert "Metro ridership (persons/h)" in english
    dash_duo.driver.get(f"{dash_duo.server_url}/indicators")
    _wait_for_area(dash_duo, "全市")
    chinese = texts_of(dash_duo.driver, "#ind-code option")
    assert "空气质量指数（AQI）" in chinese and "地铁客流（人次/时）" in chinese
    assert dash_duo.find_element("label[for='ind-code']").text == "指标"


def test_district_bars_are_never_measured_against_the_city_thresholds(dash_duo, open_page):
    open_page("/indicators?code=hotline_open_orders", role="analyst")  # a count the districts add up to
    dash_duo.wait_for_element("#ind-compare .bars .point", timeout=20)
    dash_duo.wait_for_element("#ind-trend .scatterlayer .trace", timeout=20)
    compare = _layout(dash_duo, "ind-compare")
    assert compare["shapes"] == [] and compare["xrange"][1] < 600, compare
    assert {s["y0"] for s in _layout(dash_duo, "ind-trend")["shapes"]} == {600, 800}, "the city keeps its lines"

    settle(dash_duo.driver)  # the map's first draw may still redraw the row: find the bars after it
    labels = _tick_labels(dash_duo)
    bars = dash_duo.find_elements("#ind-compare .bars .point path")
    ActionChains(dash_duo.driver).move_to_element(bars[labels.index("思明区")]).click().perform()
    _wait_for_area(dash_duo, "思明区")
    WebDriverWait(dash_duo.driver, 10).until(lambda d: _layout(dash_duo, "ind-trend")["shapes"] == [],
                                             "a district's trend still carries the city's thresholds")


def test_charts_are_titled_and_dated_in_the_page_language(dash_duo, open_page):
    for lang, month, absent in (("zh-CN", "月", "Dec"), ("en", "Dec", "月")):
        open_page(f"/indicators?code=metro_ridership&range=7d&lang={lang}", role="analyst")
        dash_duo.wait_for_element("#ind-trend .xtick text", timeout=20)
        dash_duo.wait_for_element("#ind-compare .bars .point", timeout=20)
        ticks = " ".join(texts_of(dash_duo.driver, "#ind-trend .xtick text"))
        assert month in ticks and absent not in ticks, ticks
        assert _layout(dash_duo, "ind-trend")["locale"] == lang
        download = "下载图表为PNG格式" if lang == "zh-CN" else "Download plot as a PNG"  # the shipped zh-CN locale
        assert download in dash_duo.driver.execute_script(
            "return Array.from(document.querySelectorAll('#ind-trend .modebar-btn'), b => b.dataset.title);")
        values = " ".join(texts_of(dash_duo.driver, "#ind-trend .ytick text"))
        assert "k" not in values and "," in values, values  # 100,000 and not 100k
        titles = texts_of(dash_duo.driver, "#ind-trend .gtitle, #ind-compare .gtitle, #ind-map .gtitle")
        assert len(titles) == 3 and all(titles), titles
        axes = texts_of(dash_duo.driver, "#ind-trend .xtitle, #ind-trend .ytitle, #ind-compare .xtitle")
        unit = "人次/时" if lang == "zh-CN" else "persons/h"
        assert len(axes) == 3 and unit in axes[1] and unit in axes[2], axes
