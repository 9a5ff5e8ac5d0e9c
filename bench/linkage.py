"""Activation → every dispatch stored and incident mode pushed to the walls (issue 22: 10 walls, p95 ≤ 500 ms).

    python bench/linkage.py [--walls 10] [--rounds 20] [--redis-url URL] [--out PATH]

(From a git worktree, put it first on PYTHONPATH: the shared virtualenv installs the main checkout.)

The real OneScreen app (seeded SQLite store, real Redis) is served from a subprocess; `--walls` screens speak
Dash's websocket protocol without a browser (bench/_screens.py) and each asks for its incident section as the page
does when the push nudges it. Each round stores a severe flood alert and activates the demo city's flood plan for
it through services/plans in this process, on the app's store (the runtime's sessions announce the commit, as the
console's would), then stands it down. Figures, from just before `activate` (this machine's clock throughout):
- `activation_stored`: the commit of the incident, its dispatches to every department, tasks and checklist;
- `incident_pushed`: the nudge arriving on each wall's websocket;
- `incident_shown`: each wall's incident section answered, in incident mode (what the wall then draws).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx2
import redis
from _report import machine, store_rows, write
from _screens import Screens
from _wallkit import free_port, seeded_store, serve_wall, start, stats, stop, wall_url
from concurrency import _value

BUDGET_P95 = 500
WARMUP = 1
GAP_S = 1.5  # between activation and stand-down: the wall's nudges come at most once a second
NUDGE = "incident-refresh"


class IncidentScreens(Screens):
    """Walls that note when the incident nudge arrives and when their incident section comes back in incident mode."""

    def __init__(self, base: str, wall_path: str, count: int) -> None:
        super().__init__(base, wall_path, count)
        self.nudged: dict[int, list[float]] = {n: [] for n in range(count)}
        self.shown: dict[int, list[float]] = {n: [] for n in range(count)}
        self._client: httpx2.AsyncClient | None = None

    def _refresh_request(self) -> dict[str, Any]:
        dep = next(d for d in self.dependencies if "wall-incident-slot.children" in d["output"])
        return {"output": dep["output"], "outputs": [{"id": "wall-incident-slot", "property": "children"},
                                                     {"id": "incident-drawn", "property": "data"}],
                "inputs": [{**i, "value": _value(self.props, i)} for i in dep["inputs"]],
                "state": [{**s, "value": _value(self.props, s)} for s in dep.get("state", [])],
                "changedPropIds": [f"{NUDGE}.n_intervals"]}

    async def heard(self, number: int, text: str, now_ms: float) -> None:
        if NUDGE not in text:
            return
        self.nudged[number].append(now_ms)
        if self._client is None:
            self._client = httpx2.AsyncClient(base_url=self.base, cookies=self.cookies, timeout=60)
        answer = await self._client.post("/_dash-update-component", json=self._refresh_request())
        if answer.status_code == 200 and '"data-mode": "incident"' in json.dumps(answer.json()):
            self.shown[number].append(time.time() * 1000)


def _flood_alert(session: Any, number: int) -> int:
    from services.store import Alert

    now = datetime.now(UTC)
    alert = Alert(stream_id=f"{int(now.timestamp() * 1000)}-{number}", alert_id=f"bench-flood-{number}",
                  source="bench", sent_at=now, received_at=now, severity="severe", urgency="immediate",
                  certainty="observed", category="met", event="暴雨", headline="暴雨橙色预警：城区严重内涝",
                  district="350203", status="new")
    session.add(alert)
    session.flush()
    return alert.id


def _after(times: list[float], start: float) -> float | None:
    later = [t for t in times if t >= start]
    return min(later) - start if later else None


def _figure(name: str, spent: list[float], expected: int, budget: float | None) -> dict[str, Any]:
    return {"name": name, "unit": "ms", **{k: round(v, 1) for k, v in stats(spent).items()}, "n": len(spent),
            "expected": expected, "missing": expected - len(spent), "budget_p95": budget}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--walls", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14"))
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "linkage.json")
    parser.add_argument("--serve", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        _kind, port, *rest = args.serve
        serve_wall(int(port), *rest)
        return

    from services import plans
    from services.access import Principal, Role
    from services.config import Settings
    from services.platform.runtime import open_runtime

    client = redis.Redis.from_url(args.redis_url, decode_responses=True)
    client.flushdb()
    operator = Principal("bench-operator", Role.OPERATOR)
    stored: list[float] = []
    pushed: list[float] = []
    shown: list[float] = []
    procs: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory(prefix="bench-linkage-") as tmp:
        folder = Path(tmp)
        try:
            print("seeding a one-day store …", flush=True)
            database_url = seeded_store(folder)
            port = free_port()
            procs.append(start(__file__, ["--serve", "wall", str(port), database_url, args.redis_url], port,
                               "/healthz", folder / "wall.log"))
            rt = open_runtime(Settings(database_url=database_url, redis_url=args.redis_url, simulate=False,
                                       _env_file=None))
            plan = rt.pack.plan("flood")
            if plan is None:
                raise SystemExit("the demo city pack has no flood plan")
            print(f"opening {args.walls} websocket walls …", flush=True)
            screens = IncidentScreens(f"http://127.0.0.1:{port}", wall_url(port).split(str(port), 1)[1], args.walls)
            screens.start()
            load_before = os.getloadavg()[0]
            for number in range(WARMUP + args.rounds):  # the first rounds fill the caches: not measured
                with rt.sessions() as session:
                    alert_pk = _flood_alert(session, number)
                    session.commit()
                began = time.time() * 1000
                with rt.sessions() as session:
                    response = plans.activate(session, alert_pk, plan, principal=operator)
                    session.commit()
                    response_id = response.id
                spent_storing = time.time() * 1000 - began
                time.sleep(GAP_S)
                if number >= WARMUP:
                    stored.append(spent_storing)
                for wall in range(args.walls if number >= WARMUP else 0):
                    for spent, times in ((pushed, screens.nudged[wall]), (shown, screens.shown[wall])):
                        if (after := _after(times, began)) is not None:
                            spent.append(after)
                with rt.sessions() as session:
                    plans.stand_down(session, response_id, principal=operator, summary="bench")
                    session.commit()
                time.sleep(GAP_S)
            load_during = os.getloadavg()[0]
            screens.stop()
            rt.close()
            rows = store_rows(database_url)
        finally:
            stop(procs)
            client.flushdb()

    expected = args.rounds * args.walls
    figures = [_figure("activation_stored", stored, args.rounds, None),
               _figure("incident_pushed", pushed, expected, BUDGET_P95),
               _figure("incident_shown", shown, expected, BUDGET_P95)]
    print(f"{'figure':<18} {'n':>5} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8} {'missing':>8}  budget p95")
    for fig in figures:
        print(f"{fig['name']:<18} {fig['n']:>5} {fig['p50']:>8} {fig['p95']:>8} {fig['p99']:>8} {fig['max']:>8} "
              f"{fig['missing']:>8}  {fig['budget_p95'] or '-'}")
    write(args.out, {
        "bench": "linkage",
        "machine": machine(database=f"sqlite {sqlite3.sqlite_version}",
                           redis=str(client.info("server")["redis_version"])),
        "params": {"walls": args.walls, "rounds": args.rounds, "plan": "flood", "departments": len(plan.tasks),
                   "workers": 1, "store_rows": rows, "gap_s": GAP_S, "warmup_rounds": WARMUP,
                   "clock": "this machine's wall clock, from just before activate()",
                   "load_avg_1m": {"before": round(load_before, 2), "end": round(load_during, 2)}},
        "figures": figures,
    })


if __name__ == "__main__":
    main()
