"""How fast the leaders' new callbacks' data paths answer (issue 23): the worst-first rankings, the response-time
analytics and the digital-divide lens.

    python bench/leaders.py [--database-url URL] [--repeat 20] [--out PATH]

Reuses a store: the 10 M-event scale one `python bench/seed.py --scale --database-url URL` loads (issue 9's
volume), or any demo store. Neither seed keeps an alert history, so a store with no alerts is first given one over
the span of its events: --alerts-per-day CAP alerts a day (about 90 % acknowledged, through an audit action, and
80 % resolved, minutes to hours later), loaded with COPY, for the MTTA / MTTR figures to read a real window out of
a deep history. Each figure is the service calls one callback makes, in one session as a request has,
measured cold (after a write: every table's cache generation is bumped before each call, so every entry computed
from the data is recomputed, as for the first wall or leader after a write; what no write invalidates, such as last
week's places of the rankings, kept for the hour, stays) and warm (`<name>_warm`: a repeat within the caches'
lifetime, what the other walls of the same scope get); the process's first call of each, start-up rather than a
refresh (and for the rankings the hourly computation of last week's places), is kept apart as `first_call_ms`,
and what start-up left alive is then frozen out of the collector's sight as a web worker does (app.py):
- wall_ranking: the wall's approvals panel's red list of departments (services.rankings.standings);
- leader_rankings: the leader's red lists of departments and districts;
- leader_response: the leader's response card (MTTA / MTTR of all alerts, time to dispatch and arrival of all
  events and per department, over 7 days);
- alerts_analytics: the /alerts analytics tab (MTTA / MTTR by severity, category and department, the daily trend;
  dispatch and arrival by department and district, the daily trend; 7 days);
- approvals_divide / leader_divide: the /approvals digital-divide section (district × channel × applicant kind,
  the gaps, the daily gap trend) and the leader's card (the first two).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from _report import write
from _store import database_version, figure, merge, open_store, timed
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from services import alerts, approvals, events, rankings
from services.alerts.actions import ACKNOWLEDGE
from services.alerts.schema import CATEGORIES
from services.platform import freeze_after_start
from services.severity import SEVERITIES
from services.store import Alert, AlertAction, Base, District, Event, bulkload, make_sessionmaker
from services.store.cache import LocalQueryCache

ZONE = ZoneInfo("Asia/Shanghai")
PATHS = ("wall_ranking", "leader_rankings", "leader_response", "alerts_analytics", "approvals_divide",
         "leader_divide")
BUDGETS = {**{name: 200 for name in PATHS}, **{f"{name}_warm": 200 for name in PATHS}}
DEFAULT_URL = "sqlite:////tmp/onescreen-bench/events.db"
RESULTS = Path(__file__).resolve().parent / "results"
ROUTING = (("fire", "fire"), ("health", "medical"), ("met", "meteorology"))
ALERTS_PER_DAY = 2000
ALERT_CHUNK = 500_000


def alert_history(engine: Engine, per_day: float, seed: int = 9) -> int:
    """Give a store without alerts `per_day` alerts a day over its events' span (with their acknowledgements);
    returns how many alerts it holds."""
    with make_sessionmaker(engine)() as session:
        held = int(session.scalar(select(func.count()).select_from(Alert)) or 0)
        first, last = session.execute(select(func.min(Event.reported_at), func.max(Event.reported_at))).one()
        adcodes = list(session.scalars(select(District.adcode)))
    if held or first is None:
        return held
    rng = np.random.default_rng(seed)
    seconds = (last - first).total_seconds()
    count = int(seconds / 86400 * per_day)
    stored, next_id = 0, bulkload.next_id(engine, Alert)
    for begin in range(0, count, ALERT_CHUNK):
        n = min(ALERT_CHUNK, count - begin)
        # in the order they arrive, as the persist worker appends them (the table's pages follow time)
        offsets = np.sort(rng.uniform(begin, begin + n, n)) / count * seconds
        sent = pd.to_datetime(first) + pd.to_timedelta(offsets, unit="s")
        received = sent + pd.to_timedelta(rng.exponential(20, n), unit="s")
        acked = received + pd.to_timedelta(rng.exponential(240, n), unit="s")
        resolved = acked + pd.to_timedelta(rng.exponential(3 * 3600, n), unit="s")
        ids = np.arange(next_id + begin, next_id + begin + n)
        is_acked = rng.random(n) < 0.9
        is_resolved = is_acked & (rng.random(n) < 0.88)
        frame = pd.DataFrame({
            "id": ids, "stream_id": [f"{i}-0" for i in ids], "alert_id": [f"bench-{i}" for i in ids],
            "source": "bench", "sent_at": sent, "received_at": received,
            "severity": rng.choice(SEVERITIES[:4], n, p=[0.05, 0.2, 0.45, 0.3]), "urgency": "expected",
            "certainty": "likely", "category": rng.choice(CATEGORIES, n), "event": "bench", "headline": "bench",
            "district": rng.choice(adcodes, n), "msg_type": "alert",
            "status": np.where(is_resolved, "resolved", np.where(is_acked, "acknowledged", "new")),
            "acknowledged_at": acked.where(is_acked), "resolved_at": resolved.where(is_resolved),
        })  # fmt: skip
        stored += bulkload.bulk_insert(engine, Alert, list(frame.columns), frame)
        actions = frame.loc[is_acked, ["id", "acknowledged_at"]].rename(
            columns={"id": "alert_id", "acknowledged_at": "at"}).assign(action=ACKNOWLEDGE, user="bench")
        bulkload.bulk_insert(engine, AlertAction, list(actions.columns), actions)
    bulkload.sync_id_sequence(engine, Alert)
    bulkload.sync_id_sequence(engine, AlertAction)
    # fresh statistics: without them PostgreSQL plans the window's 14 000 alerts as 3 rows (p95 510 against 300 ms)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        for table in ("alerts", "alert_actions"):  # one at a time: SQLite's ANALYZE takes one name
            connection.exec_driver_sql(f"ANALYZE {table}")
    return stored


def paths(now: datetime) -> dict[str, Callable[[Session], Any]]:
    """Each callback's service calls over its window (ending with the current hour, as the pages align)."""
    end = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    start = end - timedelta(days=7)
    rule = rankings.RankingRule()

    def analytics(session: Session) -> None:
        for by in ("severity", "category", "department"):
            alerts.response_times(session=session, start=start, end=end, by=by, routing=ROUTING, fallback="other",
                                  zone=ZONE)
        alerts.response_trend(session=session, start=start, end=end, zone=ZONE)
        for by in ("department", "district"):
            events.dispatch_times(session=session, start=start, end=end, by=by, zone=ZONE)
        events.dispatch_trend(session=session, start=start, end=end, zone=ZONE)

    def divide(session: Session, trend: bool) -> None:
        approvals.district_gaps(approvals.channel_table(session=session, start=start, end=end))
        if trend:
            approvals.gap_trend(session=session, start=start, end=end)

    return {
        "wall_ranking": lambda s: rankings.standings(session=s, by="department", now=now, rule=rule),
        "leader_rankings": lambda s: [rankings.standings(session=s, by=by, now=now, rule=rule)
                                      for by in rankings.UNITS],
        "leader_response": lambda s: (alerts.response_times(session=s, start=start, end=end, by="all"),
                                      events.dispatch_times(session=s, start=start, end=end, by="all"),
                                      events.dispatch_times(session=s, start=start, end=end, by="department")),
        "alerts_analytics": analytics,
        "approvals_divide": lambda s: divide(s, True),
        "leader_divide": lambda s: divide(s, False),
    }


