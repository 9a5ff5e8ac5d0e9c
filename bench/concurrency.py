"""How the wall's callbacks answer when 1, 10 and 50 screens ask at once, through the production server.

    python bench/concurrency.py [--database-url URL] [--redis-url URL] [--sessions 1,10,50] [--seconds 20]
                                [--workers 2] [--days 90] [--out PATH]

Serves the app as production does (`uvicorn --factory app:production_server --workers N`, the schema migrated
beforehand by `python -m services.workers migrate`, the query cache shared in Redis), on a store holding the demo
city's seeded history (--days, seeded when the store is empty). Each session is a wall device signed in with the
wall token; round after round, --pause seconds apart (60 times a real wall's pace by default), it calls one after
the other every callback the wall's panels fire on their refresh intervals, through the app's own callback endpoint
(`/_dash-update-component`), for --seconds per level.
Every level runs twice: with the shared cache as deployed ("cached"), and with every cache namespace invalidated
before each request ("uncached": each request computes, as after a write). Figures per callback, level and mode:
p50 and p95 of the response time in ms, requests per second and errors. Results to bench/results/concurrency.json.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx2
import redis
from _report import machine, write
from _store import database_version, open_store
from _wallkit import free_port, stats, stop

from services.simulator import seed_if_empty

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
WALL_TOKEN = "bench-concurrency-wall-token"
BUDGET_P95_MS = 150  # issue 9: every wall and overview callback at 50 sessions on 10 M events


def _outputs(spec: str) -> list[dict[str, str]]:
    """'..a.figure...b.children..' (several outputs) or 'a.figure' (one) as Dash's {id, property} list."""
    parts = spec.strip(".").split("...") if spec.startswith("..") else [spec]
    return [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True)) for part in parts]


