"""/events in a real headless Chromium: a click on a district drills into its grid (and the URL keeps it), a click
on an event opens its detail panel with the per-department timeline, and the reporter's contact is masked for a
role that may not see personal data."""

from __future__ import annotations

import re

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.support.ui import WebDriverWait

from services.events.points import points
from services.events.queries import EventFilter
from tests.dashboards.dom import text_of
from tests.dashboards.event_grid import open_event, wait_for_rows

SIMING = "350203"

# The map subplot's MapLibre instance turns a lon/lat into a pixel of its canvas (what a user would click).
_PROJECT = """
const gd = document.querySelector('#events-map .js-plotly-plot');
const map = gd._fullLayout.map._subplot.map;
const p = map.project([arguments[0], arguments[1]]);
const r = map.getCanvas().getBoundingClientRect();
return [p.x - r.width / 2, p.y - r.height / 2];
"""
_TRACES = "return document.querySelector(arguments[0] + ' .js-plotly-plot').data.map(t => [t.type, t.locations ? " \
          "Array.from(t.locations).slice(0, 3) : null, t.x ? t.x.length : 0]);"


def _click_map_at(dash_duo, lon: float, lat: float) -> None:
    canvas = dash_duo.wait_for_element("#events-map .maplibregl-canvas", timeout=15)
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", canvas)
    dx, dy = dash_duo.driver.execute_script(_PROJECT, lon, lat)
    ActionChains(dash_duo.driver).move_to_element(canvas).move_by_offset(int(dx), int(dy)).pause(0.3).click() \
        .perform()


def test_click_on_a_district_drills_into_its_grid_and_the_url_restores_it(dash_duo, open_page, wall_runtime):
    dash_duo.driver.set_window_size(1600, 1200)
    open_page("/events", role="analyst")
    dash_duo.wait_for_element("#events-map .maplibregl-canvas", timeout=15)
    dash_duo.wait_for_text_to_equal("#events-crumb", "全市", timeout=10)
    point = wall_runtime.city.districts.loc[SIMING].geometry.representative_point()
    _click_map_at(dash_duo, point.x, point.y)

    dash_duo.wait_for_text_to_equal("#events-crumb", "思明区", timeout=15)
    assert f"drill={SIMING}" in dash_duo.driver.current_url
    dash_duo.wait_for_element("#events-map .maplibregl-canvas", timeout=15)
    traces = dash_duo.driver.execute_script(_TRACES, "#events-map")
    assert traces[0][0] == "choroplethmap" and all(c.startswith(f"{SIMING}-r") for c in traces[0][1])

    dash_duo.driver.get(dash_duo.driver.current_url)  # a shared / reloaded URL opens the same drilled view
    dash_duo.wait_for_text_to_equal("#events-crumb", "思明区", timeout=15)
    dash_duo.find_element("#events-back").click()
    dash_duo.wait_for_text_to_equal("#events-crumb", "全市", timeout=10)
    assert "drill=" not in dash_duo.driver.current_url


def _open_first_dispatched_event(dash_duo, open_page, role: str) -> str:
    open_page("/events?status=in_progress&view=districts", role=role)
    event_id = wait_for_rows(dash_duo.driver)[0]["id"]
    open_event(dash_duo, event_id)
    dash_duo.wait_for_element("#event-timeline .scatterlayer .trace", timeout=15)
    traces = dash_duo.driver.execute_script(_TRACES, "#event-timeline")
    assert any(length > 0 for _type, _loc, length in traces), "the timeline draws no dispatch"
    assert dash_duo.find_element("#event-detail-body .sla-card").get_attribute("data-card") in ("none", "yellow",
                                                                                                "red")
    return text_of(dash_duo.driver, "#event-detail-body .event-fields")  # the panel may still be sliding in


def test_event_detail_panel_masks_the_reporter_for_an_analyst(dash_duo, open_page):
    fields = _open_first_dispatched_event(dash_duo, open_page, "analyst")
    assert re.search(r"\d{3}\*{4}\d{4}", fields), fields
    assert not re.search(r"\d{11}", fields)


def test_event_detail_panel_shows_the_reporter_to_an_operator(dash_duo, open_page):
    fields = _open_first_dispatched_event(dash_duo, open_page, "operator")
    assert re.search(r"1\d{10}", fields), fields
    assert "****" not in fields


_DRAWN = "const gd = document.querySelector('#events-map .js-plotly-plot'); return gd && gd._fullData ? " \
         "gd._fullData.filter(t => t.type === 'scattergl').reduce((s, t) => s + t._length, 0) : 0;"


def test_point_view_draws_every_matching_event_as_webgl_points(dash_duo, open_page, wall_runtime):
    open_page("/events?status=open&view=points", role="analyst")
    dash_duo.wait_for_element("#events-map .gl-container canvas", timeout=30)
    WebDriverWait(dash_duo.driver, 30).until(lambda driver: driver.execute_script(_DRAWN) > 0)
    with wall_runtime.sessions() as session:
        expected = len(points(session=session, filters=EventFilter(status=("open",))))
    assert dash_duo.driver.execute_script(_DRAWN) == expected > 0
    assert dash_duo.find_element("#events-map-note").text == ""  # nothing capped: no "showing N of M"


_TABLE_FONT = """
return Array.from(document.querySelectorAll(arguments[0]), cell => ({
  family: getComputedStyle(cell).fontFamily, text: cell.textContent,
  drawn: document.fonts.check('14px "Noto Sans SC"', cell.textContent)}));
"""


def test_the_tables_draw_chinese_in_the_shipped_font(dash_duo, open_page):
    """On a machine with no CJK system font (this one, and many kiosks) the linkage table drew Chinese as boxes:
    dash_table's cells did not name the shipped face. The face comes in unicode-range slices that load once a cell
    needs them, after `document.fonts.ready` may have settled: each cell is awaited until its slices are loaded."""
    open_page("/events", role="operator")
    dash_duo.wait_for_element('#linkage-table .ag-center-cols-container .ag-cell[col-id="department"]', timeout=30)
    wait_for_rows(dash_duo.driver)
    for selector in ('#linkage-table .ag-center-cols-container .ag-cell[col-id="department"]',
                     '#events-table .ag-center-cols-container .ag-cell[col-id="category"]'):
        def chinese_cells(driver, selector=selector):  # type: ignore[no-untyped-def]
            return [cell for cell in driver.execute_script(_TABLE_FONT, selector)
                    if re.search(r"[\u4e00-\u9fff]", cell["text"])]

        assert chinese_cells(dash_duo.driver), f"{selector}: no Chinese text to check"
        WebDriverWait(dash_duo.driver, 15).until(lambda d: all(cell["drawn"] for cell in chinese_cells(d)),
                                                 f"{selector}: a cell's Noto Sans SC slice never loaded")
        for cell in chinese_cells(dash_duo.driver):
            assert cell["family"].startswith('"Noto Sans SC"'), (selector, cell)
