"""Provisioned screens in a real headless Chromium: a three-tile 5760x1080 wall whose panels keep clear of both
bezels, one tile opened on its own (`&tile=2`), a playlist switching screens on the wall clock with no reload and
the alert push still running, and another city's pack showing its own screen (`?screen=`)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from dashboards._wall_screens import thumbnail
from services.alerts.stream import publish
from services.citypack import load_pack
from services.config import DEFAULT_PACK, Settings
from services.platform.runtime import Runtime, open_runtime
from services.store.catalog import install_catalog
from tests.dashboards.conftest import WALL_TOKEN
from tests.dashboards.dom import data_of

ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"

# Every panel and the header in canvas px (the page scales the canvas: divide by the scale).
BOXES_JS = """
const root = document.getElementById('wall-root'), r0 = root.getBoundingClientRect();
const scale = r0.width / root.offsetWidth;
const shown = el => getComputedStyle(el).display !== 'none';
return [...root.querySelectorAll('.panel, .wall-header')].filter(shown).map(el => {
  const r = el.getBoundingClientRect();
  return {id: el.id || 'header', left: (r.left - r0.left) / scale, right: (r.right - r0.left) / scale,
          top: (r.top - r0.top) / scale, bottom: (r.bottom - r0.top) / scale,
          font: parseFloat(getComputedStyle(el.querySelector('h2, .wall-title')).fontSize)};
});
"""


def _screen(dash_duo, width: int, height: int) -> None:
    dash_duo.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                    {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})


def _shot(dash_duo, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    dash_duo.driver.save_screenshot(str(SHOTS / f"{name}.png"))


def _alert(alert_id: str, headline: str) -> dict[str, str]:
    return {"id": alert_id, "source": "test", "sent": datetime.now(UTC).isoformat(), "severity": "moderate",
            "urgency": "immediate", "certainty": "observed", "category": "met", "event": "暴雨",
            "headline": headline, "description": "", "district": "350206", "lat": "24.51", "lon": "118.14",
            "area": "", "msg_type": "alert", "references": ""}


def _runtime_with(pack: Path, wall_runtime: Runtime, database_url: str | None = None) -> Runtime:
    settings = Settings(database_url=database_url or wall_runtime.settings.database_url,
                        redis_url=wall_runtime.settings.redis_url, simulate=False, wall_token=WALL_TOKEN,
                        city_pack=pack, _env_file=None)
    return open_runtime(settings)


@pytest.fixture
def playlist_pack(tmp_path: Path) -> Path:
    """The demo city's pack with a quick playlist: the overview and the traffic screen, 6 s each."""
    root = tmp_path / "xiamen"
    shutil.copytree(DEFAULT_PACK, root)
    (root / "screens" / "playlists.toml").write_text(
        '[quick]\nname_zh = "快速轮播"\nname_en = "Quick"\nscreens = ["overview", "traffic"]\nseconds = 6\n',
        encoding="utf-8")
    return root


def test_a_three_tile_wall_keeps_every_panel_clear_of_the_bezels(dash_duo, open_page):
    _screen(dash_duo, 1920, 360)  # the controller's preview of a 5760x1080 wall: the canvas scaled by 1/3
    open_page("/wall?screen=triple", role="wall")
    dash_duo.wait_for_element("#event-map .scatterlayer path.js-fill", timeout=15)
    dash_duo.wait_for_element("#card-hotline_calls", timeout=15)
    root = dash_duo.find_element("#wall-root")
    assert (root.get_attribute("data-width"), root.get_attribute("data-height")) == ("5760", "1080")
    boxes = dash_duo.driver.execute_script(BOXES_JS)
    panels = [box for box in boxes if box["id"] != "header"]
    assert {box["id"] for box in panels} == {"panel-kpis", "panel-chart-traffic_congestion_index",
                                             "panel-chart-aqi", "panel-map", "panel-alerts", "panel-approvals",
                                             "panel-card-hotline_calls"}
    for box in panels:
        for bezel in (1920, 3840):
            assert not box["left"] < bezel < box["right"], f"{box['id']} crosses the bezel at x={bezel}: {box}"
        assert box["left"] >= 0 and box["right"] <= 5760 and box["bottom"] <= 1080
    # Type is sized for one 1080p tile: a panel title is the 22 px it is on a 1920x1080 wall.
    assert {box["font"] for box in panels} == {22}
    _shot(dash_duo, "wall-triple")
    assert dash_duo.get_logs() == [], "the browser console has errors"


def test_one_tile_opens_on_its_own_at_the_tiles_size(dash_duo, open_page):
    _screen(dash_duo, 1920, 1080)
    open_page("/wall?screen=triple&tile=2", role="wall")
    dash_duo.wait_for_element("#event-map .scatterlayer path.js-fill", timeout=15)
    root = dash_duo.find_element("#wall-root")
    assert (root.get_attribute("data-width"), root.get_attribute("data-height")) == ("1920", "1080")
    boxes = {box["id"]: box for box in dash_duo.driver.execute_script(BOXES_JS)}
    assert set(boxes) == {"header", "panel-map"}, "the middle tile holds the map alone"
    assert boxes["panel-map"]["left"] == pytest.approx(12) and boxes["panel-map"]["right"] == pytest.approx(1908)
    dash_duo.wait_for_element('#connection-state[data-state="live"]', timeout=10)  # the push runs on every tile
    _shot(dash_duo, "wall-triple-tile2")
    assert dash_duo.get_logs() == [], "the browser console has errors"


