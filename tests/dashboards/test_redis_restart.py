"""The Redis server restarts while alerts are being added: the wall finds every alert exactly once and is live again.

A private `redis-server` on a free port, with AOF as production runs it (the stream survives the restart); never the
shared server. The producer writes with explicit stream ids, so a write retried across the restart cannot land twice.
"""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis

from services.config import Settings
from services.platform.runtime import Runtime, open_runtime
from tests.dashboards.conftest import WALL_TOKEN

COUNT = 24


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RedisServer:
    """One private redis-server process, stoppable and restartable on the same port and data directory."""

    def __init__(self, folder: Path) -> None:
        self.port, self.folder = _free_port(), folder
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes",
             "--appendfsync", "always", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        client = redis.Redis.from_url(self.url)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def wall_runtime(seeded_store: Path, tmp_path: Path, private_redis: RedisServer) -> Iterator[Runtime]:
    """Overrides conftest's: the same seeded store, but the private Redis."""
    store = tmp_path / "onescreen.db"
    store.write_bytes(seeded_store.read_bytes())
    settings = Settings(database_url=f"sqlite:///{store}", redis_url=private_redis.url, simulate=False,
                        wall_token=WALL_TOKEN, _env_file=None)
    yield open_runtime(settings)


def _produce(url: str, stream: str, stop: threading.Event, written: list[str]) -> None:
    """COUNT alerts, one every 0.2 s, each retried until the server has it; explicit ids make retries idempotent."""
    client = redis.Redis.from_url(url, decode_responses=True, socket_timeout=2, socket_connect_timeout=1)
    base = int(time.time() * 1000)
    for n in range(COUNT):
        fields = {"id": f"r-{n}", "source": "test", "sent": datetime.now(UTC).isoformat(), "severity": "minor",
                  "urgency": "expected", "certainty": "likely", "category": "infra", "event": f"巡查 {n}",
                  "headline": f"重启测试 {n:02d}", "msg_type": "alert"}  # fmt: skip
        while not stop.is_set():
            try:
                client.xadd(stream, fields, id=f"{base + n}-0")  # type: ignore[arg-type]
                break
            except redis.ResponseError as exc:
                if "equal or smaller" in str(exc):
                    break  # the attempt cut off by the restart had landed
                raise
            except (redis.ConnectionError, redis.TimeoutError):
                time.sleep(0.1)
        written.append(f"重启测试 {n:02d}")
        time.sleep(0.2)


def test_wall_resumes_after_a_redis_restart_with_every_alert_once(dash_duo, open_page, wall_runtime, private_redis):
    open_page("/wall", role="wall")
    dash_duo.wait_for_element('#connection-state[data-state="live"]', timeout=15)

    stop, written = threading.Event(), []
    producer = threading.Thread(target=_produce, args=(private_redis.url, wall_runtime.settings.alerts_stream,
                                                       stop, written), daemon=True)
    producer.start()
    try:
        while len(written) < 6:
            time.sleep(0.05)
        private_redis.stop()
        dash_duo.wait_for_element('#connection-state:not([data-state="live"])', timeout=15)
        time.sleep(1.0)
        private_redis.start()
        producer.join(timeout=60)
    finally:
        stop.set()
    assert len(written) == COUNT

    last = f"重启测试 {COUNT - 1:02d}"
    dash_duo.wait_for_contains_text("#alert-ticker li:first-child", last, timeout=20)
    dash_duo.wait_for_element('#connection-state[data-state="live"]', timeout=15)
    # textContent: the ticker clips what does not fit, and Selenium's .text is only the visible text
    headlines = [item.get_attribute("textContent") for item in dash_duo.find_elements("#alert-ticker .ticker-headline")]
    ours = sorted(text for text in headlines if text.startswith("重启测试"))
    assert ours == sorted(written)  # every alert, each exactly once
    ids = [item.get_attribute("data-alert-id") for item in dash_duo.find_elements("#alert-ticker li")]
    assert len(ids) == len(set(ids))
