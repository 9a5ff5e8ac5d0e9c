"""How fast the leaders' new callbacks' data paths answer (issue 23): the worst-first rankings, the response-time
analytics and the digital-divide lens.

    python bench/leaders.py [--database-url URL] [--repeat 20] [--out PATH]

Reuses a store: the 10 M-event scale one `python bench/seed.py --scale --database-url URL` loads (issue 9's
volume), or any demo store. Each figure is the service calls one callback makes, in one session as a request has,
measured cold (a fresh query cache each call: the first wall or leader after a write) and warm (`<name>_warm`: a
repeat within the caches' lifetime, what the other walls of the same scope get):
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

from _report import write
from _store import database_version, figure, merge, open_store, timed
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services import alerts, approvals, events, rankings
from services.store import Event, make_sessionmaker
from services.store.cache import LocalQueryCache

ZONE = ZoneInfo("Asia/Shanghai")
PATHS = ("wall_ranking", "leader_rankings", "leader_response", "alerts_analytics", "approvals_divide",
         "leader_divide")
BUDGETS = {**{name: 200 for name in PATHS}, **{f"{name}_warm": 200 for name in PATHS}}
DEFAULT_URL = "sqlite:////tmp/onescreen-bench/events.db"
RESULTS = Path(__file__).resolve().parent / "results"
ROUTING = (("fire", "fire"), ("health", "medical"), ("met", "meteorology"))


def paths(now: datetime) -> dict[str, Callable[[Session], Any]]:
    """Each callback's service calls over its window (ending with the current hour, as the pages align)."""
    end = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    start = end - timedelta(days=7)
    rule = rankings.RankingRule()

    def analytics(session: Session) -> None:
        for by in ("severity", "category", "department"):
            alerts.response_times(session=session, start=start, end=end, by=by, routing=ROUTING, fallback="other")
        alerts.response_trend(session=session, start=start, end=end, zone=ZONE)
        for by in ("department", "district"):
            events.dispatch_times(session=session, start=start, end=end, by=by)
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


def measure(database_url: str, repeat: int) -> tuple[str, int, list[dict[str, Any]]]:
    engine = open_store(database_url)
    database = database_version(engine)
    figures = []
    with make_sessionmaker(engine)() as session:
        stored = int(session.scalar(select(func.count()).select_from(Event)) or 0)
    if not stored:
        raise SystemExit(f"{database_url} holds no events: load one with bench/seed.py first")
    warm_cache = LocalQueryCache()
    for name, path in paths(datetime.now(UTC)).items():
        def cold(path: Callable[[Session], Any] = path) -> None:
            with make_sessionmaker(engine, LocalQueryCache())() as session:
                path(session)

        def warm(path: Callable[[Session], Any] = path) -> None:
            with make_sessionmaker(engine, warm_cache)() as session:
                path(session)

        figures.append(figure(name, database, timed(cold, repeat), BUDGETS))
        warm()  # fills the shared cache, untimed
        figures.append(figure(f"{name}_warm", database, timed(warm, repeat), BUDGETS))
    engine.dispose()
    return database, stored, figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--repeat", type=int, default=20, help="calls per figure")
    parser.add_argument("--out", type=Path, default=RESULTS / "leaders.json")
    args = parser.parse_args()
    database, stored, figures = measure(args.database_url, args.repeat)
    print(f"{database}: {stored:,} events")
    print(f"{'figure':<24} {'n':>4} {'p50':>9} {'p95':>9} {'p99':>9} {'max':>9} {'budget':>7}  ms")
    for f in figures:
        verdict = "ok" if f["p95"] <= f["budget_p95"] else "OVER"
        print(f"{f['name']:<24} {f['n']:>4} {f['p50']:>9} {f['p95']:>9} {f['p99']:>9} {f['max']:>9} "
              f"{f['budget_p95']:>7}  {verdict}")
    params = {"events": stored, "repeat": args.repeat, "load_average": [round(v, 2) for v in os.getloadavg()]}
    write(args.out, merge(args.out, "leaders", database, params, figures, order=list(BUDGETS),
                          fixed={"window_days": 7}))


if __name__ == "__main__":
    main()