def measure(database_url: str, repeat: int, alerts_per_day: float) -> tuple[str, dict[str, int], list[dict[str, Any]]]:
    engine = open_store(database_url)
    database = database_version(engine)
    figures = []
    with make_sessionmaker(engine)() as session:
        stored = int(session.scalar(select(func.count()).select_from(Event)) or 0)
    if not stored:
        raise SystemExit(f"{database_url} holds no events: load one with bench/seed.py first")
    rows = {"events": stored, "alerts": alert_history(engine, alerts_per_day)}
    warm_cache, written = LocalQueryCache(), LocalQueryCache()

    def cold(path: Callable[[Session], Any]) -> None:
        written.invalidate(Base.metadata.tables)
        with make_sessionmaker(engine, written)() as session:
            path(session)

    def warm(path: Callable[[Session], Any]) -> None:
        with make_sessionmaker(engine, warm_cache)() as session:
            path(session)

    calls = paths(datetime.now(UTC))
    # a fresh process's first call (imports, statement compilation, pages not yet in PostgreSQL's buffers) is
    # start-up, not a refresh: recorded apart, outside the figure; then, as a web worker does once it serves
    # (app.py), what start-up left alive is frozen out of the collector's sight, or each full collection walks
    # every imported module (~110 ms, one call in twenty: the p95 of 20 calls is their slowest)
    first = {name: timed(lambda path=path: cold(path), 1)[0] for name, path in calls.items()}
    freeze_after_start()
    for name, path in calls.items():
        figures.append({**figure(name, database, timed(lambda path=path: cold(path), repeat), BUDGETS),
                        "first_call_ms": round(first[name], 2)})
        warm(path)  # fills the shared cache, untimed
        figures.append(figure(f"{name}_warm", database, timed(lambda path=path: warm(path), repeat), BUDGETS))
    engine.dispose()
    return database, rows, figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--repeat", type=int, default=20, help="calls per figure")
    parser.add_argument("--alerts-per-day", type=float, default=ALERTS_PER_DAY,
                        help="the alert history given to a store that holds none")
    parser.add_argument("--out", type=Path, default=RESULTS / "leaders.json")
    args = parser.parse_args()
    database, rows, figures = measure(args.database_url, args.repeat, args.alerts_per_day)
    print(f"{database}: {rows['events']:,} events, {rows['alerts']:,} alerts")
    print(f"{'figure':<24} {'n':>4} {'p50':>9} {'p95':>9} {'p99':>9} {'max':>9} {'budget':>7}  ms")
    for f in figures:
        verdict = "ok" if f["p95"] <= f["budget_p95"] else "OVER"
        print(f"{f['name']:<24} {f['n']:>4} {f['p50']:>9} {f['p95']:>9} {f['p99']:>9} {f['max']:>9} "
              f"{f['budget_p95']:>7}  {verdict}")
    params = {**rows, "repeat": args.repeat, "load_average": [round(v, 2) for v in os.getloadavg()]}
    write(args.out, merge(args.out, "leaders", database, params, figures, order=list(BUDGETS),
                          fixed={"window_days": 7}))


if __name__ == "__main__":
    main()
