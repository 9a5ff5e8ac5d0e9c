"""How the wall's and the leader view's callbacks, and the alert push, answer when 1, 10 and 50 screens are open.

    python bench/concurrency.py [--database-url URL] [--redis-url URL] [--sessions 1,10,50] [--seconds 150]
                                [--pace 1] [--alert-rate 10] [--workers 2] [--days 90] [--out PATH]

Serves the app as production does (`uvicorn --factory app:production_server --workers N`, the schema migrated
beforehand by `python -m services.workers migrate`, the query cache shared in Redis) on a store of the demo city
(--days of history seeded when the store is empty; bench/seed.py --scale loads issue 9's 10 M rows).
A level of N sessions opens N screens, alternately a wall (signed in with the wall token) and a leader's browser
(`/`, signed in as a leader); level 1 opens one of each. Each screen is what a browser does, over the app's own
endpoints: it renders its page through the pages router, then fires every callback that its panels' refresh
intervals fire, with the Inputs and States the page holds, each on its own interval's period divided by --pace
(1 = the real pace; a random phase, as screens do not refresh in step), through `/_dash-update-component`.
Each wall also opens the websocket (`/_dash-ws-callback`) and starts the alert push as the page does, while
--alert-rate alerts a second are XADDed; the push latency is from XADD to the websocket message that carries the
alert (the browser's own drawing, measured by bench/alerts.py, comes on top).
Every level runs twice: with the shared cache as deployed ("cached"), and with every cache namespace invalidated
before each request ("uncached": each request computes, as after a write). Figures per callback, level and mode:
p50, p95 and p99 of the response time in ms, requests per second and errors; the push's p50 / p95 / p99, lost and
duplicated alerts. Results to bench/results/concurrency.json.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx2
import redis
import websockets
from _report import machine, store_rows, write
from _store import database_version, open_store
from _wallkit import free_port, publish_at, stats, stop
from sqlalchemy import select

from api.gate import SESSION_COOKIE
from services.access import Role
from services.auth.sessions import open_session
from services.auth.users import create_user
from services.config import Settings
from services.demo.simulator import seed_if_empty
from services.store import User, make_sessionmaker

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
WALL_TOKEN = "bench-concurrency-wall-token"
LEADER = "bench-leader"
BUDGET_P95_MS = 150  # issue 9: every wall and overview callback at 50 sessions on 10 M events
BUDGET_PUSH_P99_MS = 250
PAGES = {"wall": ("/wall", f"?token={WALL_TOKEN}"), "leader": ("/", "")}
ROUTER = {"output": ".._pages_content.children..._pages_store.data..",
          "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
          "changedPropIds": ["_pages_location.pathname"], "state": []}


def _outputs(spec: str) -> list[dict[str, str]]:
    """'..a.figure...b.children..' (several outputs) or 'a.figure' (one) as Dash's {id, property} list."""
    parts = spec.strip(".").split("...") if spec.startswith("..") else [spec]
    return [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True)) for part in parts]


