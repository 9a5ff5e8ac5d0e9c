"""/approvals, the digital-divide section in a real headless Chromium: on the demo city the district the seed
makes lag online is flagged against the city, the table shows the lens' figures, and the analyst's threshold
re-flags (none at a wide one), in both languages."""

from __future__ import annotations

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from dashboards._approval_divide import window
from services import approvals
from services.demo.simcity import lagging_district, sim_city
from tests.dashboards.dom import settle, text_of


def _rows(dash_duo) -> list[list[str]]:
    return dash_duo.driver.execute_script(
        "return [...document.querySelectorAll('#divide-districts tbody tr')].map(r => "
        "[r.dataset.key, ...[...r.cells].map(c => c.textContent)])")


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_the_district_seeded_to_lag_online_is_flagged(dash_duo, open_page, wall_runtime, shoot, lang):
    codes = sorted(wall_runtime.city.names("en"))
    behind = lagging_district(codes, sim_city(wall_runtime.pack))
    dash_duo.driver.set_window_size(1600, 1000)
    open_page(f"/approvals?lang={lang}", role="analyst")
    dash_duo.wait_for_element("#divide-districts tbody tr", timeout=20)
    rows = _rows(dash_duo)
    flagged = [row[0] for row in rows if row[-1]]
    assert flagged == [behind], rows  # only the district the seed made lag online
    start, end = window(7)
    with wall_runtime.sessions() as session:
        gaps = approvals.district_gaps(approvals.channel_table(session=session, start=start, end=end))
    first = gaps.iloc[0]
    assert rows[0][0] == first["district"] == behind
    assert rows[0][3] == f"{first['online_share'] * 100:.1f}%" and rows[0][4] == f"{first['online_gap']:+.1f}"
    assert wall_runtime.city.names(lang)[behind] in text_of(dash_duo.driver, "#divide-flagged")
    dash_duo.driver.execute_script("document.getElementById('divide-section').scrollIntoView()")
    dash_duo.wait_for_element("#divide-trend .main-svg .scatterlayer .trace", timeout=10)
    dash_duo.wait_for_element("#divide-channels tbody tr", timeout=10)
    shoot(f"approvals-divide-{lang}.png")
    gap = dash_duo.find_element("#divide-gap")
    gap.clear()
    gap.send_keys("50\n")
    none = "暂无滞后区县" if lang == "zh-CN" else "No district lags"
    WebDriverWait(dash_duo.driver, 15).until(lambda d: text_of(d, "#divide-flagged") == none)
    settle(dash_duo.driver)
    assert not [row for row in _rows(dash_duo) if row[-1]]
    assert dash_duo.get_logs() == [], "the browser console has errors"


def test_the_channel_mix_counts_each_channel(dash_duo, open_page, wall_runtime):
    open_page("/approvals?lang=en", role="analyst")
    dash_duo.wait_for_element("#divide-channels tbody tr", timeout=20)
    start, end = window(7)
    with wall_runtime.sessions() as session:
        cells = approvals.channel_table(session=session, start=start, end=end)
    first = cells[(cells["district"] == cells["district"].min()) & (cells["applicant_kind"] == "citizen")]
    row = dash_duo.driver.execute_script(
        "return [...document.querySelector('#divide-channels tbody tr').cells].map(c => c.textContent)")
    by_channel = first.set_index("channel")["received"]
    assert row[2:6] == [f"{int(by_channel.get(c, 0)):,}" for c in ("online", "mobile", "kiosk", "window")]
