"""The hotline rollup: work orders summed per reported UTC hour, district, category and channel
(`hotline_rollup`), and the orders whose reply or close is still due (`hotline_pending`), so the /hotline page's
figures read a few thousand cells and the few pending orders instead of re-joining a week of orders per figure.

Upkeep recomputes whole hours: a write to an order (or to its event's reported time, place, category, status or
times) refreshes the cells and pending rows of the hour it was in and of the hour it is in, from the orders
themselves. A refresh is idempotent and does not depend on the order of writes, so late and out-of-order changes
(a 回访 a week on, a reopened order, a corrected reported time) land where they belong. Triggers run it in the
writer's own transaction, whoever writes (the ORM, the simulator, a hand-made UPDATE): row triggers on both
backends (an hour holds a few hundred orders); on PostgreSQL an advisory lock per hour serialises concurrent
refreshes of one hour. Bulk loads run inside `suspended(engine)`: no triggers while loading, one rebuild after.

The counts in the cells never change with the clock; what does (judged on-time replies and closes, overdue
orders) is counted over `hotline_pending` at the moment asked.
"""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, text

from services.approvals.rollup import epoch
from services.events.queries import FINISHED
from services.hotline.orders import SATISFACTIONS
from services.store import HOTLINE_MEASURES

logger = logging.getLogger(__name__)

HOUR = 3600
KEY = ("hour", "district", "category", "channel")
PENDING = ("event_id", "hour", "district", "category", "channel", "reply_due_at", "sla_due_at", "open")
# the columns an order's cell and pending row derive from (an UPDATE of others, e.g. its terms, changes nothing)
EVENT_SOURCE = ("reported_at", "district", "category", "status", "closed_at", "sla_due_at")
ORDER_SOURCE = ("event_id", "channel", "reply_due_at", "replied_at", "followed_up_at", "reached", "satisfaction",
                "repeat_of")
TRIGGERS = ("hotline_rollup_order_insert", "hotline_rollup_order_update", "hotline_rollup_order_delete",
            "hotline_rollup_event_update", "hotline_rollup_event_delete")
FUNCTIONS = ("hotline_rollup_refresh(bigint)", "hotline_rollup_order()", "hotline_rollup_event()")


def _count(condition: str) -> str:
    return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"


def _hour(dialect: str, column: str) -> str:
    return f"(({epoch(dialect, column)}) / {HOUR}) * {HOUR}"


def _at(dialect: str, seconds: str) -> str:
    """The timestamp of UTC epoch `seconds`, comparable with stored ones (SQLite: text without a fraction, which
    sorts before every stored value of that second)."""
    return f"datetime({seconds}, 'unixepoch')" if dialect == "sqlite" else f"to_timestamp({seconds})"


def measures() -> list[tuple[str, str]]:
    """(column, aggregate over events `e` joined to work_orders `w`): exactly services/hotline/figures.summary's
    clock-free counts."""
    rated = f"w.reached = TRUE AND w.satisfaction IN ({', '.join(repr(s) for s in SATISFACTIONS)})"
    out = [("orders", "COUNT(*)"),
           ("replied_with_due", _count("w.reply_due_at IS NOT NULL AND w.replied_at IS NOT NULL")),
           ("replied_on_time", _count("w.replied_at IS NOT NULL AND w.replied_at <= w.reply_due_at")),
           ("closed_with_sla", _count("e.sla_due_at IS NOT NULL AND e.status = 'closed'")),
           ("closed_on_time", _count("e.status = 'closed' AND e.closed_at <= e.sla_due_at")),
           ("followed_up", _count("w.followed_up_at IS NOT NULL")), ("rated", _count(rated)),
           *[(verdict, _count(f"{rated} AND w.satisfaction = '{verdict}'")) for verdict in SATISFACTIONS],
           ("repeats", _count("w.repeat_of IS NOT NULL"))]
    assert tuple(name for name, _ in out) == HOTLINE_MEASURES
    return out


def _orders(dialect: str, hour: str | None) -> str:
    """FROM events e JOIN work_orders w, the orders reported in the hour starting at epoch `hour` (all: None)."""
    within = "" if hour is None else (f" WHERE e.reported_at >= {_at(dialect, hour)} "
                                      f"AND e.reported_at < {_at(dialect, f'{hour} + {HOUR}')}")
    return f"FROM events e JOIN work_orders w ON w.event_id = e.id{within}"


