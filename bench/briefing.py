"""How long the daily briefing (每日简报) takes: gathering one day's figures, and drawing them as PDF and PNG.

    python bench/briefing.py [--days 30] [--database-url URL] [--repeat 10] [--out PATH]

Builds (or reuses, when it already holds events) a store with the shipped catalog and `--days` of the simulated
demo city ending now (services.demo.simulator.seed). Default store: a SQLite file under /tmp; a PostgreSQL URL names a
dedicated database, created when missing. Figures, as the leader's download callback runs them:
- briefing_gather: `services.briefing.gather` of yesterday, city-wide, in its own session;
- briefing_pdf / briefing_png: the Chinese sheet rendered by components/briefing.py (fonts registered on the
  first, untimed, call).
"""

from __future__ import annotations

import argparse
import os
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from _report import write
from _store import database_version, figure, merge, open_store, timed
from sqlalchemy import func, select

from components.briefing import render_pdf, render_png
from components.i18n import translator
from dashboards._leader_briefing import briefing_sheet
from services import briefing
from services.config import DEFAULT_CITY
from services.demo.simulator import seed
from services.geo import load_city
from services.store import Event, make_sessionmaker
from services.store.catalog import install_catalog

ZONE = ZoneInfo("Asia/Shanghai")
CODES = ("traffic_congestion_index", "aqi", "metro_ridership", "power_load", "police_incidents", "hotline_calls",
         "gov_ontime_rate", "crowd_gulangyu")
NAMES = ("briefing_gather", "briefing_pdf", "briefing_png")
BUDGETS = {"briefing_gather": 2000.0, "briefing_pdf": 3000.0, "briefing_png": 3000.0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=float, default=30)
    parser.add_argument("--database-url", default="sqlite:////tmp/onescreen-bench-briefing.db")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "briefing.json")
    args = parser.parse_args()
    engine = open_store(args.database_url)
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        have = session.scalar(select(func.count()).select_from(Event)) or 0
    if not have:
        with sessions() as session:
            install_catalog(session, districts=load_city(DEFAULT_CITY).rows())
            session.commit()
        seed(engine, days=args.days, progress=True)
    with sessions() as session:
        events = int(session.scalar(select(func.count()).select_from(Event)) or 0)

    def gather() -> briefing.Briefing:
        with sessions() as session:
            return briefing.gather(session=session, zone=ZONE, kpi_codes=CODES)

    figures_of_day = gather()
    sheet = briefing_sheet(figures_of_day, lang="zh-CN", city="厦门市", scope_label="全市",
                           text=translator("zh-CN"), generated=datetime.now(UTC))
    render_pdf(sheet), render_png(sheet)  # fonts registered once per process, as in a running server
    database = database_version(engine)
    runs = {"briefing_gather": timed(gather, args.repeat), "briefing_pdf": timed(lambda: render_pdf(sheet), args.repeat),
            "briefing_png": timed(lambda: render_png(sheet), args.repeat)}
    figures = [figure(name, database, values, BUDGETS) for name, values in runs.items()]
    for row in figures:
        print(f"{row['name']:<18} p50 {row['p50']:>9.1f} ms  p95 {row['p95']:>9.1f} ms  (budget {row['budget_p95']:.0f})")
    params = {"days": args.days, "events": events, "repeat": args.repeat, "day": figures_of_day.day.isoformat(),
              "pdf_bytes": len(render_pdf(sheet)), "png_bytes": len(render_png(sheet)),
              "load_average": list(os.getloadavg())}
    write(args.out, merge(args.out, "briefing", database, params, figures, list(NAMES), {}))


if __name__ == "__main__":
    main()
