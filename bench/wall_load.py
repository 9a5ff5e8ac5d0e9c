"""Cold load of /wall: from navigation start to every panel painted, in headless Chromium on loopback.

    python bench/wall_load.py [--runs 10] [--redis-url URL] [--out PATH]

The real app (a one-day seeded SQLite store, real Redis) is served from a subprocess. Each run navigates a
browser with its cache disabled to the wall; a script installed before any page script checks every animation
frame which panels are painted and records `performance.now()` (ms since navigation start) when each first is:
KPI cards, the focus panel's cards, the event map (districts filled and labelled, the dots' canvas in place), the
approvals chart's traces, the alert ticker, and the connection state at "live". The figure is the time when
the last of them is.

Where the time goes is measured alongside, as steps on the same clock (no budget): the document parsed
(`dom_ready`), Dash's layout and callback graph fetched (`dash_layout`), the page's content drawn by the pages router
callback (`page_rendered`), plotly.js fetched (`plotly_fetched`) and evaluated (`plotly_ready`), and the main
thread's long tasks (> 50 ms) added up until the last panel (`long_tasks`): with the CPU-bound steps (plotly.js's
evaluation, WebGL starting on software rendering) that sum is what a loaded machine stretches.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from _report import machine, write
from _wallkit import browser, serve_seeded_wall, serve_wall, stats, stop, wall_url

BUDGET_MS = 2000
PANELS = ("kpis", "focus", "map", "approvals", "ticker", "live")
STEPS = ("dom_ready", "dash_layout", "page_rendered", "plotly_fetched", "plotly_ready", "long_tasks")

PANELS_JS = r"""
(() => {
  const found = window.__panels = {};
  const steps = window.__steps = {}, long = [];
  try {
    new PerformanceObserver(list => list.getEntries().forEach(e => long.push([e.startTime, e.duration])))
      .observe({type: 'longtask', buffered: true});
  } catch (e) {}
  const fetched = (pattern) => {
    const hits = performance.getEntriesByType('resource').filter(e => pattern.test(e.name));
    return hits.length ? Math.max(...hits.map(e => e.responseEnd)) : undefined;
  };
  const stepChecks = {
    page_rendered: () => !!document.getElementById('wall-root') && performance.now(),
    plotly_ready: () => !!(window.Plotly && window.Plotly.newPlot) && performance.now(),
  };
  const finish = () => {
    const last = Math.max(...Object.values(found));
    const nav = performance.getEntriesByType('navigation')[0];
    steps.dom_ready = nav ? nav.domContentLoadedEventEnd : undefined;
    steps.dash_layout = fetched(/\/_dash-(layout|dependencies)/);
    steps.plotly_fetched = fetched(/plotly[\w-]*\.min\.js/);
    steps.long_tasks = long.filter(([start]) => start < last).reduce((sum, [, d]) => sum + d, 0);
    window.__done = true;
  };
  const map = () => {  // districts filled and labelled (SVG), the dots' WebGL canvas in place
    const gd = document.querySelector('#event-map .js-plotly-plot');  // dcc.Graph's plot div, inside its wrapper
    return !!(gd && gd.querySelector('.scatterlayer path.js-fill') && gd.querySelector('.annotation-text')
              && gd.querySelector('canvas.gl-canvas-context'));
  };
  const checks = {
    kpis: () => document.querySelectorAll('#kpi-strip .kpi-card').length > 0,
    focus: () => document.querySelectorAll('#focus-slides .kpi-card').length > 0,
    map: map,
    approvals: () => !!document.querySelector('#approvals-throughput .scatterlayer .trace'),
    ticker: () => !!document.getElementById('alert-ticker'),
    live: () => !!document.querySelector('#connection-state[data-state="live"]'),
  };
  const frame = () => {
    for (const [name, check] of Object.entries(checks)) {
      if (!(name in found)) { try { if (check()) found[name] = performance.now(); } catch (e) {} }
    }
    for (const [name, check] of Object.entries(stepChecks)) {
      if (!(name in steps)) { try { const at = check(); if (at) steps[name] = at; } catch (e) {} }
    }
    if (Object.keys(found).length < Object.keys(checks).length) requestAnimationFrame(frame);
    else finish();
  };
  requestAnimationFrame(frame);
})();
"""


def one_load(driver: Any, url: str, timeout: float = 30) -> dict[str, float]:
    """Panel → ms when first painted, and step → ms (see the module docstring), for one cold load of `url`."""
    driver.get("about:blank")
    driver.get(url)
    deadline = time.monotonic() + timeout
    found: dict[str, float] = {}
    while time.monotonic() < deadline:
        found, steps = driver.execute_script("return window.__done ? [window.__panels, window.__steps] : [{}, {}];")
        if len(found) == len(PANELS):
            return {name: round(ms, 1) for name, ms in {**found, **steps}.items() if ms is not None}
        time.sleep(0.05)
    raise SystemExit(f"not every panel painted within {timeout} s: {found}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"))
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "wall_load.json")
    parser.add_argument("--serve", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve_wall(int(args.serve[1]), *args.serve[2:])
        return

    procs = []
    driver = None
    with tempfile.TemporaryDirectory(prefix="bench-wall-load-") as tmp:
        try:
            proc, port = serve_seeded_wall(__file__, Path(tmp), args.redis_url)
            procs.append(proc)
            driver = browser()
            driver.execute_cdp_cmd("Network.enable", {})
            driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
            driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": PANELS_JS})
            one_load(driver, wall_url(port))  # the server's first layout warms its caches, as a running wall's would
            load_average = [round(value, 2) for value in os.getloadavg()]
            loads = [one_load(driver, wall_url(port)) for _ in range(args.runs)]
            browser_version = driver.capabilities.get("browserVersion", "?")
            errors = [entry for entry in driver.get_log("browser") if entry.get("level") == "SEVERE"]
        finally:
            if driver is not None:
                driver.quit()
            stop(procs)

    figures = []
    for name in ("all_panels", *PANELS, *STEPS):
        values = [max(load[panel] for panel in PANELS) if name == "all_panels" else load[name]
                  for load in loads if name == "all_panels" or name in load]
        summary = {key: round(value, 1) for key, value in stats(values).items()}
        figures.append({"name": f"wall_cold_load_{'step_' if name in STEPS else ''}{name}", "unit": "ms", **summary,
                        "n": len(values), "budget_p95": BUDGET_MS if name == "all_panels" else None})
    print(f"{'figure':<34} {'n':>3} {'p50':>8} {'p95':>8} {'max':>8}  budget")
    for fig in figures:
        print(f"{fig['name']:<34} {fig['n']:>3} {fig['p50']:>8} {fig['p95']:>8} {fig['max']:>8}  "
              f"{'≤ ' + str(fig['budget_p95']) + ' ms' if fig['budget_p95'] else '-'}")
    print(f"browser console errors: {len(errors)}")
    write(args.out, {
        "bench": "wall_load",
        "machine": machine(database=f"sqlite {sqlite3.sqlite_version}",
                           browser=f"chromium {browser_version} (headless, software WebGL)"),
        "params": {"runs": args.runs, "cache": "disabled", "seeded_days": 1, "viewport": "1920x1080",
                   "from": "navigation start", "console_errors": len(errors), "load_average": load_average},
        "figures": figures,
    })


if __name__ == "__main__":
    main()
