"""A seeded OneScreen for browser tests: two days of the demo city on SQLite, alerts on the real Redis."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from app import create_app
from services.auth import demo_password, ensure_demo_users
from services.config import Settings
from services.demo.simulator import seed
from services.platform.runtime import Runtime, open_runtime
from services.store.catalog import install_catalog

WALL_TOKEN = "test-wall-token"


@pytest.fixture(scope="session")
def seeded_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Seeded once per run and copied per test: seeding is the slow part."""
    path = tmp_path_factory.mktemp("store") / "seeded.db"
    rt = open_runtime(Settings(database_url=f"sqlite:///{path}", simulate=False, _env_file=None))
    with rt.sessions() as session:
        install_catalog(session, districts=rt.city.rows())
        session.commit()
    seed(rt.engine, days=2, progress=False)
    rt.close()
    return path


@pytest.fixture
def wall_runtime(seeded_store: Path, tmp_path: Path, redis_client, redis_url: str) -> Iterator[Runtime]:
    store = tmp_path / "onescreen.db"
    store.write_bytes(seeded_store.read_bytes())
    # No hotline readings job: its threshold alerts, judged at start-up from the seeded orders, would land on the
    # tickers whose order the tests check (a test that needs the readings refreshes them itself). No scheduled
    # briefings: they would catch up on last week's at start-up, and write into the working directory's var/.
    settings = Settings(database_url=f"sqlite:///{store}", redis_url=redis_url, simulate=False,
                        hotline_readings=False, briefings=False, wall_token=WALL_TOKEN, _env_file=None)
    yield open_runtime(settings)


@pytest.fixture
def wall_app(wall_runtime: Runtime):
    return create_app(wall_runtime.settings, wall_runtime)


@pytest.fixture
def open_page(dash_duo, wall_app, wall_runtime: Runtime):
    """`open_page("/indicators", role="analyst")`: serve the seeded app once, sign in as `role`, open the path.

    Every browser test goes through here, so signing in is done in one place for all pages: through the real
    /login form, as the demo user of that role (`role` may also name any demo user, e.g. "analyst-siming", the
    Siming-district analyst). `role="wall"` opens the page as the kiosk device, with the wall token.
    """
    settings = wall_runtime.settings
    with wall_runtime.sessions() as session:
        ensure_demo_users(session, settings, wall_runtime.pack)
        session.commit()
    state = {"started": False, "as": None}

    def sign_in(role: str) -> None:
        driver = dash_duo.driver
        driver.delete_all_cookies()
        if role == "wall":
            driver.get(f"{dash_duo.server_url}/wall?token={WALL_TOKEN}")
            return
        username = next((user.username for user in wall_runtime.pack.users
                         if role in (user.username, user.role.value)), None)
        assert username is not None, f"no first user for role {role!r} in the city pack's users.csv"
        driver.get(f"{dash_duo.server_url}/login")
        driver.find_element(By.ID, "login-username").send_keys(username)
        driver.find_element(By.ID, "login-password").send_keys(demo_password(settings, username))
        driver.find_element(By.ID, "login-submit").click()
        WebDriverWait(driver, 10).until(lambda d: "/login" not in d.current_url)

    def go(path: str, *, role: str = "operator") -> None:
        if not state["started"]:
            # Not `navigate`: it would wait for Dash on "/", which sends a stranger to /login. Set the URL the
            # setter would (without its implicit page wait), so tests can still use dash_duo.server_url.
            dash_duo.start_server(wall_app, navigate=False)
            dash_duo._url = dash_duo.server.url
            state["started"] = True
        if state["as"] != role:
            sign_in(role)
            state["as"] = role
        dash_duo.wait_for_page(url=f"{dash_duo.server_url}{path}")

    return go


@pytest.fixture
def shoot(dash_duo, tmp_path: Path):  # type: ignore[no-untyped-def]
    """`shoot(name)` saves what the browser shows as a PNG for a person to look at: in ONESCREEN_TEST_SHOTS when
    that is set (to keep them), else in the test's temporary folder."""
    folder = Path(os.environ.get("ONESCREEN_TEST_SHOTS") or tmp_path)

    def save(name: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        dash_duo.driver.save_screenshot(str(folder / name))
        return folder / name

    return save
