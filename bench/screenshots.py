"""The README's pictures: every page of the demo city, live in the real app, photographed in headless Chromium in
both languages, into docs/screens/ (the wall also to docs/wall.png, the README's first picture).

    python bench/screenshots.py [--settle 40] [--only wall leader-phone …] [--out docs/screens]

The city runs at 60× its pace and a few alerts arrive, so the ticker and the map show a working day. Each page is
opened as the demo user whose role it is for, at 1920×1080; the leader's view also at 390×844, as on a phone. Not
a benchmark: it measures nothing and writes no JSON. Look at every picture before a change to a page is done.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import redis
from _wallkit import ROOT, browser, publish_at, serve_seeded_wall, serve_wall, stop, wait_for, wall_url

LANGS = ("zh-CN", "en")


@dataclass(frozen=True)
class Shot:
    name: str
    path: str
    role: str  # "wall" opens by the kiosk token; any other names a first user of the pack
    ready: str  # an element that is there once the page has its data
    size: tuple[int, int] = (1920, 1080)


SHOTS = (
    Shot("wall", "/wall", "wall", '#connection-state[data-state="live"]'),
    Shot("leader", "/", "leader", "#leader-root .leader-kpi"),
    Shot("leader-phone", "/", "leader", "#leader-root .leader-kpi", (390, 844)),
    Shot("events", "/events", "operator", "#events-table"),
    Shot("approvals", "/approvals", "analyst", "#approvals-throughput"),
    Shot("indicators", "/indicators", "analyst", "#ind-area"),
    Shot("alerts", "/alerts", "operator", "#alert-list"),
    Shot("hotline", "/hotline", "analyst", "#hl-tiles [data-tile='orders']"),
    Shot("sources", "/sources", "admin", "#sources-body"),
    Shot("admin", "/admin", "admin", "#admin-pack-section"),
    Shot("login", "/login", "", "#login-form"),
)


def _sign_in(driver: Any, port: int, role: str) -> None:
    from selenium.webdriver.common.by import By

    from services.auth import demo_password
    from services.config import Settings

    driver.delete_all_cookies()
    if not role:
        return
    if role == "wall":
        driver.get(wall_url(port))
        return
    driver.get(f"http://127.0.0.1:{port}/login")
    wait_for(driver, "#login-form")
    driver.find_element(By.ID, "login-username").send_keys(role)
    driver.find_element(By.ID, "login-password").send_keys(demo_password(Settings(_env_file=None), role))
    driver.find_element(By.ID, "login-submit").click()
    time.sleep(2)


def _settle(driver: Any, timeout: float = 30) -> None:
    """Until no Dash callback is in flight, then a moment for the charts to draw."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and driver.execute_script(
            "return !!document.querySelector('[data-dash-is-loading=\"true\"]');"):
        time.sleep(0.3)
    time.sleep(2)


def _shoot(driver: Any, port: int, shot: Shot, lang: str, out: Path) -> Path:
    width, height = shot.size
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 800})
    query = f"token=bench-wall-token&lang={lang}" if shot.role == "wall" else f"lang={lang}"
    driver.get(f"http://127.0.0.1:{port}{shot.path}?{query}")
    wait_for(driver, shot.ready, timeout=60)
    _settle(driver)
    if shot.role == "wall":
        driver.execute_script("document.getElementById('alert-popup-close')?.click();")
        time.sleep(1)
    path = out / f"{shot.name}-{lang}.png"
    driver.save_screenshot(str(path))
    print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}", flush=True)
    return path


def _users(database_url: str) -> None:
    """The pack's first users in the store, so each page is opened by the role it is for."""
    from services.auth import ensure_demo_users
    from services.config import Settings
    from services.platform.runtime import open_runtime

    rt = open_runtime(Settings(database_url=database_url, simulate=False, _env_file=None))
    with rt.sessions() as session:
        ensure_demo_users(session, rt.settings, rt.pack)
        session.commit()
    rt.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--settle", type=float, default=40, help="seconds of live city before the first picture")
    parser.add_argument("--only", nargs="+", choices=[shot.name for shot in SHOTS], help="these pictures only")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"))
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screens")
    parser.add_argument("--serve", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve_wall(int(args.serve[1]), *args.serve[2:])
        return

    from services.config import Settings

    client = redis.Redis.from_url(args.redis_url, decode_responses=True)
    client.flushdb()
    settings = Settings(redis_url=args.redis_url, simulate=False, _env_file=None)
    shots = [shot for shot in SHOTS if not args.only or shot.name in args.only]
    procs = []
    driver = None
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-screenshots-") as tmp:
        try:
            proc, port = serve_seeded_wall(__file__, Path(tmp), args.redis_url, simulate_rate=60)
            procs.append(proc)
            _users(f"sqlite:///{Path(tmp) / 'onescreen.db'}")
            driver = browser()
            publish_at(client, settings.alerts_stream, settings.stream_maxlen, 0.5, 12)
            time.sleep(args.settle)
            signed_in = None
            for shot in shots:
                if shot.role != signed_in:
                    _sign_in(driver, port, shot.role)
                    signed_in = shot.role
                for lang in LANGS:
                    path = _shoot(driver, port, shot, lang, args.out)
                    if shot.name == "wall" and lang == "zh-CN":
                        shutil.copyfile(path, ROOT / "docs" / "wall.png")
        finally:
            if driver is not None:
                driver.quit()
            stop(procs)
            client.flushdb()


if __name__ == "__main__":
    main()
