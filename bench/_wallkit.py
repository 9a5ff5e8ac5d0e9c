"""What the browser benchmarks share: a seeded store, the real app served from a subprocess, headless Chromium,
and an alert publisher on a fixed schedule.

A bench script serves the app by running itself with `--serve wall PORT DATABASE_URL REDIS_URL [SIMULATE_RATE]`
(`serve_main`), so the server's memory and CPU are its own process's, apart from the measuring side.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import redis

ROOT = Path(__file__).resolve().parent.parent
WALL_TOKEN = "bench-wall-token"
API_TOKEN = "bench-api-token"  # the bench servers' integrator token (`bench`), for the push APIs
START_TIMEOUT_S = 180  # a shared 2-core machine at load 10 takes over a minute to start the app


def serve_wall(port: int, database_url: str, redis_url: str, simulate_rate: str = "0", trace: str = "") -> None:
    """The real OneScreen app; with a simulate rate above 0 the demo city runs live inside it; with a `trace` path,
    what its Python heap grows by is written there (`trace_growth`)."""
    import uvicorn

    if trace:
        trace_growth(Path(trace))

    from app import create_app
    from services.config import Settings

    rate = float(simulate_rate)
    settings = Settings(database_url=database_url, redis_url=redis_url, simulate=rate > 0,
                        simulate_rate=rate if rate > 0 else 1.0, port=port, wall_token=WALL_TOKEN,
                        api_tokens=f"bench:{API_TOKEN}", _env_file=None)
    uvicorn.run(create_app(settings).server, host="127.0.0.1", port=port, log_level="warning")


def trace_growth(out: Path, warm_s: float = 300, every_s: float = 300, frames: int = 6) -> None:
    """Trace this process's allocations (tracemalloc) from `warm_s` in (tracing the app's start-up would make it
    several times slower) and, every `every_s` after that baseline, write to `out` the 25 places that grew most
    since it (JSON): what grows, not only how fast."""
    import json
    import threading
    import tracemalloc

    def watch() -> None:
        time.sleep(warm_s)
        tracemalloc.start(frames)
        baseline = tracemalloc.take_snapshot()
        began = time.monotonic()
        while True:
            time.sleep(every_s)
            diff = tracemalloc.take_snapshot().compare_to(baseline, "traceback")
            top = [{"kb": round(stat.size_diff / 1024, 1), "blocks": stat.count_diff,
                    "where": [f"{frame.filename}:{frame.lineno}" for frame in stat.traceback]} for stat in diff[:25]]
            out.write_text(json.dumps({"since_baseline_s": round(time.monotonic() - began),
                                       "traced_mb": round(tracemalloc.get_traced_memory()[0] / 2**20, 1),
                                       "top": top}, indent=1), encoding="utf-8")

    threading.Thread(target=watch, name="trace-growth", daemon=True).start()


def wall_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/wall?token={WALL_TOKEN}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def seeded_store(folder: Path, days: int = 1) -> str:
    """A demo city of `days` on SQLite, as the browser tests use (the wall's panels need real data)."""
    from services.config import Settings
    from services.demo.simulator import seed
    from services.platform.runtime import open_runtime
    from services.store.catalog import install_catalog

    url = f"sqlite:///{folder / 'onescreen.db'}"
    rt = open_runtime(Settings(database_url=url, simulate=False, _env_file=None))
    with rt.sessions() as session:
        install_catalog(session, districts=rt.city.rows())
        session.commit()
    seed(rt.engine, days=days, progress=False)
    rt.close()
    return url


def start(script: str, args: list[str], port: int, path: str, log: Path, env: dict[str, str] | None = None
          ) -> subprocess.Popen[bytes]:
    """Run `script` with `args` (its server mode; `env` added to this process's) and wait until `path` answers on
    `port`."""
    proc = subprocess.Popen([sys.executable, script, *args], cwd=ROOT, stdout=log.open("wb"),
                            stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server {args[:2]} exited with {proc.returncode}; see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5):
                return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise SystemExit(f"server {args[:2]} did not answer on port {port} within {START_TIMEOUT_S} s; see {log}")


WEB_ONLY = {"ONESCREEN_BACKGROUND": "false"}  # a web worker as production runs it, its loops in processes of their own


def persist_process(database_url: str, redis_url: str, log: Path) -> subprocess.Popen[bytes]:
    """The persist worker as production runs it (`python -m services.workers persist`), beside a WEB_ONLY server:
    in the web process its thread would take the GIL from the screens' push loops."""
    env = {**os.environ, "ONESCREEN_DATABASE_URL": database_url, "ONESCREEN_REDIS_URL": redis_url,
           "ONESCREEN_SIMULATE": "false"}
    return subprocess.Popen([sys.executable, "-m", "services.workers", "persist"], cwd=ROOT, env=env,
                            stdout=log.open("wb"), stderr=subprocess.STDOUT)


def serve_seeded_wall(script: str, folder: Path, redis_url: str, simulate_rate: float = 0, trace: str = ""
                      ) -> tuple[subprocess.Popen[bytes], int]:
    """A one-day demo store in `folder`, and `script`'s wall server on it (log in `folder`/wall.log): the process and
    its port. With a simulate rate above 0 the demo city runs live inside it; `trace`: see `trace_growth`."""
    print("seeding a one-day store …", flush=True)
    database_url = seeded_store(folder)
    port = free_port()
    proc = start(script, ["--serve", "wall", str(port), database_url, redis_url, f"{simulate_rate:g}", trace], port,
                 "/healthz", folder / "wall.log")
    return proc, port


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def browser(*flags: str, size: str = "1920,1080") -> Any:
    """Debian's headless Chromium with the flags this closed network needs, and the browser log kept."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", f"--window-size={size}", *flags):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def wait_for(driver: Any, css: str, timeout: float = 30) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, timeout).until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css)))


def alert(number: int, sent_ms: float) -> dict[str, str]:
    return {"id": f"bench-{number}-{sent_ms:.3f}", "source": "bench", "sent": datetime.now(UTC).isoformat(),
            "severity": ("extreme", "severe", "moderate", "minor")[number % 4], "urgency": "immediate",
            "certainty": "observed", "category": "met", "event": f"暴雨 {number} 号",  # distinct: no storm folding
            "headline": f"厦门市 暴雨预警 {number}",
            "description": "", "district": "350206", "lat": "24.51", "lon": "118.14", "area": "",
            "msg_type": "alert", "references": ""}  # fmt: skip


def publish_at(client: redis.Redis, stream: str, maxlen: int, rate: float, seconds: float,
               first: int = 0) -> dict[str, float]:
    """XADD `rate` alerts a second on a fixed schedule; returns stream id → send time (ms since the epoch)."""
    from services.alerts.stream import publish

    sent: dict[str, float] = {}
    began = time.perf_counter()
    for number in range(int(rate * seconds)):
        delay = began + number / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        now_ms = time.time() * 1000
        sent[publish(client, stream, alert(first + number, now_ms), maxlen)] = now_ms
    return sent


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def stats(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": 0.0, "p95": 0.0, "p99": 0.0, "min": 0.0, "max": 0.0}
    return {"p50": percentile(values, 0.50), "p95": percentile(values, 0.95), "p99": percentile(values, 0.99),
            "min": min(values), "max": max(values)}
