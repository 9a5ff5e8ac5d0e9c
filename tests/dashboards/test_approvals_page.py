"""/approvals in a real headless Chromium: drill department → matter → application list (personal data masked for
an analyst), the URL keeps the drill and restores it on reload, and the way back up works."""

from __future__ import annotations

import re

from selenium.webdriver.support.ui import WebDriverWait


def _wait_crumbs(dash_duo, expected: str) -> None:
    """The breadcrumb's text, read from the DOM (it may be scrolled out of view after a click further down)."""
    WebDriverWait(dash_duo.driver, 20).until(
        lambda d: d.find_element("id", "apv-crumbs").get_attribute("textContent") == expected,
        f"breadcrumb never became {expected!r}")


def _click_first(dash_duo, table: str) -> tuple[str, str]:
    """Click the first row's drill button (scrolled into view: the page body does not scroll by itself)."""
    button = dash_duo.wait_for_element(f"#{table} tbody tr button", timeout=20)
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", button)
    key = button.find_element("xpath", "./ancestor::tr").get_attribute("data-key")
    name = button.get_attribute("textContent")
    button.click()
    return key, name


def test_drill_department_matter_applications_and_the_url_restores_it(dash_duo, open_page):
    dash_duo.driver.set_window_size(1600, 1000)
    open_page("/approvals", role="analyst")
    dash_duo.wait_for_element("#approvals-throughput .main-svg .scatterlayer", timeout=20)
    _wait_crumbs(dash_duo, "全市")
    assert dash_duo.find_element("#apv-kpi-received .apv-kpi-value").text not in ("", "0", "—")

    department, department_name = _click_first(dash_duo, "apv-table-department")
    _wait_crumbs(dash_duo, f"全市 › {department_name}")
    assert f"department={department}" in dash_duo.driver.current_url

    matter, matter_name = _click_first(dash_duo, "apv-table-matter")
    _wait_crumbs(dash_duo, f"全市 › {department_name} › {matter_name}")
    assert f"matter={matter}" in dash_duo.driver.current_url
    listing = dash_duo.wait_for_element("#apv-table-application", timeout=20).get_attribute("textContent")
    assert re.search(r"\d{3}\*{4}\d{4}", listing), listing[:300]
    assert not re.search(r"1\d{10}", listing)

    dash_duo.driver.get(dash_duo.driver.current_url)  # a shared / reloaded URL opens the same drilled view
    _wait_crumbs(dash_duo, f"全市 › {department_name} › {matter_name}")
    dash_duo.wait_for_element("#apv-table-application", timeout=20)

    dash_duo.find_element("#apv-up-department").click()
    _wait_crumbs(dash_duo, f"全市 › {department_name}")
    dash_duo.wait_for_element("#apv-table-matter", timeout=20)
    assert "matter=" not in dash_duo.driver.current_url
    dash_duo.find_element("#apv-up-city").click()
    _wait_crumbs(dash_duo, "全市")
    assert dash_duo.get_logs() == [], "the browser console has errors"
