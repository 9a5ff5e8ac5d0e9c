"""Alert latency from XADD to the browser's DOM: /wall's websocket push against a 1-second polling page.

    python bench/alerts.py [--rate 100] [--seconds 30] [--screens 1] [--redis-url URL] [--out PATH]

The real OneScreen app (seeded SQLite store, real Redis; a web worker and the persist worker in a process of its
own, as production runs them) and a minimal Dash page that
polls the same stream every second (XREAD after the last id it showed: the baseline) are served from two
subprocesses and opened in two headless Chromiums. A MutationObserver in each page records, for every
`li[data-alert-id]`, when it first appears (performance.timeOrigin + performance.now()); the publisher XADDs
`--rate` alerts a second and notes time.time() for each. Both clocks are this machine's wall clock.
Latency = first DOM appearance − XADD. Lost = sent but never shown; duplicated = shown twice at once, or shown
again after it had left the list.
With `--screens N` the one wall server (one worker) also carries N − 1 more screens that speak Dash's websocket
protocol without a browser (bench/_screens.py): their latency is XADD → the websocket message carrying the alert
(the browser's drawing comes on top), with lost and duplicated counted per screen (issue 17: 200 screens at 100
alerts/s, p99 ≤ 250 ms, 0 lost, 0 duplicated).
With `--storm` (issue 17: 1 000 alerts/s for 60 s) a wall cannot draw every alert and says so in its storm summary:
the bench reads the summary's line of each minute every second while the storm runs and drains, then checks that
every alert was stored once and that each stormy minute's count on the wall equals the alerts stored with a stream
id in that minute; the push latency is then that of the alerts drawn.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import redis
from _report import machine, store_rows, write
from _screens import Screens
from _wallkit import (
    WEB_ONLY,
    browser,
    free_port,
    percentile,
    persist_process,
    publish_at,
    seeded_store,
    serve_wall,
    start,
    stats,
    stop,
    wait_for,
    wall_url,
)
from sqlalchemy import create_engine, select

ROOT = Path(__file__).resolve().parent.parent
BUDGET_P50 = 50
BUDGET_P99 = 250
POLL_KEEP = 300
WARMUP = 3

OBSERVER_JS = """
const B = window.__bench = {first: {}, present: new Set(), simul: {}, reshown: {}, scans: 0};
function scan() {
  const t = performance.timeOrigin + performance.now();
  const seen = new Map();
  for (const el of document.querySelectorAll('li[data-alert-id]')) {
    const id = el.getAttribute('data-alert-id');
    seen.set(id, (seen.get(id) || 0) + 1);
  }
  for (const [id, n] of seen) {
    if (n > 1) B.simul[id] = Math.max(B.simul[id] || 0, n - 1);
    if (!(id in B.first)) B.first[id] = t;
    else if (!B.present.has(id)) B.reshown[id] = (B.reshown[id] || 0) + 1;
  }
  B.present = new Set(seen.keys());
  B.scans += 1;
}
scan();
new MutationObserver(scan).observe(document.body,
  {subtree: true, childList: true, attributes: true, attributeFilter: ['data-alert-id']});
