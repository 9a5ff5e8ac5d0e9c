"""The /hotline page's callbacks driven through their data path (dashboards/hotline.py and _hotline_views.py), as
bench/approvals.py drives /approvals: each callback's service calls, one session per call as a request has, over
the page's default view (the 7 days before the end of the current hour, the whole city, an admin's scope).

- update_view: a new view's analytics drawn at once (views.render, views.AT_ONCE): summary tiles, the period's
  calls, volume by hour and channel, top categories, hot spots, departments worst first, one after the other (the
  page runs each in its own callback: this is their sum). Hot topics are not in it: the page draws them by their
  own callback after the rest (bench/hotline.py's hot_topics_week, issue 21's 5 s budget);
- orders / orders_drill: the grid's first block of 100 orders, newest first, for the view and for a drill;
- show_order: one order's panel (its detail and whole life);
- download: the drilled category's orders (one district, one day) as CSV, as the export button sends them.
Each is measured cold (the page's query caches emptied before every call, as after a write) and warm (`_warm`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from _store import figure, timed
from sqlalchemy import Engine, func, select

from services import export, hotline
from services.access import Principal, Role
from services.citypack import load_pack
from services.config import DEFAULT_PACK
from services.hotline.figures import CACHE
from services.store import Event, WorkOrder, make_sessionmaker
from services.store.cache import LocalQueryCache

CALLBACKS = ("update_view", "orders", "orders_drill", "show_order", "download")
BUDGETS = {**{name: 200 for name in CALLBACKS}, **{f"{name}_warm": 200 for name in CALLBACKS}}
ORDER = [name for pair in ((n, f"{n}_warm") for n in CALLBACKS) for name in pair]
BLOCK = 100


def page_figures(engine: Engine, database: str, repeat: int) -> tuple[list[dict[str, Any]], dict[str, float]]:
    cache = LocalQueryCache()
    sessions = make_sessionmaker(engine, cache)
    pack = load_pack(DEFAULT_PACK)
    admin = Principal("bench", Role.ADMIN)
    now = datetime.now(UTC)
    end = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)  # as views.filter_of
    week = hotline.HotlineFilter(end - timedelta(days=7), end)
    with sessions() as session:
        category = session.scalar(select(Event.category).join(WorkOrder, WorkOrder.event_id == Event.id)
                                  .where(Event.reported_at > end - timedelta(hours=1))
                                  .group_by(Event.category).order_by(func.count().desc()).limit(1))
        newest = session.scalars(select(WorkOrder.event_id).join(Event, Event.id == WorkOrder.event_id)
                                 .where(Event.reported_at > end - timedelta(days=1))
                                 .order_by(Event.reported_at.desc()).limit(50)).all()
    drill = hotline.Drill("category", str(category))
    one_day = hotline.HotlineFilter(end - timedelta(days=1), end, district=(pack.city.adcodes[0],))
    turn = iter(range(10**9))

    def cold() -> None:
        cache.invalidate(CACHE.tables)

    def render(filters: hotline.HotlineFilter) -> None:
        with sessions() as session:
            hotline.summary(session=session, filters=filters, now=now)
            hotline.period_calls(session=session, filters=filters)
            hotline.volume(session=session, filters=filters)
            hotline.top_categories(session=session, filters=filters)
            hotline.hot_spots(session=session, filters=filters)
            hotline.departments(session=session, filters=filters, now=now)

    def block(which: hotline.Drill) -> Callable[[], None]:
        def run() -> None:
            with sessions() as session:
                hotline.order_page(session=session, filters=week, drill=which, offset=0, limit=BLOCK,
                                   sort_by="reported_at", descending=True)
        return run

    def show() -> None:
        with sessions() as session:
            hotline.order_detail(session, int(newest[next(turn) % len(newest)]), principal=admin, now=now)

    def download() -> None:
        with sessions() as session:
            rows = hotline.order_rows(session=session, filters=one_day, drill=drill)
        export.to_csv(rows)

    paths: dict[str, Callable[[], None]] = {
        "update_view": lambda: render(week),
        "orders": block(hotline.Drill()), "orders_drill": block(drill), "show_order": show, "download": download}
    render(week)  # the first view after a start
    figures = []
    for name, path in paths.items():
        figures.append(figure(name, database, timed(path, repeat, cold), BUDGETS))
        path()
        figures.append(figure(f"{name}_warm", database, timed(path, repeat), BUDGETS))
        print(f"{name}: done", flush=True)
    return figures, BUDGETS
