"""/approvals in a real headless Chromium: drill department → matter → application list (personal data masked for
an analyst), the URL keeps the drill and restores it on reload, the way back up works, a bad query is corrected in the
address, and the charts are titled and dated in the page's language."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import openpyxl
from selenium.webdriver.support.ui import WebDriverWait

from tests.dashboards.dom import texts_of
from tests.dashboards.downloads import downloaded


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


def test_language_switch_keeps_the_view_and_is_remembered(dash_duo, open_page):
    """The page has the user bar every page has: 中文 | English keeps the drill in the address, and a later visit
    without `lang` follows the remembered choice (the `onescreen_lang` cookie)."""
    dash_duo.driver.set_window_size(1600, 1000)
    open_page("/approvals?days=30", role="analyst")
    dash_duo.wait_for_element('#lang-switch a[data-lang="en"]', timeout=40)
    assert dash_duo.find_element('#lang-switch a[data-lang="zh-CN"]').get_attribute("aria-current") == "true"
    assert dash_duo.find_element(".user-bar")  # with sign-out, as on every page

    dash_duo.find_element('#lang-switch a[data-lang="en"]').click()
    dash_duo.wait_for_contains_text("h1", "Government service performance", timeout=20)
    assert "lang=en" in dash_duo.driver.current_url and "days=30" in dash_duo.driver.current_url
    _wait_crumbs(dash_duo, "City")

    dash_duo.driver.get(f"{dash_duo.server_url}/approvals")
    dash_duo.wait_for_contains_text("h1", "Government service performance", timeout=20)
    dash_duo.find_element('#lang-switch a[data-lang="zh-CN"]').click()
    dash_duo.wait_for_contains_text("h1", "政务服务效能", timeout=20)
    assert dash_duo.get_logs() == [], "the browser console has errors"


def test_a_bad_query_is_corrected_in_the_address(dash_duo, open_page):
    open_page("/approvals?days=99&department=nope&matter=nope", role="analyst")
    _wait_crumbs(dash_duo, "全市")
    WebDriverWait(dash_duo.driver, 10).until(
        lambda d: parse_qs(urlparse(d.current_url).query) == {"days": ["7"]},
        f"the address kept the bad query: {dash_duo.driver.current_url}")
    assert dash_duo.get_logs() == [], "the browser console has errors"


def _daily(dash_duo) -> dict:
    return dash_duo.driver.execute_script(
        "const gd = document.querySelector('#apv-daily .js-plotly-plot');"
        "return {type: gd._fullLayout.xaxis.type, x: gd.data[0].x, locale: gd._context.locale};")


def test_the_daily_chart_is_on_a_date_axis_written_in_the_page_language(dash_duo, open_page):
    """The days were "11-26" strings that plotly.js read as dates in 2012 ("Jan 1 2012 … Jan 29")."""
    for lang, month, foreign in (("zh-CN", "月", ("Jan", "Nov", "Dec", "2012")), ("en", "", ("月", "2012"))):
        open_page(f"/approvals?days=7&lang={lang}", role="analyst")
        dash_duo.wait_for_element("#apv-daily .xtick text", timeout=20)
        daily = _daily(dash_duo)
        assert daily["type"] == "date" and daily["locale"] == lang
        assert len(daily["x"]) == 7 and date.fromisoformat(daily["x"][-1]) >= date.fromisoformat(daily["x"][0])
        ticks = " ".join(texts_of(dash_duo.driver, "#apv-daily .xtick text"))
        assert month in ticks and not [word for word in foreign if word in ticks], ticks
        titles = texts_of(dash_duo.driver, ".js-plotly-plot .gtitle")
        # throughput, daily, ranking, reviews, bundles, the digital divide's gap trend
        assert len(titles) == 6 and all(titles), titles
        assert len(texts_of(dash_duo.driver, "#apv-daily .xtitle, #apv-daily .ytitle, #apv-daily .y2title")) == 3


def _find(node, wanted: str):
    """The component with id `wanted` in a layout tree."""
    if getattr(node, "id", None) == wanted:
        return node
    children = getattr(node, "children", None)
    for child in children if isinstance(children, list) else [children] if children is not None else []:
        found = _find(child, wanted)
        if found is not None:
            return found
    return None


def test_the_wall_panel_patches_its_throughput_in_place_as_applications_complete(wall_app, wall_runtime):
    """A refresh answers with a Patch (never a new figure) that brings the drawn figure to what a fresh panel
    shows after an application completes; the as-of stamp moves."""
    from datetime import UTC, datetime

    from dash import Patch
    from sqlalchemy import select

    from dashboards import _wall_approvals
    from services.access import Principal, Role, bind_caller, unbind_caller
    from services.store import Application
    from tests.components.test_approval_figures import _apply, _plain

    token = bind_caller(Principal("kiosk", Role.WALL))
    try:
        drawn = _wall_approvals.approvals_panel("zh-CN")
        figure = _plain(_find(drawn, "approvals-throughput").figure)
        flow = _find(drawn, "approvals-flow").data
        with wall_runtime.sessions() as session:
            app = session.scalars(select(Application).where(Application.completed_at.is_(None))).first()
            app.status, app.completed_at = "approved", datetime.now(UTC)
            session.commit()

        patch, flow_after, stamp, text = _wall_approvals.refresh_approvals(1, flow)
        fresh = _plain(_find(_wall_approvals.approvals_panel("zh-CN"), "approvals-throughput").figure)
    finally:
        unbind_caller(token)

    assert isinstance(patch, Patch)
    patched = _apply(figure, patch.to_plotly_json())
    for got, want in zip(patched["data"], fresh["data"], strict=True):
        assert got["x"] == want["x"] and got["y"] == want["y"]
    assert [t["name"] for t in patched["data"]] == ["受理", "办结"]
    assert flow_after["size"] == flow["size"] and stamp >= flow["last"] and text


def test_the_page_patches_its_hourly_chart_with_local_iso_hours_on_its_date_axis(wall_app, wall_runtime):
    """The page's hourly chart is on a date axis: a refresh appends hours labelled as the figure was drawn (local ISO
    times), and the patched figure equals a fresh one after an application completes."""
    from datetime import UTC, datetime

    from sqlalchemy import select

    from dashboards import _approval_views as views
    from services.access import Principal, Role, bind_caller, unbind_caller
    from services.store import Application
    from tests.components.test_approval_figures import _apply, _plain

    analyst = Principal("analyst", Role.ANALYST)
    token = bind_caller(analyst)
    try:
        state = views.state_from({}, analyst.scope)
        drawn = views.render(state, analyst)
        figure = _plain(drawn["throughput"])
        with wall_runtime.sessions() as session:
            app = session.scalars(select(Application).where(Application.completed_at.is_(None))).first()
            app.status, app.completed_at = "approved", datetime.now(UTC)
            session.commit()
        patch, flow = views.extend_throughput(state, drawn["flow"], analyst)
        fresh = _plain(views.render(state, analyst)["throughput"])
    finally:
        unbind_caller(token)

    assert figure["layout"]["xaxis"]["type"] == "date"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:00", figure["data"][0]["x"][-1])
    patched = _apply(figure, patch.to_plotly_json())
    for got, want in zip(patched["data"], fresh["data"], strict=True):
        assert got["x"] == want["x"] and got["y"] == want["y"]
    assert flow["size"] == drawn["flow"]["size"]


def test_the_export_holds_numbers_percentages_and_dates_not_text(dash_duo, open_page):
    """The drill table as downloaded: rates as fractions with a % format, hours as numbers, times as Excel
    date-times, names not codes (the page's cells were copied as text: "92.3%", "11-26 09:00")."""
    dash_duo.driver.set_window_size(1600, 1000)
    open_page("/approvals?lang=en", role="analyst")
    dash_duo.wait_for_element("#apv-table-department", timeout=20)
    folder = Path(dash_duo.download_path)
    dash_duo.find_element("#apv-export-xlsx").click()
    sheet = openpyxl.load_workbook(downloaded(folder, ".xlsx")).active
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, row, strict=True)) for row in sheet.iter_rows(min_row=2)]
    assert rows and all(isinstance(row["Received"].value, int) for row in rows)
    rated = [row["On time"] for row in rows if row["On time"].value is not None]
    assert rated and all(0 <= cell.value <= 1 and cell.number_format == "0.0%" for cell in rated)
    assert all(isinstance(row["p90 (h)"].value, (int, float, type(None))) for row in rows)
    assert not any(str(row["Name"].value).isidentifier() and "_" in str(row["Name"].value) for row in rows)

    _click_first(dash_duo, "apv-table-department")
    matter = _click_first(dash_duo, "apv-table-matter")[0]
    dash_duo.wait_for_element("#apv-table-application", timeout=20)
    for stale in folder.glob("*.xlsx"):
        stale.unlink()
    button = dash_duo.find_element("#apv-export-xlsx")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", button)  # the table scrolled
    button.click()
    sheet = openpyxl.load_workbook(downloaded(folder, ".xlsx")).active
    header = [cell.value for cell in sheet[1]]
    submitted = [row[header.index("Submitted")] for row in sheet.iter_rows(min_row=2)]
    assert submitted and all(isinstance(cell.value, datetime) for cell in submitted), matter