def _components(node: Any, found: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every component with a string id in a rendered layout, by id: its props."""
    if isinstance(node, dict):
        props = node.get("props")
        if isinstance(props, dict):
            if isinstance(props.get("id"), str):
                found[props["id"]] = props
            node = props
        for value in node.values():
            _components(value, found)
    elif isinstance(node, list):
        for value in node:
            _components(value, found)
    return found


def _value(props: dict[str, dict[str, Any]], ref: dict[str, Any]) -> Any:
    return props.get(str(ref["id"]), {}).get(ref["property"])


def refresh_callbacks(dependencies: list[dict[str, Any]], props: dict[str, dict[str, Any]]
                      ) -> dict[str, tuple[dict[str, Any], float]]:
    """The request body and period (s) of every server callback that one of the page's `-refresh` intervals fires,
    by its first output, with the values the rendered page holds in its Inputs and States."""
    timers = {name: p["interval"] / 1000 for name, p in props.items() if name.endswith("-refresh") and "interval" in p}
    bodies: dict[str, tuple[dict[str, Any], float]] = {}
    for dep in dependencies:
        inputs = dep.get("inputs", [])
        fired = [i for i in inputs if i["property"] == "n_intervals" and i["id"] in timers]
        if dep.get("clientside_function") or dep.get("no_output") or not fired:
            continue
        outputs = _outputs(dep["output"])
        name = outputs[0]["id"] + "." + outputs[0]["property"].split("@")[0]  # "@hash": allow_duplicate
        while name in bodies:
            name += "+"
        body = {
            "output": dep["output"],
            "outputs": outputs if len(outputs) > 1 else outputs[0],
            "inputs": [{**i, "value": 1 if i in fired else _value(props, i)} for i in inputs],
            "state": [{**s, "value": _value(props, s)} for s in dep.get("state", [])],
            "changedPropIds": [f"{i['id']}.{i['property']}" for i in fired],
        }
        bodies[name] = (body, timers[fired[0]["id"]])
    return bodies


def push_request(dependencies: list[dict[str, Any]], props: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The websocket message that starts the wall's alert push, as the page sends it."""
    dep = next(d for d in dependencies if d.get("persistent") and any(i["id"] == "push-restart" for i in d["inputs"]))
    return {"type": "callback_request", "requestId": "bench-push", "payload": {
        "output": dep["output"], "outputs": [],
        "inputs": [{**i, "value": _value(props, i)} for i in dep["inputs"]],
        "state": [{**s, "value": _value(props, s)} for s in dep.get("state", [])],
        "changedPropIds": []}}


class Level:
    """What one level of sessions measured."""

    def __init__(self) -> None:
        self.spent: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.received: dict[int, dict[str, float]] = defaultdict(dict)  # wall number -> stream id -> arrival (ms)
        self.duplicated = 0
        self.failed: dict[str, int] = defaultdict(int)  # screens that could not open, by kind
        self.pushing = 0  # walls whose push has answered: the alerts start when every wall's has
        self.closing = False  # the alerts are all sent and a grace period has passed

    def push(self, sent: dict[str, float]) -> dict[str, Any]:
        """The push's latency from XADD to arrival, over every wall and every alert sent during the level."""
        spent = [arrived[sid] - at for arrived in self.received.values() for sid, at in sent.items() if sid in arrived]
        return {**{k: round(v, 1) for k, v in stats(spent).items() if k in ("p50", "p95", "p99")},
                "n": len(spent), "sent": len(sent), "walls": len(self.received),
                "lost": len(sent) * len(self.received) - len(spent), "duplicated": self.duplicated}


async def _page(client: httpx2.AsyncClient, kind: str) -> dict[str, dict[str, Any]]:
    path, search = PAGES[kind]
    (await client.get(path + search, follow_redirects=True)).raise_for_status()
    body = {**ROUTER, "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                                 {"id": "_pages_location", "property": "search", "value": search}]}
    answer = await client.post("/_dash-update-component", json=body)
    answer.raise_for_status()
    return _components(answer.json(), {})


async def _timer(client: httpx2.AsyncClient, name: str, body: dict[str, Any], period: float, until: float,
                 level: Level, before: Any) -> None:
    await asyncio.sleep(random.uniform(0, period))
    while time.monotonic() < until:
        started = time.perf_counter()
        if before is not None:
            await asyncio.to_thread(before)
        began = time.perf_counter()
        answer = await client.post("/_dash-update-component", json=body)
        if answer.status_code == 200:
            level.spent[name].append((time.perf_counter() - began) * 1000)
        else:
            level.errors[name] += 1
        await asyncio.sleep(max(0.0, period - (time.perf_counter() - started)))


async def _push(base: str, cookies: dict[str, str], request: dict[str, Any], number: int, level: Level) -> None:
    """Hold a wall's websocket with its alert push running; note when each bench alert arrives."""
    url = base.replace("http://", "ws://") + "/_dash-ws-callback"
    headers = {"Origin": base, "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    async with websockets.connect(url, additional_headers=headers, max_size=None) as ws:
        await ws.send(json.dumps({**request, "rendererId": f"bench-wall-{number}"}))
        arrived = level.received[number]
        await ws.recv()  # the push runs (its first heartbeat or rows); alerts before this were in the page
        level.pushing += 1
        while not level.closing:
            try:
                text = await asyncio.wait_for(ws.recv(), timeout=0.5)
            except TimeoutError:
                continue
            now_ms = time.time() * 1000
            if "get_props_request" in text:
                for message in _messages(text):
                    if message.get("type") == "get_props_request":
                        await ws.send(json.dumps({"type": "get_props_response", "requestId": message["requestId"],
                                                  "payload": None}))
            level.duplicated += ticker_arrivals(text, arrived, now_ms)


def _messages(text: str) -> list[dict[str, Any]]:
    data = json.loads(text)
    return data if isinstance(data, list) else [data]


def ticker_arrivals(text: str, arrived: dict[str, float], now_ms: float) -> int:
    """Notes in `arrived` (stream id -> ms) the alerts first drawn by a websocket message's ticker updates, and
    returns how many rows stood twice in one update (a duplicate on the wall). The push sends the whole ticker each
    time, so a row drawn before comes again in every later update: that is not a duplicate."""
    if "alert-ticker" not in text:
        return 0
    duplicated = 0
    for message in _messages(text):
        payload = message.get("payload") or {}
        if message.get("type") != "set_props" or payload.get("componentId") != "alert-ticker":
            continue
        ids = [row["id"] for row in (payload.get("props", {}).get("data") or {}).get("rows", [])]
        duplicated += len(ids) - len(set(ids))
        for stream_id in ids:
            arrived.setdefault(stream_id, now_ms)
    return duplicated


async def _screen(kind: str, number: int, base: str, cookies: dict[str, str], dependencies: list[dict[str, Any]],
                  until: float, pace: float, level: Level, before: Any) -> None:
    """One screen for the level; a screen the server cannot open (its page or its socket refused or timed out)
    is counted as failed, and the level goes on: a saturated server is a result, not a crash of the bench."""
    try:
        async with httpx2.AsyncClient(base_url=base, timeout=60, cookies=cookies) as client:
            props = await _page(client, kind)
            tasks = [_timer(client, f"{kind}: {name}", body, period / pace, until, level, before)
                     for name, (body, period) in refresh_callbacks(dependencies, props).items()]
            if kind == "wall":
                tasks.append(_push(base, cookies, push_request(dependencies, props), number, level))
            await asyncio.gather(*tasks)
    except (httpx2.HTTPError, OSError, TimeoutError, websockets.exceptions.WebSocketException) as error:
        level.failed[kind] += 1
        print(f"{kind} screen {number} failed: {error!r}", file=sys.stderr)


def _run_level(base: str, credentials: dict[str, dict[str, str]], dependencies: list[dict[str, Any]],
               sessions: int, seconds: float, pace: float, before: Any, alerts: tuple[str, str, int, float]
               ) -> dict[str, Any]:
    level = Level()
    kinds = ["wall", "leader"] * max(1, (sessions + 1) // 2) if sessions > 1 else ["wall", "leader"]
    kinds = kinds[:max(sessions, 2)]
    redis_url, stream, maxlen, rate = alerts
    sent: dict[str, float] = {}
    publisher = threading.Thread(target=lambda: sent.update(publish_at(
        redis.Redis.from_url(redis_url, decode_responses=True), stream, maxlen, rate, seconds * 0.8, first=random.randrange(10**9))))

    async def run() -> None:
        until = time.monotonic() + seconds
        screens = asyncio.gather(*(_screen(kind, n, base, credentials[kind], dependencies, until, pace, level,
                                           before) for n, kind in enumerate(kinds)))
        deadline = time.monotonic() + 60
        while level.pushing + level.failed["wall"] < kinds.count("wall") and time.monotonic() < deadline:
            await asyncio.sleep(0.1)  # every wall's push runs before the first alert
        publisher.start()
        await asyncio.to_thread(publisher.join)
        await asyncio.sleep(3)  # the last alert's grace
        level.closing = True
        await screens

    asyncio.run(run())
    figures: dict[str, Any] = {}
    for name, values in sorted(level.spent.items()):
        figures[name] = {**{k: round(v, 1) for k, v in stats(values).items() if k in ("p50", "p95", "p99")},
                         "n": len(values), "per_s": round(len(values) / seconds, 1), "errors": level.errors[name]}
    figures["alert push"] = level.push(sent)
    figures["sessions"] = {"wall": kinds.count("wall"), "leader": kinds.count("leader"),
                           "failed": dict(level.failed)}
    return figures


def _figures(level: dict[str, Any], mode: str, sessions: int, database: str) -> list[dict[str, Any]]:
    """One level's figures in the results contract (DESIGN.md), named "callback · N sessions · mode"."""
    out = []
    for name, fig in level.items():
        if name == "sessions":
            continue
        budget = {"budget_p99": BUDGET_PUSH_P99_MS} if name == "alert push" else {"budget_p95": BUDGET_P95_MS}
        out.append({"name": f"{name} · {sessions} sessions · {mode}", "unit": "ms", "database": database,
                    **fig, **budget, "screens": level["sessions"]})
    return out


# What "uncached" busts: the data the screens read, as after a write to it. The generations were per cache namespace
# before the domain packages (issue 16) and are per table since; both are bumped, so the same instrument measures
# either version. The login-session cache is left alone: a data write does not touch it.
DATA_GENERATIONS = ("events", "approvals", "indicators", "event_dispatches", "applications", "matters",
                    "departments", "indicator_readings", "data_sources")


def _invalidator(redis_url: str, database_url: str) -> Any:
    """Before each request: bump the data caches' generations, so the request computes (as after a write)."""
    client = redis.Redis.from_url(redis_url)
    prefix = f"onescreen:cache:{hashlib.sha256(database_url.encode()).hexdigest()[:12]}:gen:"

    def invalidate() -> None:
        with client.pipeline(transaction=False) as pipe:
            for name in DATA_GENERATIONS:
                pipe.incr(prefix + name)
            pipe.execute()

    return invalidate


def _wait_ready(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}")
        try:
            if httpx2.get(f"{base}/readyz", timeout=5).status_code == 200:
                return
        except httpx2.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit("the server did not become ready within 180 s")


def _leader_cookie(engine: Any) -> dict[str, str]:
    """A leader's signed-in session, opened in the store as the sign-in form would."""
    with make_sessionmaker(engine)() as session:
        user = session.scalars(select(User).where(User.username == LEADER)).first()
        if user is None:
            user = create_user(session, LEADER, Role.LEADER, password=None, display_name="bench leader")
        token = open_session(session, user)
        session.commit()
    return {SESSION_COOKIE: token}


def _print(mode: str, sessions: int, figures: dict[str, Any]) -> None:
    for name, fig in figures.items():
        if name == "sessions":
            continue
        if name == "alert push":
            print(f"{mode:8} {sessions:3} sessions  {name:52} p50 {fig['p50']:8.1f}  p95 {fig['p95']:8.1f}  "
                  f"p99 {fig['p99']:8.1f} ms  {fig['n']} pushed, lost {fig['lost']}, duplicated {fig['duplicated']}")
        else:
            print(f"{mode:8} {sessions:3} sessions  {name:52} p50 {fig['p50']:8.1f}  p95 {fig['p95']:8.1f} ms"
                  f"  {fig['per_s']:7.1f}/s  errors {fig['errors']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=f"sqlite:///{tempfile.gettempdir()}/onescreen-bench-concurrency.db")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/8")
    parser.add_argument("--sessions", default="1,10,50")
    parser.add_argument("--seconds", type=float, default=150, help="per level and mode (≥ 2 of the walls' periods)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pace", type=float, default=1.0, help="times the screens' real refresh pace")
    parser.add_argument("--alert-rate", type=float, default=10.0, help="alerts XADDed a second during each level")
    parser.add_argument("--modes", default="cached,uncached")
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
    credentials = {"leader": _leader_cookie(engine)}
    engine.dispose()
    redis.Redis.from_url(args.redis_url).flushdb()
    settings = Settings(redis_url=args.redis_url, _env_file=None)
    alerts = (args.redis_url, settings.alerts_stream, settings.stream_maxlen, args.alert_rate)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "app:production_server", "--port",
                               str(port), "--workers", str(args.workers), "--log-level", "warning"],
                              env=env, cwd=ROOT)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    figures: list[dict[str, Any]] = []
    try:
        _wait_ready(base, server)
        with httpx2.Client(base_url=base) as client:
            client.get(PAGES["wall"][0] + PAGES["wall"][1], follow_redirects=True).raise_for_status()
            credentials["wall"] = dict(client.cookies)
            dependencies = client.get("/_dash-dependencies").json()
        invalidate = _invalidator(args.redis_url, args.database_url)
        rows = store_rows(args.database_url)
        for mode in args.modes.split(","):
            for sessions in (int(n) for n in args.sessions.split(",")):
                level = _run_level(base, credentials, dependencies, sessions, args.seconds, args.pace,
                                   invalidate if mode == "uncached" else None, alerts)
                _print(mode, sessions, level)
                figures += _figures(level, mode, sessions, database)
                # written after every level: a run stopped part-way (a long one at the 10 M store) keeps its levels
                write(args.out, {
                    "bench": "concurrency",
                    "machine": machine(database=database,
                                       redis=redis.Redis.from_url(args.redis_url).info()["redis_version"]),
                    "params": {"seconds_per_level": args.seconds, "workers": args.workers, "pace": args.pace,
                               "alert_rate": args.alert_rate, "seeded_days": args.days, "store_rows": rows,
                               "budget_p95_ms": BUDGET_P95_MS, "budget_push_p99_ms": BUDGET_PUSH_P99_MS,
                               "load_average_after": list(os.getloadavg()),
                               "settings": {"cache": "shared in Redis", "cache_ttl_s": 10}},
                    "figures": figures,
                })
    finally:
        stop([server])


if __name__ == "__main__":
    main()
