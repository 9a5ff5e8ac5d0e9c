"""The hotline rollup: work orders summed per reported UTC hour, district, category and channel
(`hotline_rollup`), the same per department (`hotline_department_rollup`: held, dissatisfied, repeats, returned)
and per grid cell (`hotline_grid_rollup`: the hot spots), and the orders whose reply or close is still due
(`hotline_pending`), so the /hotline page's figures read cells and the pending orders instead of re-joining a
week of orders per figure (at 3 M orders, 50 000 a week: a week is ~21 k cells, ~37 k department cells, ~49 k
grid cells and ~7 k pending orders, each read by one range of its key).

Upkeep recomputes whole hours: a write to an order (or to its event's reported time, place, category, status or
times) refreshes the cells and pending rows of the hour it was in and of the hour it is in, from the orders
themselves. A refresh is idempotent and does not depend on the order of writes, so late and out-of-order changes
(a 回访 a week on, a reopened order, a corrected reported time) land where they belong. Triggers run it in the
writer's own transaction, whoever writes (the ORM, the simulator, a hand-made UPDATE): row triggers on both
backends (an hour holds a few hundred orders); on PostgreSQL an advisory lock per hour serialises concurrent
refreshes of one hour. Bulk loads run inside `services.store.rollups.suspended(engine, ROLLUP)`: no triggers while loading, one rebuild after.

The counts in the cells never change with the clock; what does (judged on-time replies and closes, overdue
orders) is counted over `hotline_pending` at the moment asked.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from services.approvals.rollup import epoch
from services.events.queries import FINISHED
from services.hotline.orders import SATISFACTIONS
from services.store import HOTLINE_MEASURES
from services.store.rollups import Rollup, rebuild_command

HOUR = 3600
KEY = ("hour", "district", "category", "channel")
PENDING = ("event_id", "hour", "district", "category", "channel", "reply_due_at", "sla_due_at", "open")
# the columns an order's cell and pending row derive from (an UPDATE of others, e.g. its terms, changes nothing)
EVENT_SOURCE = ("reported_at", "district", "category", "grid", "status", "closed_at", "sla_due_at")
ORDER_SOURCE = ("event_id", "channel", "reply_due_at", "replied_at", "followed_up_at", "reached", "satisfaction",
                "repeat_of")
DISPATCH_SOURCE = ("event_id", "department", "status")
CHILDREN = {"work_orders": ORDER_SOURCE, "event_dispatches": DISPATCH_SOURCE}  # rows that name their event
TRIGGER_PREFIX = {"work_orders": "hotline_rollup_order", "event_dispatches": "hotline_rollup_dispatch"}
TRIGGERS = {**{f"{TRIGGER_PREFIX[table]}_{op}": table for table in CHILDREN for op in ("insert", "update", "delete")},
            "hotline_rollup_event_update": "events", "hotline_rollup_event_delete": "events"}


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


def _orders(dialect: str, hour: str | None, join: str = "") -> str:
    """FROM events e JOIN work_orders w (and `join`), the orders reported in the hour starting at epoch `hour`
    (all: None)."""
    within = "" if hour is None else (f" WHERE e.reported_at >= {_at(dialect, hour)} "
                                      f"AND e.reported_at < {_at(dialect, f'{hour} + {HOUR}')}")
    return f"FROM events e JOIN work_orders w ON w.event_id = e.id{join}{within}"


def fill_statements(dialect: str, hour: str | None = None) -> list[str]:
    """Recompute the cells and pending rows of the hour starting at epoch `hour` (an SQL expression; None: all)."""
    key = _hour(dialect, "e.reported_at")
    dims = "COALESCE(e.district, ''), e.category, w.channel"
    named = f"{key} AS hour, COALESCE(e.district, '') AS district, e.category AS category, w.channel AS channel"
    sums = ", ".join(expr for _, expr in measures())
    finished = ", ".join(f"'{s}'" for s in FINISHED)
    scope = "" if hour is None else f" WHERE hour = {hour}"
    # a rebuild writes the rows in hour order: a window's cells lie together on PostgreSQL's heap, a few hundred
    # pages for a week instead of one page a cell
    ordered = " ORDER BY 1" if hour is None else ""
    pending = ("(w.reply_due_at IS NOT NULL AND w.replied_at IS NULL) OR "
               "(e.sla_due_at IS NOT NULL AND e.status <> 'closed')")
    flags = ", ".join(f"MAX(CASE WHEN {condition} THEN 1 ELSE 0 END) AS {name}" for name, condition in (
        ("held", "d.status <> 'returned'"), ("returned", "d.status = 'returned'"),
        ("dissatisfied", "w.satisfaction = 'dissatisfied'"), ("repeats", "w.repeat_of IS NOT NULL")))
    pairs = (f"SELECT {named}, d.department AS department, {flags} "
             f"{_orders(dialect, hour, ' JOIN event_dispatches d ON d.event_id = e.id')} "
             f"GROUP BY e.id, {key}, {dims}, d.department")
    return [
        f"DELETE FROM hotline_rollup{scope}",
        f"DELETE FROM hotline_pending{scope}",
        f"DELETE FROM hotline_department_rollup{scope}",
        f"DELETE FROM hotline_grid_rollup{scope}",
        f"INSERT INTO hotline_grid_rollup ({', '.join(KEY)}, grid, orders, repeats) "
        f"SELECT {key}, {dims}, e.grid, COUNT(*), {_count('w.repeat_of IS NOT NULL')} {_orders(dialect, hour)}"
        f"{' WHERE' if hour is None else ' AND'} e.grid IS NOT NULL GROUP BY {key}, {dims}, e.grid{ordered}",
        f"INSERT INTO hotline_rollup ({', '.join(KEY)}, {', '.join(HOTLINE_MEASURES)}) "
        f"SELECT {key}, {dims}, {sums} {_orders(dialect, hour)} GROUP BY {key}, {dims}{ordered}",
        f"INSERT INTO hotline_pending ({', '.join(PENDING)}) SELECT e.id, {key}, {dims}, "
        f"CASE WHEN w.replied_at IS NULL THEN w.reply_due_at END, "
        f"CASE WHEN e.status <> 'closed' THEN e.sla_due_at END, e.status NOT IN ({finished}) "
        f"{_orders(dialect, hour)}{' WHERE' if hour is None else ' AND'} ({pending}){ordered.replace('1', '2')}",
        f"INSERT INTO hotline_department_rollup ({', '.join(KEY)}, department, held, dissatisfied, repeats, returned) "
        f"SELECT {', '.join(KEY)}, department, SUM(held), SUM(held * dissatisfied), SUM(held * repeats), "
        f"SUM(returned) FROM ({pairs}) p GROUP BY {', '.join(KEY)}, department{ordered}",
    ]


def rebuild(conn: Connection) -> int:
    """Recompute every cell and pending row from the orders (after a bulk load, or to check the triggers);
    returns the number of cells."""
    for statement in fill_statements(conn.dialect.name):
        conn.execute(text(statement))
    return int(conn.execute(text("SELECT count(*) FROM hotline_rollup")).scalar_one())


def _sqlite_triggers() -> list[str]:
    def refresh(hour: str) -> str:
        return "; ".join(fill_statements("sqlite", hour))

    def of_event(row: str) -> str:
        return f"(SELECT {_hour('sqlite', 'reported_at')} FROM events WHERE id = {row}.event_id)"

    def has_order(row: str, column: str = "event_id") -> str:
        return f"EXISTS (SELECT 1 FROM work_orders WHERE event_id = {row}.{column})"

    out = []
    for table, columns in CHILDREN.items():
        name = TRIGGER_PREFIX[table]
        guard = {row: "" if table == "work_orders" else f" WHEN {has_order(row)}" for row in ("NEW", "OLD")}
        changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)
        both = "" if table == "work_orders" else f" AND ({has_order('OLD')} OR {has_order('NEW')})"
        out += [f"CREATE TRIGGER {name}_insert AFTER INSERT ON {table}{guard['NEW']} "
                f"BEGIN {refresh(of_event('NEW'))}; END",
                f"CREATE TRIGGER {name}_update AFTER UPDATE OF {', '.join(columns)} ON {table} WHEN ({changed}){both} "
                f"BEGIN {refresh(of_event('OLD'))}; {refresh(of_event('NEW'))}; END",
                f"CREATE TRIGGER {name}_delete AFTER DELETE ON {table}{guard['OLD']} "
                f"BEGIN {refresh(of_event('OLD'))}; END"]
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in EVENT_SOURCE)
    old_hour, new_hour = _hour("sqlite", "OLD.reported_at"), _hour("sqlite", "NEW.reported_at")
    return [*out,
            f"CREATE TRIGGER hotline_rollup_event_update AFTER UPDATE OF {', '.join(EVENT_SOURCE)} ON events "
            f"WHEN ({changed}) AND {has_order('NEW', 'id')} BEGIN {refresh(old_hour)}; {refresh(new_hour)}; END",
            f"CREATE TRIGGER hotline_rollup_event_delete AFTER DELETE ON events BEGIN {refresh(old_hour)}; END"]


def _postgres_triggers() -> list[str]:
    body = "; ".join(fill_statements("postgresql", "h"))
    hour_of = _hour("postgresql", "reported_at")
    refresh_both = ("PERFORM hotline_rollup_refresh(old_hour); "
                    "IF new_hour IS DISTINCT FROM old_hour THEN PERFORM hotline_rollup_refresh(new_hour); END IF;")

    def lookup(row: str, guarded: bool) -> str:
        """The hour of `row`'s event (a dispatch's only when the event is an order's)."""
        guard = f" AND EXISTS (SELECT 1 FROM work_orders WHERE event_id = {row}.event_id)" if guarded else ""
        return (f"IF TG_OP <> '{'INSERT' if row == 'OLD' else 'DELETE'}'{guard} THEN "
                f"{row.lower()}_hour := (SELECT {hour_of} FROM events WHERE id = {row}.event_id); END IF; ")

    out = [f"CREATE OR REPLACE FUNCTION hotline_rollup_refresh(h bigint) RETURNS void LANGUAGE plpgsql AS $$ BEGIN "
           f"IF h IS NULL THEN RETURN; END IF; PERFORM pg_advisory_xact_lock(2112, (h / {HOUR})::int); {body}; END $$"]
    for table, columns in CHILDREN.items():
        name, guarded = TRIGGER_PREFIX[table], table != "work_orders"
        changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)
        out += [f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"DECLARE old_hour bigint; new_hour bigint; BEGIN {lookup('OLD', guarded)}{lookup('NEW', guarded)}"
                f"{refresh_both} RETURN NULL; END $$",
                f"CREATE TRIGGER {name}_insert AFTER INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()",
                f"CREATE TRIGGER {name}_update AFTER UPDATE ON {table} FOR EACH ROW WHEN ({changed}) "
                f"EXECUTE FUNCTION {name}()",
                f"CREATE TRIGGER {name}_delete AFTER DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()"]
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in EVENT_SOURCE)
    return [*out,
            # an event without an order changes nothing (on DELETE its order is gone already: the foreign key's
            # cascade fires first, so the event's hour is refreshed regardless)
            "CREATE OR REPLACE FUNCTION hotline_rollup_event() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "DECLARE old_hour bigint; new_hour bigint; BEGIN "
            "IF TG_OP = 'UPDATE' AND NOT EXISTS (SELECT 1 FROM work_orders WHERE event_id = NEW.id) THEN "
            f"RETURN NULL; END IF; old_hour := {_hour('postgresql', 'OLD.reported_at')}; "
            f"IF TG_OP = 'UPDATE' THEN new_hour := {_hour('postgresql', 'NEW.reported_at')}; END IF; "
            f"{refresh_both} RETURN NULL; END $$",
            f"CREATE TRIGGER hotline_rollup_event_update AFTER UPDATE ON events FOR EACH ROW WHEN ({changed}) "
            "EXECUTE FUNCTION hotline_rollup_event()",
            "CREATE TRIGGER hotline_rollup_event_delete AFTER DELETE ON events FOR EACH ROW "
            "EXECUTE FUNCTION hotline_rollup_event()"]


def trigger_statements(dialect: str) -> list[str]:
    return _sqlite_triggers() if dialect == "sqlite" else _postgres_triggers()


def install_triggers(conn: Connection) -> None:
    """(Re)create the triggers that keep the rollup in the writers' transactions."""
    drop_triggers(conn)
    for statement in trigger_statements(conn.dialect.name):
        conn.execute(text(statement))


def drop_triggers(conn: Connection) -> None:
    sqlite = conn.dialect.name == "sqlite"
    for name, table in TRIGGERS.items():
        conn.execute(text(f"DROP TRIGGER IF EXISTS {name}" + ("" if sqlite else f" ON {table}")))


ROLLUP = Rollup("hotline rollup", rebuild, install_triggers, drop_triggers)


def main(argv: list[str] | None = None) -> None:
    """`python -m services.hotline.rollup [--database-url URL]`: rebuild the rollup of a store."""
    rebuild_command(ROLLUP, "services.hotline.rollup", argv)


if __name__ == "__main__":
    main()
