"""/admin in a real headless Chromium, on a copy of the tests' second city pack: an admin sees the pack, its levels
down to the districts, its catalogs and first users; after the pack's files are broken on disk, the check button lists
the same problem lines as `python -m services.citypack check`; an operator is refused the page and its callback."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from services.citypack import CATALOGS, check_pack, load_pack
from services.platform.runtime import Runtime
from tests.dashboards.dom import data_of, text_of, texts_of
from tests.dashboards.second_city import LANSHAN, open_alone, pack_runtime


@pytest.fixture
def pack_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "lanshan"
    shutil.copytree(LANSHAN, copy)
    return copy


@pytest.fixture
def wall_runtime(pack_copy: Path, tmp_path: Path, redis_client, redis_url: str) -> Iterator[Runtime]:  # type: ignore[no-untyped-def]
    """conftest's `open_page` serves this runtime: the copied pack, nothing seeded (the page reads the pack)."""
    rt = pack_runtime(pack_copy, tmp_path / "onescreen.db", redis_url)
    yield rt
    rt.close()


def _shot(dash_duo, shoot, name: str) -> None:  # type: ignore[no-untyped-def]
    dash_duo.driver.set_window_size(1400, 2400)
    shoot(name)


def test_an_admin_sees_the_pack_its_districts_catalogs_and_users(dash_duo, open_page, shoot, pack_copy: Path) -> None:  # type: ignore[no-untyped-def]
    pack = load_pack(pack_copy)
    open_alone(dash_duo, open_page, "/admin", "admin")
    dash_duo.wait_for_element("#admin-levels", timeout=20)
    facts = text_of(dash_duo.driver, "#admin-pack")
    assert str(pack_copy) in facts and "澜山市（990100）" in facts and "澜州省（990000）" in facts
    assert "Asia/Shanghai" in facts
    levels = {data_of(dash_duo.driver, f"#admin-levels li[data-adcode='{code}']", "level"): code
              for code in ("990000", "990100")}
    assert levels == {"province": "990000", "city": "990100"}
    districts = texts_of(dash_duo.driver, "#admin-levels li[data-adcode='990100'] li[data-level='district']")
    assert districts == ["区青石区990102", "区云岭区990103", "区白沙区990104"]
    for catalog in CATALOGS:
        assert text_of(dash_duo.driver, f"#admin-count-{catalog}") == str(len(getattr(pack.catalogs, catalog)))
    WebDriverWait(dash_duo.driver, 10).until(
        lambda d: "澜山市公安局" in text_of(d, "#admin-grid-departments .ag-center-cols-container"))
    assert "青石庙会人流密度" in text_of(dash_duo.driver, "#admin-grid-indicators")
    users = {row[0]: row for row in (line.split("\t") for line in dash_duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('#admin-users tbody tr'),"
        " r => Array.from(r.cells, c => c.textContent).join('\\t'));"))}
    assert set(users) == {user.username for user in pack.users}
    assert users["analyst-qingshi"][1:] == ["分析员", "青石区分析员", "青石区"]
    assert users["operator"][3] == "澜山市" and users["leader"][3] == "全市"
    screens = [screen.name for screen in pack.screens]
    assert texts_of(dash_duo.driver, "#admin-screens li > a") == screens
    assert len(dash_duo.find_elements("#admin-screens li figure")) == len(screens), "a thumbnail per screen"
    _shot(dash_duo, shoot, "admin.png")
    logs = dash_duo.get_logs()
    assert logs == [], ("the browser console has errors", [entry["message"] for entry in logs])

    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/admin?lang=en")
    dash_duo.wait_for_element("#admin-levels", timeout=20)
    assert "Qingshi" in text_of(dash_duo.driver, "#admin-levels")
    assert "Lanshan（990100）" in text_of(dash_duo.driver, "#admin-pack")
    assert "Whole city" in text_of(dash_duo.driver, "#admin-users")


def _break(pack: Path) -> None:
    """Three kinds of mistake: a duplicate indicator code, a matter of an unknown department, a feature's adcode."""
    indicators = pack / "indicators.csv"
    indicators.write_text(indicators.read_text(encoding="utf-8")
                          + "aqi,空气质量指数,Air quality index,environment,AQI,lower,100,200,ecology,5\n",
                          encoding="utf-8")
    matters = pack / "matters.csv"
    first = matters.read_text(encoding="utf-8").splitlines()[1].split(",")
    first[0], first[3] = "made_up_matter", "no_such_department"
    matters.write_text(matters.read_text(encoding="utf-8") + ",".join(first) + "\n", encoding="utf-8")
    outlines = json.loads((pack / "districts.geojson").read_text(encoding="utf-8"))
    outlines["features"][2]["properties"]["adcode"] = "99010X"
    (pack / "districts.geojson").write_text(json.dumps(outlines, ensure_ascii=False), encoding="utf-8")


def test_a_pack_broken_on_disk_is_checked_again_from_the_page(dash_duo, open_page, shoot, pack_copy: Path) -> None:  # type: ignore[no-untyped-def]
    open_alone(dash_duo, open_page, "/admin", "admin")
    dash_duo.wait_for_element("#admin-check-button", timeout=20)
    dash_duo.find_element("#admin-check-button").click()
    WebDriverWait(dash_duo.driver, 15).until(lambda d: data_of(d, "#admin-check-state", "state") == "ok")

    _break(pack_copy)
    expected = check_pack(pack_copy)
    assert len(expected) >= 3
    dash_duo.find_element("#admin-check-button").click()
    WebDriverWait(dash_duo.driver, 15).until(lambda d: data_of(d, "#admin-check-state", "state") == "problems")
    assert texts_of(dash_duo.driver, "#admin-check-problems li") == expected
    assert f"发现 {len(expected)} 个问题" in text_of(dash_duo.driver, "#admin-check-state")
    _shot(dash_duo, shoot, "admin-broken.png")
    logs = dash_duo.get_logs()
    assert logs == [], ("the browser console has errors", [entry["message"] for entry in logs])


def test_an_operator_is_refused_the_page_and_its_callback(dash_duo, open_page) -> None:  # type: ignore[no-untyped-def]
    open_page("/alerts", role="operator")
    dash_duo.driver.get(f"{dash_duo.server_url}/admin")
    assert dash_duo.driver.find_element(By.ID, "auth-message").text == "无权访问此页面"
    status = dash_duo.driver.execute_async_script("""
        const done = arguments[arguments.length - 1];
        fetch('/_dash-update-component', {method: 'POST', headers: {'Content-Type': 'application/json'},
              body: JSON.stringify({output: 'admin-check-result.children', outputs: {id: 'admin-check-result',
              property: 'children'}, inputs: [{id: 'admin-check-button', property: 'n_clicks', value: 1}],
              state: [{id: 'admin-lang', property: 'data', value: 'zh-CN'}], changedPropIds: []})})
            .then(r => done(r.status));""")
    assert status == 403
