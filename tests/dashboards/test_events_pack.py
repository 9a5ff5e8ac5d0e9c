"""/events of another city (the tests' lanshan pack, seeded by the simulator) in a real headless Chromium: the
category filter, the table and the detail panel name the pack's own categories, in Chinese and in English."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from services.config import Settings
from services.demo.simulator import seed
from services.platform.runtime import Runtime, open_runtime
from services.store.catalog import install_catalog
from tests.dashboards.conftest import WALL_TOKEN
from tests.dashboards.dom import text_of
from tests.dashboards.event_grid import open_event, wait_for_rows

LANSHAN = Path(__file__).resolve().parents[1] / "citypacks" / "lanshan"


@pytest.fixture
def wall_runtime(tmp_path: Path, redis_client, redis_url: str) -> Iterator[Runtime]:  # type: ignore[no-untyped-def]
    """Half a day of lanshan (overrides the default city's runtime of conftest, so `open_page` serves this one)."""
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'lanshan.db'}", redis_url=redis_url, simulate=False,
                        wall_token=WALL_TOKEN, city_pack=LANSHAN, _env_file=None)
    rt = open_runtime(settings)
    with rt.sessions() as session:
        install_catalog(session, districts=rt.city.rows(), catalogs=rt.pack.catalogs)
    seed(rt.engine, pack=rt.pack, days=0.5, progress=False, events_per_day=400, applications_per_day=200)
    yield rt
    rt.close()


def _categories(dash_duo) -> set[str]:  # type: ignore[no-untyped-def]
    return {row["category"] for row in wait_for_rows(dash_duo.driver)}


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_the_events_page_names_the_packs_categories(dash_duo, open_page, shoot, wall_runtime: Runtime, lang: str) -> None:  # type: ignore[no-untyped-def]
    names = {c.name_zh if lang == "zh-CN" else c.name_en for c in wall_runtime.pack.catalogs.categories}
    dash_duo.driver.set_window_size(1600, 1200)
    open_page(f"/events?lang={lang}&view=districts", role="operator")
    shown = _categories(dash_duo)
    assert shown and shown <= names, shown

    dash_duo.find_element("#events-f-category").click()  # the filter lists every category of the pack
    flooding = "江水漫堤" if lang == "zh-CN" else "River flooding"
    options = dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('[role=option]')).map(o => o.textContent.trim());")
    assert flooding in options and set(options) >= names, options
    shoot(f"events-lanshan-{lang}.png")

    event_id = wait_for_rows(dash_duo.driver)[0]["id"]
    open_event(dash_duo, event_id)
    fields = text_of(dash_duo.driver, "#event-detail-body .event-fields")  # sliding in: read it, seen or not
    assert any(name in fields for name in names), fields
