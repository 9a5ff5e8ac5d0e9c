"""Production serving: two web worker processes and a persist worker process on PostgreSQL and a real Redis.

Alerts sent through the API appear on a wall served by each worker exactly once, and are persisted exactly once:
the web tier keeps no state of its own (its query cache is shared in Redis), so adding workers adds screens.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, func, select

from services.store import Alert

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "serving-test-token"
WALL_TOKEN = "serving-wall-token"
ALERTS = 12


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def production_env(postgres_url: str, redis_url: str, redis_client) -> dict[str, str]:
    return {**os.environ, "ONESCREEN_DATABASE_URL": postgres_url, "ONESCREEN_REDIS_URL": redis_url,
            "ONESCREEN_SIMULATE": "false", "ONESCREEN_BACKGROUND": "false",
            "ONESCREEN_API_TOKENS": f"tests:{TOKEN}", "ONESCREEN_WALL_TOKEN": WALL_TOKEN,
            "ONESCREEN_SECRET_KEY": "serving-test-secret-key-of-enough-length"}


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        process.terminate()
    for process in started:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_ready(url: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, f"{url} exited: {process.stdout.read() if process.stdout else ''}"
        try:
            if requests.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} never became ready")


def _alert(n: int) -> dict[str, object]:
    return {"id": f"serve-{n}", "source": "tests", "sent": "2026-11-23T08:00:00+08:00", "severity": "moderate",
            "urgency": "expected", "certainty": "likely", "category": "met", "event": f"大风 {n} 号",
            "headline": f"大风预警 {n}", "lat": 24.48, "lon": 118.09}


def _ticker_ids(dash_duo) -> list[str]:
    """Read in one script, so a push that lands mid-read cannot leave a stale element behind."""
    return dash_duo.driver.execute_script(
        "return [...document.querySelectorAll('#alert-ticker li')].map(li => li.getAttribute('data-alert-id'));")


def test_alerts_reach_walls_on_two_workers_exactly_once(dash_duo, production_env, processes, redis_client):
    python = sys.executable
    subprocess.run([python, "-m", "services.workers", "migrate"], env=production_env, cwd=ROOT, check=True,
                   capture_output=True, text=True)
    processes.append(subprocess.Popen([python, "-m", "services.workers", "persist"], env=production_env, cwd=ROOT,
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    urls = []
    for _ in range(2):
        port = _free_port()
        web = subprocess.Popen([python, "-m", "uvicorn", "--factory", "app:production_server", "--port", str(port)],
                               env=production_env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
        processes.append(web)
        urls.append(f"http://127.0.0.1:{port}")
        _wait_ready(urls[-1], web)

    driver = dash_duo.driver
    windows = []
    for url in urls:
        if windows:
            driver.switch_to.new_window("tab")
        driver.get(f"{url}/wall?token={WALL_TOKEN}")
        dash_duo.wait_for_element('#connection-state[data-state="live"]', timeout=20)
        windows.append(driver.current_window_handle)

    for n in range(ALERTS):  # through both workers' APIs in turn
        answer = requests.post(f"{urls[n % 2]}/api/v1/alerts", json=_alert(n),
                            headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5)
        assert answer.status_code == 202, answer.text

    shown = []
    for window in windows:
        driver.switch_to.window(window)
        deadline = time.monotonic() + 10
        while len(_ticker_ids(dash_duo)) < ALERTS and time.monotonic() < deadline:
            time.sleep(0.1)
        ids = _ticker_ids(dash_duo)
        assert len(ids) == len(set(ids)) == ALERTS, ids
        shown.append(ids)
    assert shown[0] == shown[1]
    assert redis_client.keys("onescreen:cache:*:entry:*"), "the workers' query cache is not the shared one in Redis"

    engine = create_engine(production_env["ONESCREEN_DATABASE_URL"])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with engine.connect() as connection:
            stored = connection.execute(select(func.count(), func.count(Alert.alert_id.distinct()))).one()
        if stored[0] >= ALERTS:
            break
        time.sleep(0.2)
    engine.dispose()
    assert tuple(stored) == (ALERTS, ALERTS)
