"""/hotline in the browser, on the seeded city with work orders added: the tiles, the departments' table and the
drilled grid show the numbers a pandas recomputation from the stored rows gives; the reporter is masked for an
analyst on the page and in the export, and shown to an operator, who works the orders."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.support.ui import WebDriverWait

from services.platform.runtime import Runtime
from tests.dashboards.dom import settle, texts_of
from tests.dashboards.downloads import downloaded
from tests.services.hotline.figures_data import (
    add_orders,
    expected_departments,
    expected_summary,
    frames,
    in_period,
)

MASKED_PHONE = re.compile(r"^(\d{3}\*+\d{4})?$")  # or no phone at all
_GRID_ROWS = """
return Array.from(document.querySelectorAll('#hl-orders .ag-center-cols-container .ag-row[row-id]'),
  row => Object.fromEntries(Array.from(row.querySelectorAll('.ag-cell[col-id]'),
                                       cell => [cell.getAttribute('col-id'), cell.textContent])));
"""


@pytest.fixture
def hotline_store(wall_runtime: Runtime) -> datetime:
    """300 work orders of the last two weeks in the seeded city; the period's end as the page computes it."""
    now = datetime.now(UTC)
    with wall_runtime.sessions() as session:
        add_orders(session, 300, now=now - timedelta(minutes=5), districts=("350203", "350206", "350211"),
                   departments=("urban_mgmt", "municipal", "water", "police"),
                   categories=("city_appearance", "facilities", "traffic", "public_security"))
        session.commit()
    return now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


def _tiles(driver) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return dict(driver.execute_script(
        "return Array.from(document.querySelectorAll('#hl-tiles [data-tile]'), e => [e.dataset.tile, e.dataset.value]);"))


def _grid_rows(driver) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    return list(driver.execute_script(_GRID_ROWS))


def _wait_rows(driver) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    """The rows the grid has drawn (those in view) once its block has arrived."""
    WebDriverWait(driver, 30).until(lambda d: (rows := _grid_rows(d)) and all(r.get("id") for r in rows))
    return _grid_rows(driver)


def test_the_figures_equal_a_pandas_recomputation_and_drill_to_their_orders(
        dash_duo, open_page, shoot, wall_runtime: Runtime,
        hotline_store: datetime) -> None:  # type: ignore[no-untyped-def]
    dash_duo.driver.set_window_size(1600, 1000)
    open_page("/hotline", role="analyst")
    dash_duo.wait_for_element("#hl-tiles [data-tile='orders']", timeout=20)
    settle(dash_duo.driver)
    end = hotline_store
    with wall_runtime.sessions() as session:
        orders, dispatches, calls = frames(session)
    week = in_period(orders, end - timedelta(days=7), end)
    now = datetime.now(UTC)
    want = expected_summary(week, now)
    tiles = _tiles(dash_duo.driver)
    assert int(tiles["orders"]) == want["orders"] > 100
    assert int(tiles["overdue"]) == want["overdue"] and int(tiles["repeats"]) == want["repeats"]
    for name in ("on_time_reply", "on_time_close", "satisfaction"):
        assert float(tiles[name]) == pytest.approx(want[name]), name
    week_calls = calls[(calls["started_at"] >= pd.Timestamp(end - timedelta(days=7)))
                       & (calls["started_at"] < pd.Timestamp(end))]
    assert float(tiles["answer_rate"]) == pytest.approx(week_calls["answered"].mean())

    departments = expected_departments(week, dispatches, now)
    shown = dict(zip(dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('#hl-departments-table tbody tr'), r => r.dataset.key);"),
        texts_of(dash_duo.driver, "#hl-departments-table tbody tr td:nth-child(4)"), strict=True))
    assert {code: int(value) for code, value in shown.items()} == departments["overdue"].to_dict()

    dash_duo.find_element("[data-tile='overdue']").click()
    dash_duo.wait_for_text_to_equal("#hl-drill-label", "超期工单", timeout=20)
    rows = _wait_rows(dash_duo.driver)
    WebDriverWait(dash_duo.driver, 30).until(lambda d: _row_count(d) == want["overdue"])
    assert "drill=overdue" in dash_duo.driver.current_url
    assert all(MASKED_PHONE.match(row["reporter_phone"]) for row in rows)
    assert all(row["reporter_name"] in ("", "*") or row["reporter_name"][1:] == "*" * (len(row["reporter_name"]) - 1)
               for row in rows)

    folder = Path(dash_duo.download_path)
    dash_duo.find_element("#hl-export-csv").click()
    exported = pd.read_csv(downloaded(folder, ".csv"), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert len(exported) == want["overdue"]
    assert exported["联系电话"].str.match(MASKED_PHONE).all()
    shoot("hotline-analyst-overdue.png")


def test_an_operator_sees_the_reporter_and_a_district_analyst_only_their_district(
        dash_duo, open_page, wall_runtime: Runtime, hotline_store: datetime) -> None:  # type: ignore[no-untyped-def]
    dash_duo.driver.set_window_size(1600, 1000)
    open_page("/hotline?drill=repeats", role="operator")
    rows = _wait_rows(dash_duo.driver)
    assert any(re.fullmatch(r"1\d{10}", row["reporter_phone"]) for row in rows)
    assert not any("*" in row["reporter_phone"] for row in rows)
    assert dash_duo.find_element("#hl-export-csv").get_attribute("disabled")  # no export right

    open_page("/hotline", role="analyst-siming")
    dash_duo.wait_for_element("#hl-tiles [data-tile='orders']", timeout=20)
    with wall_runtime.sessions() as session:
        orders, _, _ = frames(session)
    week = in_period(orders, hotline_store - timedelta(days=7), hotline_store)
    assert int(_tiles(dash_duo.driver)["orders"]) == int((week["district"] == "350203").sum())


def test_a_crafted_drill_or_filter_is_corrected_not_an_error(
        dash_duo, open_page, hotline_store: datetime) -> None:  # type: ignore[no-untyped-def]
    open_page("/hotline?days=99&channel=fax,phone&drill=hour|not-a-time&lang=en", role="analyst")
    dash_duo.wait_for_element("#hl-tiles [data-tile='orders']", timeout=20)
    WebDriverWait(dash_duo.driver, 10).until(lambda d: "fax" not in d.current_url)
    assert "channel=phone" in dash_duo.driver.current_url and "drill" not in dash_duo.driver.current_url
    assert dash_duo.find_element("#hl-drill-label").text == "All orders"


def test_a_click_on_a_bar_or_a_department_lists_its_orders(
        dash_duo, open_page, wall_runtime: Runtime, hotline_store: datetime) -> None:  # type: ignore[no-untyped-def]
    dash_duo.driver.set_window_size(1600, 1000)
    open_page("/hotline", role="analyst")
    bar = dash_duo.wait_for_element("#hl-categories .bars .point path", timeout=30)
    top = dash_duo.driver.execute_script(
        "const g = document.getElementById('hl-categories').querySelector('.js-plotly-plot');"
        "const t = g.data[0]; return t.y[t.y.length - 1];")  # drawn top-down: the last bar is the biggest
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", bar)
    points = dash_duo.find_elements("#hl-categories .bars .point path")
    ActionChains(dash_duo.driver).move_to_element(points[-1]).click().perform()  # plotly's drag layer takes it
    dash_duo.wait_for_text_to_equal("#hl-drill-label", f"类别：{top}", timeout=20)
    WebDriverWait(dash_duo.driver, 30).until(
        lambda d: (rows := _grid_rows(d)) and all(row.get("category") == top for row in rows))

    first = dash_duo.find_element("#hl-departments-table tbody tr td:nth-child(4) button")  # a department's overdue
    department = first.find_element("xpath", "./ancestor::tr").get_attribute("data-key")
    dash_duo.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", first)
    first.click()
    WebDriverWait(dash_duo.driver, 20).until(lambda d: f"department_overdue%7C{department}" in d.current_url
                                             or f"department_overdue|{department}" in d.current_url)
    WebDriverWait(dash_duo.driver, 30).until(lambda d: _row_count(d) == int(first.text))


def _row_count(driver) -> int:  # type: ignore[no-untyped-def]
    """The grid's total (the server's `rowCount`), as its API knows it."""
    return int(driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "dash_ag_grid.getApiAsync('hl-orders').then(api => done(api.paginationGetRowCount()));"))


