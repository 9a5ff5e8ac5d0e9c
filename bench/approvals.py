"""How fast every /approvals callback's data path answers over millions of applications, and the association job.

    python bench/approvals.py [--rows 2000000] [--database-url URL] [--seed-database-url URL] [--repeat 40]
                              [--out PATH]

Builds (or reuses, when it already holds at least 98 % of --rows applications) a store with the shipped catalog and `--rows`
applications from the demo city's generator (services.demo.simcity.application_rows: bundles, follow-on matters,
returns, reviews) over the 90 days before now, bulk loaded. Default store: a SQLite file under /tmp; a PostgreSQL
URL names a dedicated database, created when missing. Each callback's data path is the service calls that callback
makes (dashboards/_approval_views.py), in one session per call as a request has, over the page's default period
(7 days); each is measured cold (the approvals cache emptied before every call) and warm (`<name>_warm`: a
repeat within the cache's lifetime). Windows end on the next whole hour, as the page's do, so the views read
only rollup cells (services.approvals.rollup):
- update_view_city / update_view_department / update_view_matter: the drill levels (KPIs, hourly throughput,
  overdue cards, review follow-ups, the level's table: departments, a department's matters, a matter's list);
- update_findings: idle matters, high return rates, the last association rules, bundle time saved;
- extend_throughput: the in-place throughput refresh (the last two hours);
- download: the city table exported as XLSX;
- association_mining_default_seed (and _cpu): one run of the background job (mine + store) on a second store the
  size of the default demo seed (90 days × services.demo.simcity.APPLICATIONS_PER_DAY, about 300 k applications, the
  same generator; `--seed-database-url`, by default beside the main one: `…-seed.db` / database `…_seed`): the
  figure issue 5's 10 s is about;
- association_mining_rows (and _cpu): the same job over the main store's --rows applications (it runs hourly in
  the background; no page waits for it);
- rollup_rebuild: one rebuild of the rollup from every application; rollup_receive_one / rollup_complete_one: one
  application inserted / completed in its own transaction, the triggers updating every rollup level.
The load itself runs with the rollup's triggers suspended and one rebuild after (services.store.rollups.suspended).
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from _report import write
from _store import database_version, figure, merge, open_store, timed
from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import make_url

from services import (
    approval_findings,
    approval_metrics,
    approval_rollup,
    approvals,
    association,
    bulkload,
    export,
)
from services.approvals.queries import CACHE as APPROVALS_CACHE
from services.approvals.queries import Slice
from services.citypack import load_pack
from services.config import DEFAULT_PACK, Settings
from services.demo.simcity import APPLICATIONS_PER_DAY, DAY, application_rows, sim_city
from services.demo.simulator import city_districts
from services.store import Application, District, Matter, make_sessionmaker, rollups
from services.store.cache import LocalQueryCache
from services.store.catalog import install_catalog

ZONE = ZoneInfo("Asia/Shanghai")
CALLBACKS = ("update_view_city", "update_view_department", "update_view_matter", "update_findings",
             "extend_throughput", "download")
BUDGETS = {**{name: 200 for name in CALLBACKS}, **{f"{name}_warm": 200 for name in CALLBACKS},
           "association_mining_default_seed": 10_000, "association_mining_default_seed_cpu": 10_000,
           "association_mining_rows": 60_000, "association_mining_rows_cpu": 60_000, "rollup_rebuild": 600_000,
           "rollup_receive_one": 200, "rollup_complete_one": 200}
DEFAULT_URL = "sqlite:////tmp/onescreen-bench/approvals.db"
RESULTS = Path(__file__).resolve().parent / "results"


def build(engine: Engine, rows: int) -> tuple[int, float | None]:
    """(applications in the store, load seconds or None when reused)."""
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        install_catalog(session, districts=city_districts(Settings(_env_file=None)))
        present = session.scalar(select(func.count()).select_from(Application)) or 0
        if present >= 0.98 * rows:  # the generator's draw lands within a few percent of what it is asked for
            return present, None
        matters = pd.read_sql(select(Matter.code, Matter.kind, Matter.promised_days, Matter.department,
                                     Matter.bundle).order_by(Matter.code), session.connection())
        codes = list(session.scalars(select(District.adcode).order_by(District.adcode)))
    began = time.perf_counter()
    rng = np.random.default_rng(20261123)
    stop = datetime.now(UTC).timestamp()
    # one draw over the 90 days, as the demo seed does, so every application stands as it would now (drawing a
    # chunk at a time would leave each chunk's open work open for ever); the generator gives about 96 % of n
    frame = application_rows(rng, stop - 90 * DAY, stop, int(rows * 1.06), matters, codes,
                             sim_city(load_pack(DEFAULT_PACK)))
    loaded = 0
    with rollups.suspended(engine, approval_rollup.ROLLUP), bulkload.prepared_for_load(engine, ["applications"]):
        with engine.begin() as conn:
            conn.execute(Application.__table__.delete())
        for part in np.array_split(np.arange(len(frame)), max(1, len(frame) // 200_000)):
            loaded += bulkload.bulk_insert(engine, Application, list(frame.columns), frame.iloc[part])
            print(f"\rloading {loaded:>12,} / {len(frame):,} applications", end="", flush=True)
    print()
    if engine.dialect.name == "postgresql":  # as autovacuum would: statistics, and the visibility map that
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:  # index-only scans need
            conn.execute(text("VACUUM ANALYZE"))
    return loaded, round(time.perf_counter() - began, 1)


def rollup_costs(engine: Engine, repeat: int) -> tuple[list[float], list[float], list[float], int]:
    """(one rebuild of the rollup in ms, one application received in ms, one completed in ms, cells), each write
    in its own transaction with the triggers keeping every level."""
    began = time.perf_counter()
    with engine.begin() as conn:
        cells = approval_rollup.rebuild(conn)
    rebuild = [(time.perf_counter() - began) * 1000]
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        matter = session.scalars(select(Matter.code).order_by(Matter.code)).first()
        district = session.scalars(select(District.adcode).order_by(District.adcode)).first()
    added: list[int] = []

    def receive() -> None:
        with sessions() as session:
            app = Application(matter_code=matter, applicant_kind="citizen", channel="online", district=district,
                              submitted_at=datetime.now(UTC), status="submitted", visits=0)
            session.add(app)
            session.commit()
            added.append(app.id)

    def complete() -> None:
        with sessions() as session:
            app = session.get(Application, added.pop())
            app.status, app.completed_at, app.rating = "approved", datetime.now(UTC), 5
            session.commit()

    received, completed = timed(receive, repeat), timed(complete, repeat)
    with sessions() as session:  # the bench's own rows go again (the triggers take them out of the rollup)
        session.execute(Application.__table__.delete().where(Application.applicant_kind == "citizen",
                                                             Application.applicant_name.is_(None)))
        session.commit()
    return rebuild, received, completed, cells


def measure(engine: Engine, database: str, repeat: int) -> list[dict[str, Any]]:
    cache = LocalQueryCache()
    sessions = make_sessionmaker(engine, cache)  # as the runtime's: the services cache through them

    def cold() -> None:
        cache.invalidate(APPROVALS_CACHE.tables)

    mining = association.refresh(sessions)  # the job's run, also what update_findings reads
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)  # as the page aligns
    start = now - timedelta(days=7)
    with sessions() as session:
        ranked = approval_metrics.summary(session=session, start=start, end=now, by="department")
        departments = ranked.sort_values("received", ascending=False)["key"].tolist()[:5]
        matters = [session.scalar(select(Application.matter_code).join(Matter).where(Matter.department == d)
                                  .order_by(Application.submitted_at.desc()).limit(1)) for d in departments]
    turn = iter(range(10**9))

    def view(where: Slice, by: str, level: Callable[[Any], Any] | None = None) -> None:
        """As _approval_views.render: the overall row and the level's table from one rollup read, then the rest."""
        with sessions() as session:
            approvals.catalog_names(session=session, lang="zh-CN")
            approval_metrics.summaries(session=session, start=start, end=now, by=(None, by), where=where)
            approvals.hourly_throughput(session=session, hours=24, now=now, where=where)
            approvals.daily_throughput(session=session, days=7, now=now, zone=ZONE, where=where)
            approval_metrics.bad_review_followups(session=session, start=start, end=now, where=where)
            approval_findings.overdue(session=session, now=now, limit=20, where=where)
            if level is not None:
                level(session)

    def pick() -> tuple[str, str]:
        k = next(turn) % len(departments)
        return departments[k], matters[k]

    def city() -> None:
        view(Slice(), "department")

    def department() -> None:
        code, _ = pick()
        view(Slice(department=code), "matter")

    def matter() -> None:
        code, matter_code = pick()
        where = Slice(department=code, matter=matter_code)
        view(where, "matter", lambda s: approval_findings.application_list(session=s, start=start, end=now, now=now,
                                                                           limit=200, where=where))

    def findings() -> None:
        with sessions() as session:
            approvals.catalog_names(session=session, lang="zh-CN")
            approval_findings.idle_matters(session=session, now=now, days=30)
            approval_findings.high_return_matters(session=session, start=start, end=now)
            association.latest_rules(session=session, limit=10)
            approval_metrics.bundle_savings(session=session, start=start, end=now)

    def extend() -> None:
        with sessions() as session:
            approvals.hourly_throughput(session=session, hours=2, now=datetime.now(UTC).replace(second=0,
                                                                                              microsecond=0))

    def download() -> None:
        with sessions() as session:
            table = approval_metrics.summary(session=session, start=start, end=now, by="department")
        export.to_xlsx(table, "departments")

    print(f"association job over the store: {mining.rules} rules from {mining.applicants:,} applicants in "
          f"{mining.seconds} s ({mining.cpu_seconds} s CPU)")
    paths = dict(zip(CALLBACKS, (city, department, matter, findings, extend, download), strict=True))
    figures = []
    for name, path in paths.items():
        figures.append(figure(name, database, timed(path, repeat, cold), BUDGETS))
        for _ in departments:  # fills the service's cache for every view the path turns through, untimed
            path()
        figures.append(figure(f"{name}_warm", database, timed(path, repeat), BUDGETS))
        print(f"{name}: done", flush=True)
    return [*figures, *mining_figures("rows", database, mining)]


