"""/wall as a video wall sees it, in a real headless Chromium: the design canvas scaled to 1920×1080 and
3840×2160 screens with every panel on screen and no scrollbar, Chinese drawn with the shipped Noto Sans SC (the
loaded font face, not just the CSS family name), the language switch, the rotating focus panel, and a panel whose
data is old marked stale."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from selenium.webdriver.support.ui import WebDriverWait

PANELS = ("kpis", "focus", "map", "approvals", "alerts")

GEOMETRY_JS = """
const vw = document.documentElement.clientWidth, vh = document.documentElement.clientHeight;
const box = el => { const r = el.getBoundingClientRect();
  return {left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height}; };
const panels = {};
for (const el of document.querySelectorAll('#wall-root .panel, #wall-root .wall-header')) {
  panels[el.id || 'header'] = box(el);
}
return {vw, vh, root: box(document.getElementById('wall-root')), panels,
        scroll: [document.documentElement.scrollWidth, document.documentElement.scrollHeight,
                 document.body.scrollWidth, document.body.scrollHeight],
        title: parseFloat(getComputedStyle(document.querySelector('.wall-title')).fontSize)
               * document.getElementById('wall-root').getBoundingClientRect().height
               / document.getElementById('wall-root').offsetHeight};
"""

FONT_JS = """
const done = arguments[arguments.length - 1];
document.fonts.ready.then(() => {
  const title = document.querySelector('.wall-title');
  const style = getComputedStyle(title);
  const faces = [...document.fonts].filter(f => f.family.replace(/["']/g, '') === 'Noto Sans SC');
  const tick = document.querySelector('#approvals-throughput .xtick text, #approvals-throughput text');
  done({family: style.fontFamily, text: title.textContent,
        check: document.fonts.check(`${style.fontWeight} ${style.fontSize} "Noto Sans SC"`, title.textContent),
        loaded: faces.filter(f => f.status === 'loaded').map(f => f.unicodeRange),
        faces: faces.length, plotly: tick ? getComputedStyle(tick).fontFamily : null});
});
"""


def _screen(dash_duo, width: int, height: int) -> None:
    dash_duo.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                    {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})


def _wall_ready(dash_duo) -> None:
    dash_duo.wait_for_element("#kpi-strip .kpi-card", timeout=15)
    dash_duo.wait_for_element("#focus-slides .kpi-card", timeout=15)
    dash_duo.wait_for_element("#event-map .scatterlayer path.js-fill", timeout=15)
    dash_duo.wait_for_element("#approvals-throughput .main-svg", timeout=15)


@pytest.mark.parametrize(("screen", "query"), [
    ((1920, 1080), ""),
    ((3840, 2160), ""),
    ((3840, 2160), "?size=3840x2160"),
    ((1920, 1080), "?size=3840x2160&fit=fill"),
])
def test_every_panel_is_on_screen_without_a_scrollbar(dash_duo, open_page, screen, query):
    _screen(dash_duo, *screen)
    open_page(f"/wall{query}", role="wall")
    _wall_ready(dash_duo)
    width, height = screen
    geometry = dash_duo.driver.execute_script(GEOMETRY_JS)
    assert (geometry["vw"], geometry["vh"]) == (width, height)
    root = geometry["root"]
    assert abs(root["width"] - width) <= 1 and abs(root["height"] - height) <= 1, "the canvas fills the screen"
    assert set(geometry["panels"]) == {"header", *(f"panel-{name}" for name in PANELS)}
    for name, box in geometry["panels"].items():
        assert box["width"] > width / 10 and box["height"] > height / 20, f"{name} is squashed: {box}"
        assert box["left"] >= 0 and box["top"] >= 0, f"{name} starts off screen: {box}"
        assert box["right"] <= width + 0.5 and box["bottom"] <= height + 0.5, f"{name} ends off screen: {box}"
    assert max(geometry["scroll"][0::2]) <= width and max(geometry["scroll"][1::2]) <= height, "a scrollbar"
    # Type follows the screen: the title as drawn is as large a share of a 4K wall as of a 1080p one.
    assert geometry["title"] * (1080 / height) == pytest.approx(36, rel=0.05)
    assert dash_duo.get_logs() == [], "the browser console has errors"


def test_a_screen_of_another_shape_is_letterboxed_in_fit_mode(dash_duo, open_page):
    _screen(dash_duo, 1600, 1200)
    open_page("/wall", role="wall")
    _wall_ready(dash_duo)
    root = dash_duo.driver.execute_script(GEOMETRY_JS)["root"]
    assert root["width"] == pytest.approx(1600, abs=1) and root["height"] == pytest.approx(900, abs=1)
    assert root["top"] == pytest.approx(150, abs=1), "centred between two bands"


def test_chinese_is_drawn_with_the_shipped_font(dash_duo, open_page):
    _screen(dash_duo, 1920, 1080)
    open_page("/wall", role="wall")
    _wall_ready(dash_duo)
    font = dash_duo.driver.execute_async_script(FONT_JS)
    assert "厦门市" in font["text"]
    assert font["family"].replace('"', "'").startswith("'Noto Sans SC'")
    assert font["faces"] > 10, "assets/fonts/noto-sans-sc.css declares the subsets"
    assert font["loaded"], "no Noto Sans SC face was loaded from assets/"
    assert font["check"], "the title's glyphs are not all available in the loaded Noto Sans SC faces"
    assert font["plotly"] and "Noto Sans SC" in font["plotly"], "the charts use the shipped font too"
    status = dash_duo.driver.execute_async_script(
        "const done = arguments[0]; fetch('/assets/fonts/noto-sans-sc/LICENSE-OFL.txt')"
        ".then(r => r.text().then(t => done([r.status, t.includes('SIL Open Font License')])));")
    assert status == [200, True], "the font's licence is shipped with it"


def test_language_switch_keeps_the_address_and_is_remembered(dash_duo, open_page):
    _screen(dash_duo, 1920, 1080)
    open_page("/wall?size=3840x2160", role="wall")
    _wall_ready(dash_duo)
    assert "城市运行一屏统览" in dash_duo.find_element(".wall-title").text
    assert dash_duo.find_element('#lang-switch a[data-lang="zh-CN"]').get_attribute("aria-current") == "true"
    dash_duo.wait_for_contains_text("#wall-clock", "星期", timeout=5)

    dash_duo.find_element('#lang-switch a[data-lang="en"]').click()
    dash_duo.wait_for_contains_text(".wall-title", "City Operations at a Glance", timeout=15)
    assert "lang=en" in dash_duo.driver.current_url and "size=3840x2160" in dash_duo.driver.current_url
    assert dash_duo.find_element("#wall-root").get_attribute("data-width") == "3840"
    assert dash_duo.find_element("#panel-focus h2").text == "Focus"
    WebDriverWait(dash_duo.driver, 5).until(
        lambda d: any(day in d.find_element("id", "wall-clock").text for day in ("Mon", "Tue", "Wed", "Thu", "Fri",
                                                                               "Sat", "Sun")))
    assert "星期" not in dash_duo.find_element("#wall-clock").text

    dash_duo.driver.get(f"{dash_duo.server_url}/wall")  # no lang in the address: the remembered one
    dash_duo.wait_for_contains_text(".wall-title", "City Operations at a Glance", timeout=15)
    assert "lang=en" in dash_duo.driver.current_url
    dash_duo.find_element('#lang-switch a[data-lang="zh-CN"]').click()
    dash_duo.wait_for_contains_text(".wall-title", "城市运行一屏统览", timeout=15)
    assert dash_duo.get_logs() == [], "the browser console has errors"


def test_focus_panel_rotates_its_topics_on_the_page(dash_duo, open_page):
    _screen(dash_duo, 1920, 1080)
    open_page("/wall?rotate=3", role="wall")
    _wall_ready(dash_duo)
    shown_js = ("return [...document.querySelectorAll('#focus-slides .focus-slide')]"
                ".filter(s => getComputedStyle(s).display !== 'none').map(s => s.dataset.topic);")
    seen = set()
    for _ in range(3):
        shown = WebDriverWait(dash_duo.driver, 5).until(
            lambda d: (lambda now: now if len(now) == 1 and now[0] not in seen else None)(d.execute_script(shown_js)))
        seen.add(shown[0])
    assert seen <= {"1", "2", "3", "4"} and len(seen) == 3, "the default screen's four topics, numbered"
    cards = dash_duo.find_elements("#focus-slides .kpi-card")
    assert {"focus-hotline_calls", "focus-aqi", "focus-power_load", "focus-traffic_avg_speed"} <= {
        card.get_attribute("id") for card in cards}
    assert dash_duo.driver.execute_script(  # the headline strip keeps its own kpi-<code> cards, ids unique
        "const ids = [...document.querySelectorAll('[id]')].map(e => e.id); return ids.length - new Set(ids).size;") == 0
    assert dash_duo.get_logs() == [], "the browser console has errors"


def test_a_panel_whose_data_is_old_is_marked_stale(dash_duo, open_page):
    """The KPI panel's stamp says its data is ten minutes old (its cadence is one minute): the panel is marked
    stale, with the label on screen; fresh data clears the mark."""
    _screen(dash_duo, 1920, 1080)
    open_page("/wall", role="wall")
    _wall_ready(dash_duo)
    assert "is-stale" not in dash_duo.find_element("#panel-kpis").get_attribute("class")
    old = (datetime.now(UTC) - timedelta(minutes=10)).isoformat()
    dash_duo.driver.execute_script("window.dash_clientside.set_props('kpis-as-of', {dateTime: arguments[0]});", old)
    dash_duo.wait_for_element("#panel-kpis.is-stale", timeout=3)
    label = dash_duo.driver.execute_script(
        "return getComputedStyle(document.querySelector('#panel-kpis .panel-head'), '::after').content;")
    assert "数据滞后" in label
    assert "is-stale" not in dash_duo.find_element("#panel-map").get_attribute("class"), "only the old panel"

    fresh = datetime.now(UTC).isoformat()
    dash_duo.driver.execute_script("window.dash_clientside.set_props('kpis-as-of', {dateTime: arguments[0]});", fresh)
    dash_duo.wait_for_element("#panel-kpis:not(.is-stale)", timeout=3)
    assert dash_duo.get_logs() == [], "the browser console has errors"


def test_a_refresh_slower_than_its_interval_never_overlaps_and_still_lands(dash_duo, open_page, monkeypatch):
    """Dash abandons a callback still running when its Interval fires again and asks anew, so a slow refresh would
    never land while the server piles up work. The KPI panel's timer is held off while its refresh runs."""
    import threading
    import time

    from dashboards import _wall_kpis

    _screen(dash_duo, 1920, 1080)
    open_page("/wall", role="wall")
    _wall_ready(dash_duo)
    read = _wall_kpis.read_cards
    state = {"running": 0, "most": 0, "calls": 0}
    lock = threading.Lock()

    def slow_read(*args, **kwargs):
        with lock:
            state["running"] += 1
            state["calls"] += 1
            state["most"] = max(state["most"], state["running"])
        try:
            time.sleep(1.5)  # five ticks of the 300 ms interval below
            return read(*args, **kwargs)
        finally:
            with lock:
                state["running"] -= 1

    monkeypatch.setattr(_wall_kpis, "read_cards", slow_read)
    before = dash_duo.find_element("#kpis-as-of").get_attribute("datetime")
    dash_duo.driver.execute_script("window.dash_clientside.set_props('kpis-refresh', {interval: 300});")
    WebDriverWait(dash_duo.driver, 15).until(
        lambda d: d.find_element("id", "kpis-as-of").get_attribute("datetime") != before)
    time.sleep(3)
    assert state["calls"] >= 2 and state["most"] == 1, state
    assert "is-stale" not in dash_duo.find_element("#panel-kpis").get_attribute("class")
