"""The leader's new cards in a real headless Chromium: the red lists of departments and districts (the rows the
rankings service gives: place, name, score, change, volume) and the week's response times (the figures the
services give), in both languages, rewritten in place by the page's refresh."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from components.rankings import percent
from components.response_figures import minutes
from dashboards._leader_cards import LISTED, WEEK
from services import alerts, events, rankings
from services.approvals import catalog_names
from services.demo.simcity import lagging_district, sim_city
from tests.dashboards.dom import settle, text_of, texts_of
from tests.dashboards.test_leader import _screen


def _expected(wall_runtime, unit: str, lang: str) -> list[str]:
    with wall_runtime.sessions() as session:
        names = (catalog_names(session=session, lang=lang)["department"] if unit == "department"
                 else wall_runtime.city.names(lang))
        table = rankings.standings(session=session, by=unit, now=datetime.now(UTC), rule=rankings.RankingRule())
    table = table[table["ranked"]].head(LISTED)
    return [f"{place} {names[key]} {percent(score)}" for key, place, score in
            zip(table["key"], table["place"], table["score"], strict=True)]


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_the_leader_sees_the_red_lists_of_departments_and_districts(dash_duo, open_page, wall_runtime, shoot, lang):
    _screen(dash_duo, 1366, 900, phone=False)
    open_page(f"/?lang={lang}", role="leader")
    dash_duo.wait_for_element("#leader-rank-department li.rank-row", timeout=15)
    for unit in ("department", "district"):
        rows = dash_duo.driver.execute_script(
            "return [...document.querySelectorAll(arguments[0])].map(r => [...r.children].slice(0, 3)"
            ".map(c => c.textContent).join(' '))", f"#leader-rank-{unit} li.rank-row")
        assert rows and rows == _expected(wall_runtime, unit, lang), unit
    title = "部门后进榜" if lang == "zh-CN" else "Departments, worst first"
    assert any(title in t for t in texts_of(dash_duo.driver, "#panel-leader-rankings .rank-title"))
    dash_duo.wait_for_element("#leader-events-graph .main-svg .bars", timeout=15)
    shoot(f"leader-rankings-{lang}.png")
    dash_duo.driver.execute_script("document.querySelector('#leader-rank-department li.rank-row').dataset.probe = 1")
    dash_duo.driver.execute_script("window.dash_clientside.set_props('leader-refresh', {n_intervals: 1});")
    settle(dash_duo.driver)
    assert dash_duo.driver.execute_script(
        "return document.querySelector('#leader-rank-department li.rank-row').dataset.probe") is None  # rewritten
    dash_duo.wait_for_element("#leader-rank-department li.rank-row", timeout=10)
    assert dash_duo.get_logs() == [], "the browser console has errors"


def test_the_leader_sees_the_weeks_response_times(dash_duo, open_page, wall_runtime):
    _screen(dash_duo, 1366, 900, phone=False)
    open_page("/?lang=en", role="leader")
    dash_duo.wait_for_element("#leader-resp-arrival", timeout=15)
    now = datetime.now(UTC)
    end = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    with wall_runtime.sessions() as session:
        answered = alerts.response_times(session=session, start=end - WEEK, end=end, by="all")
        reached = events.dispatch_times(session=session, start=end - WEEK, end=end, by="all")
    assert len(reached) == 1, "two seeded days dispatch events"
    expected = {"dispatch": minutes(reached["dispatch_min"].iloc[0]), "arrival": minutes(reached["arrival_min"].iloc[0]),
                "mtta": minutes(answered["mtta_min"].iloc[0]) if len(answered) else "—",
                "mttr": minutes(answered["mttr_min"].iloc[0]) if len(answered) else "—"}
    shown = {name: dash_duo.find_element(f"#leader-resp-{name}").text for name in expected}
    assert shown == expected
    assert dash_duo.find_element("#leader-resp-slowest").text.startswith("Slowest to arrive: ")
    assert dash_duo.get_logs() == [], "the browser console has errors"


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_the_leader_sees_the_district_seeded_to_lag(dash_duo, open_page, wall_runtime, lang):
    behind = lagging_district(sorted(wall_runtime.city.names("en")), sim_city(wall_runtime.pack))
    _screen(dash_duo, 390, 844, phone=True)
    open_page(f"/?lang={lang}", role="leader")
    dash_duo.wait_for_element("#leader-divide .leader-divide-row", timeout=15)
    flagged = dash_duo.driver.execute_script(
        "return [...document.querySelectorAll('#leader-divide .leader-divide-row')].map(r => r.dataset.district)")
    assert flagged == [behind]
    assert wall_runtime.city.names(lang)[behind] in text_of(dash_duo.driver, "#leader-divide")
    assert dash_duo.get_logs() == [], "the browser console has errors"
