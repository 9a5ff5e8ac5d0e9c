"""The README's picture of the wall: the demo city live in the real app, photographed in headless Chromium.

    python bench/wall_shot.py [--size 1920x1080] [--lang zh-CN] [--settle 40] [--out docs/wall.png]

The city runs at 60× its pace and a few alerts arrive, so the ticker and the map show a working day; after
`--settle` seconds the screen is saved. Not a benchmark: it measures nothing and writes no JSON.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import redis
from _wallkit import ROOT, browser, publish_at, serve_seeded_wall, serve_wall, stop, wait_for, wall_url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="1920x1080")
    parser.add_argument("--lang", default="zh-CN", choices=("zh-CN", "en"))
    parser.add_argument("--settle", type=float, default=40, help="seconds of live city before the picture")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"))
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "wall.png")
    parser.add_argument("--serve", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve_wall(int(args.serve[1]), *args.serve[2:])
        return

    from services.config import Settings, parse_size

    width, height = parse_size(args.size)
    client = redis.Redis.from_url(args.redis_url, decode_responses=True)
    client.flushdb()
    settings = Settings(redis_url=args.redis_url, simulate=False, _env_file=None)
    procs = []
    driver = None
    with tempfile.TemporaryDirectory(prefix="bench-wall-shot-") as tmp:
        try:
            proc, port = serve_seeded_wall(__file__, Path(tmp), args.redis_url, simulate_rate=60)
            procs.append(proc)
            driver = browser(size=f"{width},{height}")
            driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                   {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})
            driver.get(f"{wall_url(port)}&lang={args.lang}&size={width}x{height}")
            wait_for(driver, '#connection-state[data-state="live"]')
            publish_at(client, settings.alerts_stream, settings.stream_maxlen, 0.5, 12)
            time.sleep(args.settle)
            driver.execute_script("document.getElementById('alert-popup-close')?.click();")
            time.sleep(1)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            driver.save_screenshot(str(args.out))
            print(f"wrote {args.out}")
        finally:
            if driver is not None:
                driver.quit()
            stop(procs)
            client.flushdb()


if __name__ == "__main__":
    main()
