"""Every page with the tests' second city pack (a made-up city of three districts, tests/citypacks/lanshan), in a
real headless Chromium: each shows Lanshan's names and none of the demo city's, and the browser console stays clean.
The store is seeded by the demo simulator with the pack (`seed(pack=...)`), plus one alert and one data source, so
every page has something of the city to show. (`/wall` with this pack is tested with the provisioned screens.)"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from services.platform.runtime import Runtime
from services.sources import SourceInfo, record_delivery, register_sources
from services.store import Alert
from tests.dashboards.second_city import LANSHAN, open_alone, pack_runtime

XIAMEN = re.compile(r"厦门|思明|湖里|集美|海沧|同安|翔安|鼓浪屿|Xiamen|Siming|Huli|Jimei|Haicang|Tong'an|Xiang'an|Gulangyu")
GAUGES = SourceInfo("lanshan-river-gauges", "澜江水文站", "Lan River gauges", "water", "push", "readings", 300,
                    ("river_level",))

# page, who opens it, a Lanshan name the page must show once its data is on screen
PAGES = [
    ("/", "leader", "青石区"),
    ("/events", "operator", "澜山市城市管理局"),
    ("/approvals", "leader", "澜山市民政局"),
    ("/indicators", "leader", "白沙区"),
    ("/alerts", "operator", "青石区"),  # the alert's district, by its name in the pack
    ("/sources", "leader", "澜山水务集团"),
    ("/admin", "admin", "澜山市（990100）"),
]


class Delivered:
    accepted, updated, refused = 24, 0, list[object]()


@pytest.fixture(scope="module")
def lanshan_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Lanshan seeded once for the module by the demo simulator, copied per test."""
    path = tmp_path_factory.mktemp("lanshan") / "seeded.db"
    rt = pack_runtime(LANSHAN, path, seed_days=2)
    with rt.sessions() as session:
        session.add(Alert(stream_id="1-0", alert_id="lanshan-1", source="test", sent_at=datetime.now(UTC),
                          severity="moderate", urgency="immediate", certainty="observed", category="safety",
                          event="人员聚集", headline="庙会人员聚集", district="990102", msg_type="alert"))
        register_sources(session, [GAUGES])
        record_delivery(session, GAUGES.id, "readings", Delivered())
        session.commit()
    rt.close()
    return path


@pytest.fixture
def wall_runtime(lanshan_store: Path, tmp_path: Path, redis_client, redis_url: str) -> Iterator[Runtime]:  # type: ignore[no-untyped-def]
    """conftest's `open_page` serves this runtime: a copy of the seeded Lanshan store."""
    store = tmp_path / "onescreen.db"
    store.write_bytes(lanshan_store.read_bytes())
    rt = pack_runtime(LANSHAN, store, redis_url)
    yield rt
    rt.close()


def _page_text(driver) -> str:  # type: ignore[no-untyped-def]
    """What a reader sees: the rendered text, with the charts' SVG text (axis, legend and map labels)."""
    return str(driver.execute_script(
        "return document.body.innerText + '\\n' +"
        " Array.from(document.querySelectorAll('svg text'), t => t.textContent).join('\\n');"))


@pytest.mark.parametrize(("path", "role", "lanshan"), PAGES, ids=[p for p, _r, _n in PAGES])
def test_each_page_shows_lanshan_and_no_demo_city_name(dash_duo, open_page, shoot, path: str, role: str,
                                                       lanshan: str) -> None:  # type: ignore[no-untyped-def]
    open_alone(dash_duo, open_page, path, role)
    WebDriverWait(dash_duo.driver, 30).until(lambda d: lanshan in _page_text(d),
                                             f"{path} never showed {lanshan!r}")
    text = _page_text(dash_duo.driver)
    assert sorted(set(XIAMEN.findall(text))) == [], f"{path} shows the demo city's names"
    shoot(f"second-{path.strip('/') or 'home'}.png")
    logs = dash_duo.get_logs()
    assert logs == [], (f"the browser console has errors on {path}", [entry["message"] for entry in logs])