@pytest.fixture
def playlist_runtime(playlist_pack: Path, wall_runtime: Runtime) -> Iterator[Runtime]:
    yield _runtime_with(playlist_pack, wall_runtime)


def test_a_playlist_switches_screens_on_the_clock_without_a_reload_and_keeps_the_push(
        dash_duo, playlist_runtime: Runtime, redis_client):
    from app import create_app

    _screen(dash_duo, 1920, 1080)
    dash_duo.start_server(create_app(playlist_runtime.settings, playlist_runtime), navigate=False)
    dash_duo.driver.get(f"{dash_duo.server.url}/wall?token={WALL_TOKEN}&playlist=quick")
    dash_duo.wait_for_element('#connection-state[data-state="live"]', timeout=15)
    first = data_of(dash_duo.driver, "#wall-screen-body .wall-screen", "screen")
    other = {"overview": "traffic", "traffic": "overview"}[str(first)]
    dash_duo.driver.execute_script("window.__not_reloaded = true;")
    WebDriverWait(dash_duo.driver, 15).until(
        lambda d: data_of(d, "#wall-screen-body .wall-screen", "screen") == other)  # read in-page: it is swapped
    assert dash_duo.driver.execute_script("return window.__not_reloaded === true"), "the page was reloaded"
    settings = playlist_runtime.settings
    stream_id = publish(redis_client, settings.alerts_stream, _alert("pl-1", "轮播后的预警"), settings.stream_maxlen)
    item = dash_duo.wait_for_element(f'#alert-ticker li[data-alert-id="{stream_id}"]', timeout=5)
    assert "轮播后的预警" in item.text and item.is_displayed()
    dash_duo.wait_for_element(f"#panel-{'focus' if other == 'traffic' else 'kpis'}", timeout=10)
    _shot(dash_duo, f"wall-playlist-{other}")
    # And back again on the next turn, still the same page.
    WebDriverWait(dash_duo.driver, 15).until(
        lambda d: data_of(d, "#wall-screen-body .wall-screen", "screen") == first)
    assert dash_duo.driver.execute_script("return window.__not_reloaded === true")
    assert dash_duo.find_element(f'#alert-ticker li[data-alert-id="{stream_id}"]').is_displayed()
    assert dash_duo.get_logs() == [], "the browser console has errors"


def test_an_unknown_screen_falls_back_to_the_default_wall(dash_duo, open_page, caplog):
    _screen(dash_duo, 1920, 1080)
    open_page("/wall?screen=nosuch&size=1920x1080", role="wall")
    dash_duo.wait_for_element("#kpi-strip .kpi-card", timeout=15)
    assert data_of(dash_duo.driver, "#wall-screen-body .wall-screen", "screen") == "overview"
    assert any("no screen 'nosuch'" in record.getMessage() for record in caplog.records)


@pytest.fixture
def lanshan_runtime(wall_runtime: Runtime, tmp_path: Path) -> Iterator[Runtime]:
    """Lanshan on a store of its own: its districts and catalogs, no readings yet."""
    rt = _runtime_with(ROOT / "tests" / "citypacks" / "lanshan", wall_runtime, f"sqlite:///{tmp_path / 'lanshan.db'}")
    with rt.sessions() as session:
        install_catalog(session, districts=rt.city.rows(), catalogs=rt.pack.catalogs)
        session.commit()
    yield rt


def test_another_citys_pack_shows_its_own_screen(dash_duo, lanshan_runtime: Runtime):
    from app import create_app

    _screen(dash_duo, 1920, 1080)
    dash_duo.start_server(create_app(lanshan_runtime.settings, lanshan_runtime), navigate=False)
    dash_duo.driver.get(f"{dash_duo.server.url}/wall?token={WALL_TOKEN}&screen=overview")
    dash_duo.wait_for_element("#kpi-temple_fair_crowd", timeout=15)
    assert "澜山市" in dash_duo.find_element(".wall-title").text
    assert dash_duo.find_element("#panel-card-river_level h2").text == "澜江水位"
    ids = {box["id"] for box in dash_duo.driver.execute_script(BOXES_JS)}
    assert ids == {"header", "panel-kpis", "panel-card-river_level", "panel-map", "panel-alerts"}
    assert not dash_duo.driver.find_elements("css selector", "#kpi-crowd_gulangyu"), "a Xiamen card on Lanshan's wall"
    _shot(dash_duo, "wall-lanshan")


def test_a_packs_screen_is_named_as_its_wall_names_it() -> None:
    pack = load_pack(ROOT / "tests" / "citypacks" / "lanshan")
    figure = thumbnail(pack, pack.screens[0], "zh-CN", "3840x2160")
    canvas, caption = figure.children
    assert caption.children == "澜山市运行总览 · 3840×2160"
    assert [c.title for c in canvas.children] == ["城市运行一屏统览", "城市运行体征", "澜江水位", "事件态势", "实时预警"]