def test_a_new_period_redraws_every_piece_from_its_own_query(
        dash_duo, open_page, wall_runtime: Runtime, hotline_store: datetime) -> None:  # type: ignore[no-untyped-def]
    dash_duo.driver.set_window_size(1600, 1000)
    open_page("/hotline", role="analyst")
    dash_duo.wait_for_element("#hl-tiles [data-tile='orders']", timeout=30)
    with wall_runtime.sessions() as session:
        orders, _, _ = frames(session)
    day = in_period(orders, hotline_store - timedelta(days=1), hotline_store)
    dash_duo.find_element("label[for='_dbcprivate_radioitems_hl-days_input_1']").click()
    WebDriverWait(dash_duo.driver, 30).until(lambda d: _tiles(d).get("orders") == str(len(day)))
    assert "days=1" in dash_duo.driver.current_url
    shown = sum(int(v) for v in texts_of(dash_duo.driver, "#hl-spots-table tbody tr td:nth-child(3)"))
    assert shown <= len(day)  # the hot spots follow the period too


def test_hot_topics_follow_the_drawn_page_with_the_services_terms(
        dash_duo, open_page, wall_runtime: Runtime, hotline_store: datetime) -> None:  # type: ignore[no-untyped-def]
    """The page is drawn without waiting for the week's term analysis; the topics then arrive by their own callback,
    the same terms in the same order as the service gives for the page's view."""
    from dashboards import _hotline_views as views
    from services import hotline
    from services.access import CITY_WIDE

    open_page("/hotline", role="analyst")
    dash_duo.wait_for_element("#hl-tiles [data-tile='orders']", timeout=30)
    state = views.state_from({}, CITY_WIDE)
    with wall_runtime.sessions() as session:
        want = [t.term for t in hotline.topics(session=session, filters=views.filter_of(state), ignore=frozenset(
            wall_runtime.city.names("zh-CN").values()))]
    assert want, "the seeded orders rise against the week before: there are topics to show"
    WebDriverWait(dash_duo.driver, 30).until(lambda d: d.execute_script(
        "return Array.from(document.querySelectorAll('#hl-topics li[data-term]'), e => e.dataset.term);") == want)