def mining_figures(store: str, database: str, mining: association.MiningReport) -> list[dict[str, Any]]:
    """association_mining_<store> and its _cpu twin, in ms."""
    return [figure(f"association_mining_{store}", database, [mining.seconds * 1000], BUDGETS),
            figure(f"association_mining_{store}_cpu", database, [mining.cpu_seconds * 1000], BUDGETS)]


def beside(url: str) -> str:
    """The default seed-size store's URL next to the main store's: `x.db` → `x-seed.db`, database `x` → `x_seed`."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or "")
        return str(parsed.set(database=str(path.with_name(f"{path.stem}-seed{path.suffix}"))))
    return str(parsed.set(database=f"{parsed.database}_seed"))


def default_seed_mining(url: str, database: str) -> list[dict[str, Any]]:
    """One association run on a store the size of the default demo seed (built once, then reused)."""
    engine = open_store(url)
    rows, load_seconds = build(engine, int(90 * APPLICATIONS_PER_DAY))
    mining = association.refresh(make_sessionmaker(engine))
    engine.dispose()
    print(f"association job at the default seed ({rows:,} applications, "
          + ("reused" if load_seconds is None else f"loaded in {load_seconds} s")
          + f"): {mining.rules} rules from {mining.applicants:,} applicants in {mining.seconds} s "
            f"({mining.cpu_seconds} s CPU)")
    return mining_figures("default_seed", database, mining)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--seed-database-url", default=None,
                        help="the default-seed-size store for association_mining_default_seed (default: beside "
                             "--database-url)")
    parser.add_argument("--repeat", type=int, default=40, help="calls per callback figure")
    parser.add_argument("--out", type=Path, default=RESULTS / "approvals.json")
    args = parser.parse_args()
    engine = open_store(args.database_url)
    database = database_version(engine)
    rows, load_seconds = build(engine, args.rows)
    rebuild, receive, complete, cells = rollup_costs(engine, args.repeat)
    figures = [*measure(engine, database, args.repeat), figure("rollup_rebuild", database, rebuild, BUDGETS),
               figure("rollup_receive_one", database, receive, BUDGETS),
               figure("rollup_complete_one", database, complete, BUDGETS)]
    engine.dispose()
    figures += default_seed_mining(args.seed_database_url or beside(args.database_url), database)
    print(f"{database}: {rows:,} applications, " + ("reused" if load_seconds is None else f"loaded in {load_seconds} s"))
    print(f"{'figure':<24} {'n':>4} {'p50':>9} {'p95':>9} {'p99':>9} {'max':>9} {'budget':>7}  ms")
    for f in figures:
        verdict = "ok" if f["p95"] <= f["budget_p95"] else "OVER"
        print(f"{f['name']:<24} {f['n']:>4} {f['p50']:>9} {f['p95']:>9} {f['p99']:>9} {f['max']:>9} "
              f"{f['budget_p95']:>7}  {verdict}")
    params = {"rows": rows, "load_seconds": load_seconds, "repeat": args.repeat, "rollup_cells": cells,
              "load_average": [round(v, 2) for v in os.getloadavg()]}
    write(args.out, merge(args.out, "approvals", database, params, figures, order=list(BUDGETS),
                          fixed={"period_days": 7}))


if __name__ == "__main__":
    main()
