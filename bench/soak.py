"""Endurance of /wall: hours of the live city, at its real pace or compressed, watching memory and the console.

    python bench/soak.py [--pace real|compressed] [--hours 2] [--rate R] [--simulate-rate S] [--tracemalloc]
                         [--out PATH]

The real app runs with the demo city live (`--pace real`: at 1× with one alert a second, as a command center's
wall lives; `--pace compressed`: the city at 60× and 20 alerts a second) and headless Chromium shows the wall.
Every 30 s the bench forces a garbage collection and samples the page's JS heap and DOM counters (Chrome DevTools
Protocol) and the server's resident memory (psutil). Judged by the slope of a least-squares line fitted to every
sample after warm-up (the ticker fills first): JS heap ≤ 0.1 MB/h and server RSS ≤ 1 MB/h (issue 17), each with
its standard error; console errors 0. `--tracemalloc` traces the server's allocations and writes what grew most
(bench/_wallkit.py trace_growth) beside the result.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil
import redis
from _report import machine, store_rows, write
from _wallkit import browser, publish_at, serve_seeded_wall, serve_wall, stop, wait_for, wall_url
from selenium.common.exceptions import TimeoutException

HEAP_BUDGET_MB_H = 0.1
RSS_BUDGET_MB_H = 1.0
PACES = {"real": (1.0, 1.0), "compressed": (20.0, 60.0)}  # alerts a second, the city's pace
SAMPLE_EVERY = 30.0
SCRIPT_TIMEOUT_S = 120  # a loaded machine's page may be busy for a while: a late sample is a stall, not a crash

UPDATES_JS = """
window.__updates = 0;
new MutationObserver(() => { window.__updates += 1; }).observe(document.getElementById('alert-ticker'),
  {childList: true});
