"""/events' event list and detail panel as a user works them in a real headless Chromium: the grid pages and sorts
on the server, a row is picked with the keyboard, the detail opens in a side panel in view (it used to open 1 900 px
up the page) with the SLA card apart from the title, and closes; the table names districts, sources and yes/no
instead of codes; the controls are readable on the dark theme and speak Chinese on the Chinese page."""

from __future__ import annotations

import re

import pytest
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import func, select

from components.event_tables import PAGE_SIZE
from services.events import EventFilter, count_matching
from services.store import Event
from tests.dashboards.dom import text_of, texts_of
from tests.dashboards.event_grid import grid_rows, wait_for_rows
from tests.dashboards.page_checks import axe_violations, undrawn_cjk

_ROW_COUNT = "#events-table .ag-paging-row-summary-panel [data-ref='lbRecordCount']"
_FIRST_ROW_INDEX = ("const r = document.querySelector('#events-table .ag-center-cols-container .ag-row[row-id]');"
                    " return r ? Number(r.getAttribute('row-index')) : -1;")
_FOCUS_FIRST_CELL = """
const cell = document.querySelector('#events-table .ag-center-cols-container .ag-row[row-index="0"] .ag-cell[col-id="id"]');
cell.scrollIntoView({block: 'center'}); cell.focus(); return document.activeElement === cell;
"""
_IN_VIEW = """
const e = document.querySelector(arguments[0]);
if (!e) return null;
const r = e.getBoundingClientRect();
return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: innerWidth, height: innerHeight,
        visible: getComputedStyle(e).visibility !== 'hidden' && r.width > 0};
"""


def _open(dash_duo, open_page, path: str) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    dash_duo.driver.set_window_size(1600, 1000)
    open_page(path, role="operator")
    return wait_for_rows(dash_duo.driver)


def _wait_rows_changed(dash_duo, before: list[dict[str, str]]) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    WebDriverWait(dash_duo.driver, 30).until(
        lambda d: (rows := grid_rows(d)) and rows[0].get("id") and rows != before)
    return grid_rows(dash_duo.driver)


def test_the_grid_pages_and_sorts_on_the_server(dash_duo, open_page, wall_runtime, shoot):  # type: ignore[no-untyped-def]
    first = _open(dash_duo, open_page, "/events")
    with wall_runtime.sessions() as session:
        total = count_matching(session=session, filters=EventFilter(status=("open",)))
        newest_id = session.execute(select(func.max(Event.id))).scalar_one()
    assert total > PAGE_SIZE
    WebDriverWait(dash_duo.driver, 10).until(lambda d: text_of(d, _ROW_COUNT) == str(total))
    assert len(first) <= PAGE_SIZE  # one page in the browser, never the whole set
    stamps = [row["reported_at"] for row in first]
    assert stamps == sorted(stamps, reverse=True)  # newest first by default

    dash_duo.find_element("#events-table .ag-paging-button[data-ref='btNext']").click()
    second = _wait_rows_changed(dash_duo, first)
    assert dash_duo.driver.execute_script(_FIRST_ROW_INDEX) == PAGE_SIZE
    assert second[0]["reported_at"] <= stamps[-1] and not {r["id"] for r in second} & {r["id"] for r in first}

    dash_duo.find_element("#events-table .ag-header-cell[col-id='id'] .ag-header-cell-label").click()
    by_id = _wait_rows_changed(dash_duo, second)
    ids = [int(row["id"]) for row in by_id]
    assert ids == sorted(ids, reverse=True)
    assert dash_duo.driver.execute_script(_FIRST_ROW_INDEX) == 0  # a new order starts at its first page
    with wall_runtime.sessions() as session:
        newest_open = session.execute(select(func.max(Event.id)).where(
            Event.status.not_in(("closed", "cancelled")))).scalar_one()
    assert ids[0] == newest_open <= newest_id
    shoot("events-grid-sorted.png")


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_a_row_picked_with_the_keyboard_opens_the_detail_side_panel_in_view(  # type: ignore[no-untyped-def]
        dash_duo, open_page, shoot, lang: str):
    rows = _open(dash_duo, open_page, f"/events?lang={lang}")
    driver = dash_duo.driver
    assert driver.execute_script(_FOCUS_FIRST_CELL)  # the table scrolled into view, far below the map
    driver.switch_to.active_element.send_keys(Keys.ARROW_DOWN)
    driver.switch_to.active_element.send_keys(Keys.SPACE)
    wanted = rows[1]["id"]
    dash_duo.wait_for_element(f'#event-detail-body h3[data-event-id="{wanted}"]', timeout=30)
    assert "ag-row-selected" in dash_duo.find_element(
        f'#events-table .ag-row[row-id="{wanted}"]').get_attribute("class")  # the picked row stays highlighted

    WebDriverWait(driver, 10).until(lambda d: (box := d.execute_script(_IN_VIEW, "#event-detail-body h3"))
                                    and box["visible"] and 0 <= box["top"] < box["height"])
    WebDriverWait(driver, 10).until(lambda d: (box := d.execute_script(_IN_VIEW, "#event-detail"))  # slid in
                                    and box["width"] / 2 <= box["left"] and box["right"] <= box["width"] + 1)
    title = text_of(driver, "#event-detail-body h3")
    card = text_of(driver, "#event-detail-body .sla-card")
    assert card and card not in title  # "#100005 占道经营正常": the SLA card was glued to the title
    fields = dict(zip(texts_of(driver, "#event-detail-body .event-fields dt"),
                      texts_of(driver, "#event-detail-body .event-fields dd"), strict=True))
    district = fields["区" if lang == "zh-CN" else "District"]
    assert not re.search(r"\d", district), fields  # the district by its name, not its adcode
    shoot(f"events-detail-panel-{lang}.png")
    assert axe_violations(driver) == []  # the open panel too: named by its title, its fields labelled
    assert undrawn_cjk(driver) == []

    driver.switch_to.active_element.send_keys(Keys.ESCAPE)
    WebDriverWait(driver, 10).until(lambda d: not d.find_elements("css selector", "#event-detail.show"))
    WebDriverWait(driver, 10).until(lambda d: not (d.execute_script(_IN_VIEW, "#event-detail") or {}).get("width"))