def fill_statements(dialect: str, hour: str | None = None) -> list[str]:
    """Recompute the cells and pending rows of the hour starting at epoch `hour` (an SQL expression; None: all)."""
    key = _hour(dialect, "e.reported_at")
    dims = "COALESCE(e.district, ''), e.category, w.channel"
    sums = ", ".join(expr for _, expr in measures())
    finished = ", ".join(f"'{s}'" for s in FINISHED)
    scope = "" if hour is None else f" WHERE hour = {hour}"
    return [
        f"DELETE FROM hotline_rollup{scope}",
        f"DELETE FROM hotline_pending{scope}",
        f"INSERT INTO hotline_rollup ({', '.join(KEY)}, {', '.join(HOTLINE_MEASURES)}) "
        f"SELECT {key}, {dims}, {sums} {_orders(dialect, hour)} GROUP BY {key}, {dims}",
        f"INSERT INTO hotline_pending ({', '.join(PENDING)}) SELECT e.id, {key}, {dims}, "
        f"CASE WHEN w.replied_at IS NULL THEN w.reply_due_at END, "
        f"CASE WHEN e.status <> 'closed' THEN e.sla_due_at END, e.status NOT IN ({finished}) "
        f"{_orders(dialect, hour)}{' WHERE' if hour is None else ' AND'} "
        f"((w.reply_due_at IS NOT NULL AND w.replied_at IS NULL) OR (e.sla_due_at IS NOT NULL AND e.status <> 'closed'))",
    ]


def rebuild(conn: Connection) -> int:
    """Recompute every cell and pending row from the orders (after a bulk load, or to check the triggers);
    returns the number of cells."""
    for statement in fill_statements(conn.dialect.name):
        conn.execute(text(statement))
    return int(conn.execute(text("SELECT count(*) FROM hotline_rollup")).scalar_one())


def _changed(columns: tuple[str, ...]) -> str:
    return " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)


def _sqlite_triggers() -> list[str]:
    def refresh(hour: str) -> str:
        return "; ".join(fill_statements("sqlite", hour))

    def of_order(row: str) -> str:
        return f"(SELECT {_hour('sqlite', 'reported_at')} FROM events WHERE id = {row}.event_id)"

    has_order = "EXISTS (SELECT 1 FROM work_orders WHERE event_id = NEW.id)"
    old_hour, new_hour = _hour("sqlite", "OLD.reported_at"), _hour("sqlite", "NEW.reported_at")
    return [
        f"CREATE TRIGGER hotline_rollup_order_insert AFTER INSERT ON work_orders BEGIN {refresh(of_order('NEW'))}; END",
        f"CREATE TRIGGER hotline_rollup_order_update AFTER UPDATE OF {', '.join(ORDER_SOURCE)} ON work_orders "
        f"WHEN {_changed(ORDER_SOURCE)} BEGIN {refresh(of_order('OLD'))}; {refresh(of_order('NEW'))}; END",
        f"CREATE TRIGGER hotline_rollup_order_delete AFTER DELETE ON work_orders BEGIN {refresh(of_order('OLD'))}; END",
        f"CREATE TRIGGER hotline_rollup_event_update AFTER UPDATE OF {', '.join(EVENT_SOURCE)} ON events "
        f"WHEN ({_changed(EVENT_SOURCE)}) AND {has_order} BEGIN {refresh(old_hour)}; {refresh(new_hour)}; END",
        f"CREATE TRIGGER hotline_rollup_event_delete AFTER DELETE ON events BEGIN {refresh(old_hour)}; END",
    ]