for (const id of ['kpi-strip', 'focus-slides', 'event-map', 'approvals-throughput', 'kpis-as-of']) {
  const el = document.getElementById(id);
  if (el) new MutationObserver(() => { window.__updates += 1; }).observe(el, {childList: true, subtree: false});
}
return true;
"""


def sample(driver: Any, server: psutil.Process, began: float) -> dict[str, float]:
    driver.execute_cdp_cmd("HeapProfiler.collectGarbage", {})
    heap = driver.execute_cdp_cmd("Runtime.getHeapUsage", {})
    dom = driver.execute_cdp_cmd("Memory.getDOMCounters", {})
    return {"t_s": round(time.monotonic() - began, 1), "js_heap_mb": round(heap["usedSize"] / 2**20, 2),
            "dom_nodes": dom["nodes"], "listeners": dom["jsEventListeners"],
            "server_rss_mb": round(server.memory_info().rss / 2**20, 1),
            "updates": driver.execute_script("return window.__updates;")}


def growth(samples: list[dict[str, float]], key: str, warm: int) -> float:
    """Growth from the warm-up sample to the median of the last three, so one GC-timing blip is no trend."""
    base = samples[warm][key]
    tail = sorted(s[key] for s in samples[-3:])[len(samples[-3:]) // 2]
    return round((tail - base) / base, 4) if base else 0.0


def slope(samples: list[dict[str, float]], key: str) -> dict[str, float]:
    """The least-squares slope of `key` over time in units an hour, its standard error, and how far the samples
    stray from the line (residual standard deviation): a slope inside two standard errors of 0 is flat."""
    hours = [s["t_s"] / 3600 for s in samples]
    values = [float(s[key]) for s in samples]
    fit = statistics.linear_regression(hours, values)
    residuals = [v - (fit.intercept + fit.slope * h) for h, v in zip(hours, values, strict=True)]
    spread = (sum(r * r for r in residuals) / max(1, len(values) - 2)) ** 0.5
    sxx = sum((h - statistics.fmean(hours)) ** 2 for h in hours)
    return {"slope_per_h": round(fit.slope, 4), "stderr_per_h": round(spread / sxx ** 0.5 if sxx else 0.0, 4),
            "residual_sd": round(spread, 4), "n": len(values)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pace", choices=sorted(PACES), default="real")
    parser.add_argument("--hours", type=float, default=2.0)
    parser.add_argument("--rate", type=float, help="alerts per second (default: the pace's)")
    parser.add_argument("--simulate-rate", type=float, help="the live city's pace, 1 = real time (default: the pace's)")
    parser.add_argument("--warmup", type=float, default=300, help="seconds before the fitted samples begin")
    parser.add_argument("--tracemalloc", action="store_true", help="trace what the server's Python heap grows by")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"))
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "soak.json")
    parser.add_argument("--serve", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve_wall(int(args.serve[1]), *args.serve[2:])
        return
    rate, simulate_rate = PACES[args.pace]
    args.rate = rate if args.rate is None else args.rate
    args.simulate_rate = simulate_rate if args.simulate_rate is None else args.simulate_rate
    seconds = args.hours * 3600
    trace = args.out.with_suffix(".tracemalloc.json") if args.tracemalloc else None

    from services.config import Settings

    client = redis.Redis.from_url(args.redis_url, decode_responses=True)
    client.flushdb()
    settings = Settings(redis_url=args.redis_url, simulate=False, _env_file=None)
    procs = []
    driver = None
    stopping = threading.Event()
    samples: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="bench-soak-") as tmp:
        try:
            proc, port = serve_seeded_wall(__file__, Path(tmp), args.redis_url, simulate_rate=args.simulate_rate,
                                           trace=str(trace.resolve()) if trace else "")
            procs.append(proc)
            server = psutil.Process(procs[0].pid)
            driver = browser()
            driver.set_script_timeout(SCRIPT_TIMEOUT_S)
            driver.get(wall_url(port))
            wait_for(driver, '#connection-state[data-state="live"]')
            driver.execute_script(UPDATES_JS)

            def publisher() -> None:
                while not stopping.is_set():
                    publish_at(client, settings.alerts_stream, settings.stream_maxlen, args.rate, 5)

            thread = threading.Thread(target=publisher, daemon=True)
            thread.start()
            began = time.monotonic()
            load_start = [round(value, 2) for value in os.getloadavg()]
            warm_index = None
            print(f"{'t (s)':>7} {'heap MB':>8} {'DOM nodes':>9} {'listeners':>9} {'server MB':>9} {'updates':>8}")
            stalls = 0
            while True:
                time.sleep(SAMPLE_EVERY)
                try:
                    samples.append(sample(driver, server, began))
                except TimeoutException:
                    stalls += 1
                    print(f"the page did not answer within {SCRIPT_TIMEOUT_S} s (stall {stalls})", flush=True)
                    continue
                row = samples[-1]
                print(f"{row['t_s']:>7} {row['js_heap_mb']:>8} {row['dom_nodes']:>9} {row['listeners']:>9} "
                      f"{row['server_rss_mb']:>9} {row['updates']:>8}", flush=True)
                if warm_index is None and row["t_s"] >= args.warmup:
                    warm_index = len(samples) - 1
                if row["t_s"] >= seconds and warm_index is not None and len(samples) - warm_index >= 4:
                    break
            stopping.set()
            thread.join(timeout=10)
            errors = [entry["message"][:300] for entry in driver.get_log("browser") if entry.get("level") == "SEVERE"]
            browser_version = driver.capabilities.get("browserVersion", "?")
            rows = store_rows(f"sqlite:///{Path(tmp) / 'onescreen.db'}")
        finally:
            stopping.set()
            if driver is not None:
                driver.quit()
            stop(procs)
            client.flushdb()

    assert warm_index is not None
    fitted = samples[warm_index:]
    heap, rss = slope(fitted, "js_heap_mb"), slope(fitted, "server_rss_mb")
    figures = [
        {"name": "js_heap_slope", "unit": "MB/h", "value": heap["slope_per_h"], "budget": HEAP_BUDGET_MB_H, **heap},
        {"name": "server_rss_slope", "unit": "MB/h", "value": rss["slope_per_h"], "budget": RSS_BUDGET_MB_H, **rss},
        {"name": "dom_nodes_slope", "unit": "nodes/h", "value": slope(fitted, "dom_nodes")["slope_per_h"],
         "budget": None},
        {"name": "js_heap_growth", "unit": "ratio", "value": growth(samples, "js_heap_mb", warm_index), "budget": None},
        {"name": "server_rss_growth", "unit": "ratio", "value": growth(samples, "server_rss_mb", warm_index),
         "budget": None},
        {"name": "console_errors", "unit": "count", "value": len(errors), "budget": 0},
    ]
    for fig in figures:
        print(f"{fig['name']:<20} {fig['value']:>8}  budget {fig['budget']}")
    write(args.out, {
        "bench": "soak",
        "machine": machine(database=f"sqlite {sqlite3.sqlite_version}",
                           redis=str(client.info("server")["redis_version"]),
                           browser=f"chromium {browser_version} (headless)"),
        "params": {"pace": args.pace, "seconds": samples[-1]["t_s"], "updates": samples[-1]["updates"],
                   "alert_rate": args.rate, "store_rows": rows, "fit": "least squares over every sample after warm-up",
                   "simulate_rate": args.simulate_rate, "warmup_s": samples[warm_index]["t_s"],
                   "sample_every_s": SAMPLE_EVERY, "console_errors": errors[:10], "stalled_samples": stalls,
                   "load_average_start": load_start, "load_average_end": [round(v, 2) for v in os.getloadavg()]},
        "figures": figures,
        "samples": samples,
    })


if __name__ == "__main__":
    main()