def test_the_grid_names_districts_sources_and_yes_no_instead_of_codes(dash_duo, open_page, wall_runtime):  # type: ignore[no-untyped-def]
    rows = _open(dash_duo, open_page, "/events?status=open,closed")
    districts = set(wall_runtime.city.names("zh-CN").values()) | {"市外"}
    assert {row["district"] for row in rows} <= districts
    sources = {row["source"] for row in rows}
    assert sources and not sources & {"hotline", "patrol", "video", "sensor", "app"}, sources
    assert {row["out_of_city"] for row in rows} <= {"是", "否"}


_CONTRAST = """
function rgb(s) { return s.match(/[\\d.]+/g).slice(0, 3).map(Number); }
function lum(c) { return c.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
                    .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0); }
function background(e) {
  for (; e; e = e.parentElement) { const c = getComputedStyle(e).backgroundColor; if (!/rgba\\(.*, 0\\)$/.test(c)
      && c !== 'transparent') return c; }
  return 'rgb(255, 255, 255)';
}
return Array.from(document.querySelectorAll(arguments[0]), e => {
  const a = lum(rgb(getComputedStyle(e).color)), b = lum(rgb(background(e)));
  return [e.textContent || e.placeholder, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
});
"""


def test_the_controls_are_readable_on_the_dark_theme_and_speak_the_page_language(dash_duo, open_page):  # type: ignore[no-untyped-def]
    """The view radios were near-black on the dark page (1.02:1), the date range near-white on white (1.14:1) and
    its placeholders said "Start Date" on the Chinese page."""
    _open(dash_duo, open_page, "/events")
    driver = dash_duo.driver
    for selector in ("#events-view .form-check-label", "#events-colour .form-check-label", "#events-f-time-start",
                     ".events-label"):
        ratios = driver.execute_script(_CONTRAST, selector)
        assert ratios and all(ratio >= 4.5 for _text, ratio in ratios), (selector, ratios)
    placeholders = driver.execute_script(
        "return ['#events-f-time-start', '#events-f-time-end'].map(s => document.querySelector(s).placeholder);")
    assert placeholders == ["开始日期", "结束日期"]
    labels = driver.execute_script(
        "return Array.from(document.querySelectorAll('.events-filters label[for]'), l => "
        "[l.htmlFor, l.textContent, !!document.getElementById(l.htmlFor)]);")
    assert {name for name, _text, found in labels if found} >= {
        "events-f-status", "events-f-category", "events-f-district", "events-f-department", "events-f-time-start"}
    named = {name: driver.find_element("id", name).accessible_name for name in ("events-f-status", "events-f-district")}
    assert named["events-f-status"].startswith("状态") and named["events-f-district"].startswith("区"), named