def refresh_callbacks(dependencies: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The request body of every callback a wall panel's refresh interval fires, by its first output."""
    bodies = {}
    for dep in dependencies:
        inputs = dep.get("inputs", [])
        if dep.get("clientside_function") or not any(i["property"] == "n_intervals" and
                                                      str(i["id"]).endswith("-refresh") for i in inputs):
            continue
        outputs = _outputs(dep["output"])
        name = outputs[0]["id"] + "." + outputs[0]["property"].split("@")[0]  # "@hash": allow_duplicate
        while name in bodies:
            name += "+"
        bodies[name] = {
            "output": dep["output"],
            "outputs": outputs if len(outputs) > 1 else outputs[0],
            "inputs": [{**i, "value": 1} for i in inputs],
            "state": [{**s, "value": "zh-CN" if str(s["id"]).endswith("-lang") else None}
                      for s in dep.get("state", [])],
            "changedPropIds": [f"{i['id']}.{i['property']}" for i in inputs if i["property"] == "n_intervals"],
        }
    return bodies


async def _session(base: str, bodies: dict[str, dict[str, Any]], until: float, spent: dict[str, list[float]],
                   errors: dict[str, int], before: Any, pause: float) -> None:
    async with httpx2.AsyncClient(base_url=base, timeout=30) as client:
        answer = await client.get(f"/wall?token={WALL_TOKEN}", follow_redirects=True)
        answer.raise_for_status()
        await asyncio.sleep(random.uniform(0, pause))  # screens do not refresh in step
        while time.monotonic() < until:
            await asyncio.sleep(pause)
            for name, body in bodies.items():
                before()
                started = time.perf_counter()
                answer = await client.post("/_dash-update-component", json=body)
                elapsed = (time.perf_counter() - started) * 1000
                if answer.status_code == 200:
                    spent[name].append(elapsed)
                else:
                    errors[name] += 1


def _level(base: str, bodies: dict[str, dict[str, Any]], sessions: int, seconds: float,
           before: Any, pause: float) -> dict[str, Any]:
    spent: dict[str, list[float]] = {name: [] for name in bodies}
    errors = dict.fromkeys(bodies, 0)
    until = time.monotonic() + seconds

    async def run() -> None:
        await asyncio.gather(*(_session(base, bodies, until, spent, errors, before, pause) for _ in range(sessions)))

    asyncio.run(run())
    return {name: {**{k: round(v, 1) for k, v in stats(values).items() if k in ("p50", "p95", "p99")},
                   "n": len(values), "per_s": round(len(values) / seconds, 1), "errors": errors[name]}
            for name, values in spent.items()}


def _invalidator(redis_url: str) -> Any:
    """Before each request: bump every cache namespace's generation, so the request computes (as after a write)."""
    client = redis.Redis.from_url(redis_url)

    def invalidate() -> None:
        for key in client.scan_iter("onescreen:cache:*:gen:*"):
            client.incr(key)

    return invalidate


def _wait_ready(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}")
        try:
            if httpx2.get(f"{base}/readyz", timeout=5).status_code == 200:
                return
        except httpx2.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit("the server did not become ready within 120 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=f"sqlite:///{tempfile.gettempdir()}/onescreen-bench-concurrency.db")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/8")
    parser.add_argument("--sessions", default="1,10,50")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pause", type=float, default=1.0,
                        help="seconds between a session's rounds (a real wall refreshes each panel every 60 s)")
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--out", type=Path, default=RESULTS / "concurrency.json")
    args = parser.parse_args()

    env = {**os.environ, "ONESCREEN_DATABASE_URL": args.database_url, "ONESCREEN_REDIS_URL": args.redis_url,
           "ONESCREEN_SIMULATE": "false", "ONESCREEN_BACKGROUND": "false", "ONESCREEN_WALL_TOKEN": WALL_TOKEN,
           "ONESCREEN_SECRET_KEY": "bench-concurrency-secret-key-long-enough"}
    engine = open_store(args.database_url)
    subprocess.run([sys.executable, "-m", "services.workers", "migrate"], env=env, cwd=ROOT, check=True)
    database = database_version(engine)
    report = seed_if_empty(engine, days=args.days)
    print(f"store {database}: " + (f"seeded {args.days} days in {report.seconds:.0f} s" if report else "reused"))
    engine.dispose()
    redis.Redis.from_url(args.redis_url).flushdb()
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "app:production_server", "--port",
                               str(port), "--workers", str(args.workers), "--log-level", "warning"],
                              env=env, cwd=ROOT)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    runs: dict[str, Any] = {}
    try:
        _wait_ready(base, server)
        with httpx2.Client(base_url=base) as client:
            client.get(f"/wall?token={WALL_TOKEN}", follow_redirects=True).raise_for_status()
            bodies = refresh_callbacks(client.get("/_dash-dependencies").json())
        print(f"{len(bodies)} wall refresh callbacks: {', '.join(bodies)}")
        invalidate = _invalidator(args.redis_url)
        for mode, before in (("cached", lambda: None), ("uncached", invalidate)):
            for sessions in (int(n) for n in args.sessions.split(",")):
                figures = _level(base, bodies, sessions, args.seconds, before, args.pause)
                runs.setdefault(mode, {})[str(sessions)] = figures
                for name, fig in figures.items():
                    print(f"{mode:8} {sessions:3} sessions  {name:36} p50 {fig['p50']:8.1f}  p95 {fig['p95']:8.1f} ms"
                          f"  {fig['per_s']:7.1f}/s  errors {fig['errors']}")
    finally:
        stop([server])
    write(args.out, {
        "bench": "concurrency",
        "machine": machine(database=database, redis=redis.Redis.from_url(args.redis_url).info()["redis_version"]),
        "params": {"seconds_per_level": args.seconds, "workers": args.workers, "pause_between_rounds_s": args.pause, "seeded_days": args.days,
                   "callbacks": sorted(bodies), "budget_p95_ms": BUDGET_P95_MS,
                   "load_average_after": os.getloadavg()[0],
                   "settings": {"cache": "shared in Redis", "cache_ttl_s": 10}},
        "runs": runs,
    })


if __name__ == "__main__":
    main()