return true;
"""


STORM_JS = """
const lines = {};
for (const el of document.querySelectorAll('#alert-storm .storm-line')) lines[el.dataset.minute] = Number(el.dataset.count);
return lines;
"""
STORM_PER_MINUTE = 30  # dashboards/_storm_summary.py: a minute with more is a storm, and has a line


class StormWatch(threading.Thread):
    """The wall's storm summary, read every second while the storm runs and drains: a minute's line rolls off two
    minutes on, so the last count each minute showed is kept (the main thread leaves the driver alone meanwhile)."""

    def __init__(self, driver: Any) -> None:
        super().__init__(daemon=True)
        self.driver, self.shown, self._done = driver, {}, threading.Event()

    def run(self) -> None:
        while not self._done.wait(1.0):
            self.shown.update(self.driver.execute_script(STORM_JS))

    def stop(self) -> dict[str, int]:
        self._done.set()
        self.join()
        self.shown.update(self.driver.execute_script(STORM_JS))
        return self.shown


def _local_minute(stream_id: str, zone: Any) -> str:
    """The minute a stream id was added, as the wall's storm summary names it."""
    return datetime.fromtimestamp(int(stream_id.split("-")[0]) // 60_000 * 60, UTC).astimezone(zone).strftime("%H:%M")


def storm_figure(database_url: str, sent: dict[str, float], shown: dict[str, int], since_ms: float,
                 wait_s: float = 60) -> dict[str, Any]:
    """Every alert sent stored once, and each stormy minute's count on the wall against the alerts stored with a
    stream id in that minute (local HH:MM, as the wall shows it; every alert the stream carried counts)."""
    from services.config import Settings
    from services.store import Alert

    zone = Settings(_env_file=None).zone
    engine = create_engine(database_url)
    deadline = time.monotonic() + wait_s
    while True:  # the persist worker catches up
        with engine.connect() as connection:
            rows = connection.execute(select(Alert.stream_id, Alert.source, Alert.alert_id)).all()
        stored = [row for row in rows if row.stream_id in sent]
        if len(stored) >= len(sent) or time.monotonic() > deadline:
            break
        time.sleep(1)
    engine.dispose()
    by_minute = Counter(_local_minute(row.stream_id, zone) for row in rows
                        if row.stream_id and int(row.stream_id.split("-")[0]) >= since_ms)
    minutes = [{"minute": m, "stored": n, "shown": shown.get(m)} for m, n in sorted(by_minute.items())
               if n > STORM_PER_MINUTE]
    identities = {(row.source, row.alert_id) for row in stored}
    return {"name": "storm_summary", "unit": "alerts", "sent": len(sent), "stored": len(stored),
            "stored_once": len(stored) == len(identities) == len(sent), "minutes": minutes,
            "summary_equals_store": bool(minutes) and all(m["stored"] == m["shown"] for m in minutes)}


# ---- the two servers (run as subprocesses of this script) -------------------------------------------------


def serve_poll(port: int, redis_url: str, stream: str) -> None:
    """The baseline: a plain Dash (Flask) page whose 1 s interval reads the stream after the last id shown."""
    import logging

    from dash import Dash, Input, Output, Patch, State, dcc, html
    from dash.exceptions import PreventUpdate

    from services.alerts.stream import last_id

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    app = Dash(__name__, update_title=None)

    def layout() -> html.Div:
        return html.Div([
            html.Ul([], id="poll-list"),
            dcc.Store(id="poll-last", data=last_id(client, stream)),
            dcc.Store(id="poll-count", data=0),
            dcc.Interval(id="poll-tick", interval=1000),
        ])

    app.layout = layout

    @app.callback(Output("poll-list", "children"), Output("poll-last", "data"), Output("poll-count", "data"),
                  Input("poll-tick", "n_intervals"), State("poll-last", "data"), State("poll-count", "data"),
                  prevent_initial_call=True)
    def poll(_tick: int, last: str, count: int) -> tuple[Any, str, int]:
        answer: Any = client.xread({stream: last}, count=100_000)
        if not answer:
            raise PreventUpdate
        entries = answer[0][1]
        patch = Patch()
        for stream_id, fields in entries:
            patch.prepend(html.Li(fields.get("headline", ""), **{"data-alert-id": stream_id}))
        count += len(entries)
        while count > POLL_KEEP:
            del patch[POLL_KEEP]
            count -= 1
        return patch, entries[-1][0], count

    app.run(host="127.0.0.1", port=port, debug=False, threaded=True)


# ---- the measuring side ----------------------------------------------------------------------------------


def clock_offset(driver: Any) -> float:
    """Page clock − Python clock in ms (should be ~0: both are the machine's wall clock)."""
    before = time.time() * 1000
    page = float(driver.execute_script("return performance.timeOrigin + performance.now();"))
    after = time.time() * 1000
    return page - (before + after) / 2


def wait_seen(drivers: list[Any], ids: set[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(ids <= set(d.execute_script("return Object.keys(window.__bench.first);")) for d in drivers):
            return
        time.sleep(0.25)


def by_window(sent: dict[str, float], first: dict[str, float], start: float) -> list[float | None]:
    """p50 per 5 s of sending: a latency that climbs window after window is a backlog, not noise."""
    windows: dict[int, list[float]] = {}
    for sid, ms in sent.items():
        if sid in first:
            windows.setdefault(int((ms - start) // 5000), []).append(first[sid] - ms)
    return [round(percentile(windows[w], 0.5), 1) if w in windows else None for w in range(max(windows, default=-1) + 1)]


def figure(name: str, transport: str, driver: Any, sent: dict[str, float], **budgets: Any) -> dict[str, Any]:
    state = driver.execute_script("return {first: window.__bench.first, simul: window.__bench.simul, "
                                  "reshown: window.__bench.reshown, scans: window.__bench.scans};")
    latencies = [state["first"][sid] - ms for sid, ms in sent.items() if sid in state["first"]]
    dup_ids = {sid for sid in sent if sid in state["simul"] or sid in state["reshown"]}
    summary = stats(latencies)
    start = min(sent.values(), default=0.0)
    lost_at = [round((ms - start) / 1000, 2) for sid, ms in sent.items() if sid not in state["first"]]
    return {"name": name, "transport": transport, "unit": "ms", **{k: round(v, 1) for k, v in summary.items()},
            "n": len(latencies), **budgets, "sent": len(sent), "delivered": len(latencies),
            "lost": len(sent) - len(latencies), "duplicated": len(dup_ids), "lost_at_s": lost_at[:20],
            "p50_by_5s": by_window(sent, state["first"], start),
            "clock_offset_ms": round(clock_offset(driver), 2), "observer_scans": state["scans"]}


def screens_figure(screens: Screens, sent: dict[str, float]) -> dict[str, Any]:
    """The websocket screens' push latency, in the shape of `figure`'s."""
    result = screens.figure(sent)
    spent = result.pop("spent")
    return {"name": "push_latency_screens", "transport": f"websocket, {screens.count} screens without a browser",
            "unit": "ms", **{k: round(v, 1) for k, v in stats(spent).items()}, "n": len(spent),
            "budget_p99": BUDGET_P99, **result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=100, help="alerts per second")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"))
    parser.add_argument("--screens", type=int, default=1, help="screens on the one wall worker (1 = the browser)")
    parser.add_argument("--drain", type=float, default=10, help="seconds to wait for the last alerts")
    parser.add_argument("--storm", action="store_true", help="check the wall's storm summary against the store")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "alerts.json")
    parser.add_argument("--serve", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        kind, port, *rest = args.serve
        (serve_wall if kind == "wall" else serve_poll)(int(port), *rest)
        return

    from services.config import Settings

    client = redis.Redis.from_url(args.redis_url, decode_responses=True)
    client.flushdb()
    settings = Settings(redis_url=args.redis_url, simulate=False, _env_file=None)
    stream = settings.alerts_stream
    procs: list[subprocess.Popen[bytes]] = []
    drivers: list[Any] = []
    screens = None
    with tempfile.TemporaryDirectory(prefix="bench-alerts-") as tmp:
        folder = Path(tmp)
        try:
            print("seeding a one-day store …", flush=True)
            database_url = seeded_store(folder)
            wall_port, poll_port = free_port(), free_port()
            procs.append(start(__file__, ["--serve", "wall", str(wall_port), database_url, args.redis_url],
                               wall_port, "/healthz", folder / "wall.log", env=WEB_ONLY))
            procs.append(persist_process(database_url, args.redis_url, folder / "persist.log"))
            procs.append(start(__file__, ["--serve", "poll", str(poll_port), args.redis_url, stream], poll_port,
                               "/", folder / "poll.log"))
            wall, poll = browser(), browser()
            drivers += [wall, poll]
            wall.get(wall_url(wall_port))
            wait_for(wall, '#connection-state[data-state="live"]')
            poll.get(f"http://127.0.0.1:{poll_port}/")
            wait_for(poll, "#poll-list")
            for driver in drivers:
                driver.execute_script(OBSERVER_JS)
            if args.screens > 1:
                print(f"opening {args.screens - 1} websocket screens …", flush=True)
                screens = Screens(f"http://127.0.0.1:{wall_port}", wall_url(wall_port).split(str(wall_port), 1)[1],
                                  args.screens - 1)
                screens.start()
            warm = publish_at(client, stream, settings.stream_maxlen, 2, WARMUP / 2, first=-WARMUP * 10)
            wait_seen(drivers, set(warm), 15)
            print(f"publishing {args.rate:g} alerts/s for {args.seconds:g} s …", flush=True)
            load_before = os.getloadavg()[0]
            watch = StormWatch(wall) if args.storm else None
            if watch is not None:
                watch.start()
            began, since_ms = time.perf_counter(), time.time() * 1000 - WARMUP * 1000
            sent = publish_at(client, stream, settings.stream_maxlen, args.rate, args.seconds)
            published_in = time.perf_counter() - began
            load_during = os.getloadavg()[0]
            if watch is None:
                wait_seen(drivers, set(sent), args.drain)
            else:  # not every alert is drawn in a storm: the drain runs out while the summary is read
                time.sleep(args.drain)
                shown = watch.stop()
            if screens is not None:
                time.sleep(2)  # the websocket screens' last messages
                screens.stop()
            figures = [
                figure("push_latency", "websocket (/wall)", wall, sent,
                       budget_p50=BUDGET_P50, budget_p95=None, budget_p99=BUDGET_P99),
                figure("poll_latency", "1 s dcc.Interval (baseline page)", poll, sent, budget_p95=None),
            ]
            if screens is not None:
                figures.append(screens_figure(screens, sent))
            if watch is not None:
                figures.append(storm_figure(database_url, sent, shown, since_ms))
            rows = store_rows(database_url)
            browser_version = wall.capabilities.get("browserVersion", "?")
        finally:
            for driver in drivers:
                driver.quit()
            stop(procs)
            client.flushdb()

    print(f"{'figure':<14} {'n':>5} {'p50':>8} {'p95':>8} {'p99':>8} {'min':>8} {'max':>8} {'lost':>5} {'dup':>4}  budget")
    for fig in figures:
        if fig["name"] == "storm_summary":
            print(f"storm: {fig['stored']} of {fig['sent']} stored, once: {fig['stored_once']}; summary equals store: "
                  f"{fig['summary_equals_store']} {fig['minutes']}")
            continue
        budget = f"p50 ≤ {BUDGET_P50}, p99 ≤ {BUDGET_P99} ms" if fig["name"] == "push_latency" else "-"
        print(f"{fig['name']:<14} {fig['n']:>5} {fig['p50']:>8} {fig['p95']:>8} {fig['p99']:>8} {fig['min']:>8} "
              f"{fig['max']:>8} {fig['lost']:>5} {fig['duplicated']:>4}  {budget}")
    result = {
        "bench": "alerts",
        "machine": machine(database=f"sqlite {sqlite3.sqlite_version}",
                           redis=str(client.info("server")["redis_version"]),
                           browser=f"chromium {browser_version} (headless)"),
        "params": {"rate": args.rate, "seconds": args.seconds, "alerts": int(args.rate * args.seconds),
                   "screens": args.screens, "storm": args.storm, "workers": 1, "store_rows": rows,
                   "published_in_s": round(published_in, 2),
                   "seeded_days": 1, "wall_ticker_size": 30, "poll_interval_ms": 1000, "poll_keep": POLL_KEEP,
                   "latency": "first DOM appearance (MutationObserver) − XADD, same machine clock",
                   "runs": 1,
                   "load_avg_1m": {"before": round(load_before, 2), "end_of_sending": round(load_during, 2)}},
        "figures": figures,
    }  # fmt: skip
    write(args.out, result)


if __name__ == "__main__":
    main()