def _postgres_triggers() -> list[str]:
    body = "; ".join(fill_statements("postgresql", "h"))
    hour_of = _hour("postgresql", "reported_at")
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in EVENT_SOURCE)
    order_changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in ORDER_SOURCE)
    refresh_both = ("PERFORM hotline_rollup_refresh(old_hour); "
                    "IF new_hour IS DISTINCT FROM old_hour THEN PERFORM hotline_rollup_refresh(new_hour); END IF;")
    return [
        f"CREATE OR REPLACE FUNCTION hotline_rollup_refresh(h bigint) RETURNS void LANGUAGE plpgsql AS $$ BEGIN "
        f"IF h IS NULL THEN RETURN; END IF; PERFORM pg_advisory_xact_lock(2112, (h / {HOUR})::int); {body}; END $$",
        "CREATE OR REPLACE FUNCTION hotline_rollup_order() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "DECLARE old_hour bigint; new_hour bigint; BEGIN "
        f"IF TG_OP <> 'INSERT' THEN old_hour := (SELECT {hour_of} FROM events WHERE id = OLD.event_id); END IF; "
        f"IF TG_OP <> 'DELETE' THEN new_hour := (SELECT {hour_of} FROM events WHERE id = NEW.event_id); END IF; "
        f"{refresh_both} RETURN NULL; END $$",
        # an event without an order changes nothing (on DELETE its order is gone already: the foreign key's
        # cascade fires first, so the event's hour is refreshed regardless)
        "CREATE OR REPLACE FUNCTION hotline_rollup_event() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "DECLARE old_hour bigint; new_hour bigint; BEGIN "
        "IF TG_OP = 'UPDATE' AND NOT EXISTS (SELECT 1 FROM work_orders WHERE event_id = NEW.id) THEN RETURN NULL; "
        f"END IF; old_hour := {_hour('postgresql', 'OLD.reported_at')}; "
        f"IF TG_OP = 'UPDATE' THEN new_hour := {_hour('postgresql', 'NEW.reported_at')}; END IF; "
        f"{refresh_both} RETURN NULL; END $$",
        "CREATE TRIGGER hotline_rollup_order_insert AFTER INSERT ON work_orders FOR EACH ROW "
        "EXECUTE FUNCTION hotline_rollup_order()",
        f"CREATE TRIGGER hotline_rollup_order_update AFTER UPDATE ON work_orders FOR EACH ROW WHEN ({order_changed}) "
        "EXECUTE FUNCTION hotline_rollup_order()",
        "CREATE TRIGGER hotline_rollup_order_delete AFTER DELETE ON work_orders FOR EACH ROW "
        "EXECUTE FUNCTION hotline_rollup_order()",
        f"CREATE TRIGGER hotline_rollup_event_update AFTER UPDATE ON events FOR EACH ROW WHEN ({changed}) "
        "EXECUTE FUNCTION hotline_rollup_event()",
        "CREATE TRIGGER hotline_rollup_event_delete AFTER DELETE ON events FOR EACH ROW "
        "EXECUTE FUNCTION hotline_rollup_event()",
    ]


def trigger_statements(dialect: str) -> list[str]:
    return _sqlite_triggers() if dialect == "sqlite" else _postgres_triggers()


def install_triggers(conn: Connection) -> None:
    """(Re)create the triggers that keep the rollup in the writers' transactions."""
    drop_triggers(conn)
    for statement in trigger_statements(conn.dialect.name):
        conn.execute(text(statement))


def drop_triggers(conn: Connection) -> None:
    sqlite = conn.dialect.name == "sqlite"
    for name in TRIGGERS:
        table = "events" if "_event_" in name else "work_orders"
        conn.execute(text(f"DROP TRIGGER IF EXISTS {name}" + ("" if sqlite else f" ON {table}")))


@contextmanager
def suspended(engine: Engine) -> Iterator[None]:
    """Around a bulk load of orders or events: no per-row upkeep while loading, one rebuild afterwards (also when
    the load fails, so the rollup always matches what was stored). No other writer may write orders meanwhile."""
    with engine.begin() as conn:
        drop_triggers(conn)
    try:
        yield
    finally:
        with engine.begin() as conn:
            rebuild(conn)
            install_triggers(conn)


def main(argv: list[str] | None = None) -> None:
    """`python -m services.hotline.rollup [--database-url URL]`: rebuild the rollup of a store."""
    from services.config import Settings
    from services.store import make_engine, migrate

    parser = argparse.ArgumentParser(prog="python -m services.hotline.rollup", description="rebuild the rollup")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    engine = make_engine(args.database_url or Settings().database_url)
    migrate(engine)
    began = time.perf_counter()
    with engine.begin() as conn:
        cells = rebuild(conn)
    logger.info("hotline rollup rebuilt: %d cells in %.1f s", cells, time.perf_counter() - began)


if __name__ == "__main__":
    main()
