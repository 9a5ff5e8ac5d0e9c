"""The dispatch rollup (`dispatch_rollup`): dispatches and events summed per UTC hour, department and district, so
the leaders' 7-day response figures and rankings read a few thousand cells instead of joining every dispatch of the
week to its event.

| level | counts | hour of | department | measures |
| --- | --- | --- | --- | --- |
| 0 | dispatches of events not cancelled | the event's `reported_at` | the dispatch's | dispatches, dispatch_s, arrived, arrival_s |
| 1 | dispatches of events not cancelled with a time limit | the dispatch's `dispatched_at` | the dispatch's | cases, cases_late |
| 2 | events not cancelled with a time limit | `reported_at` | '' | cases, cases_late |

Level 0 holds what `services.events.response` means (seconds to dispatch and to arrival from the report, negative
spans as zero, summed in the same SQL); levels 1 and 2 what `services.rankings.measures` counts as cases, with
`cases_late` the part of lateness that no longer moves (finished or closed after the limit): what is late because
it is still open at `now` is read from the few open events. The district is the event's ('' for none).

Triggers keep every level in the writer's own transaction, whoever writes: a dispatch's insert, delete or update
moves its cells; an event's update (report time, district, time limit, closing, cancelling or reopening) moves its
own cell and its dispatches' cells, so late and out-of-order progress lands where it belongs. Row triggers on
SQLite, statement triggers over transition tables on PostgreSQL; deleting an event takes its dispatches' share out
before the cascade removes them (a BEFORE row trigger). Bulk loads run inside `services.store.rollups.suspended(engine, ROLLUP)`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Connection, text

from services.approvals.rollup import HOUR, bucket
from services.store import DISPATCH_ROLLUP_COUNTS, DISPATCH_ROLLUP_SUMS
from services.store.rollups import Rollup, rebuild_command

KEY = ("level", "bucket", "department", "district")
COLUMNS = (*DISPATCH_ROLLUP_COUNTS, *DISPATCH_ROLLUP_SUMS)
RESPONSE, DISPATCH_CASES, EVENT_CASES = 0, 1, 2
DISPATCH_COLUMNS = ("id", "event_id", "department", "dispatched_at", "arrived_at", "finished_at")
EVENT_COLUMNS = ("id", "reported_at", "district", "status", "sla_due_at", "closed_at")
TRIGGERS = {"sqlite": ("dispatch_rollup_dispatch_insert", "dispatch_rollup_dispatch_delete",
                       "dispatch_rollup_dispatch_update", "dispatch_rollup_event_insert",
                       "dispatch_rollup_event_delete", "dispatch_rollup_event_update"),
            "postgresql": ("dispatch_rollup_dispatches_insert ON event_dispatches",
                           "dispatch_rollup_dispatches_delete ON event_dispatches",
                           "dispatch_rollup_dispatches_update ON event_dispatches",
                           "dispatch_rollup_events_insert ON events", "dispatch_rollup_events_update ON events",
                           "dispatch_rollup_events_delete ON events")}
FUNCTIONS = ("dispatch_rollup_dispatches()", "dispatch_rollup_events()", "dispatch_rollup_event_gone()")


def aligned(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """The whole hours [lo, hi) of [start, end) the rollup answers (lo ≥ hi when none); the edges [start, lo) and
    [hi, end) are read raw."""
    lo = start.replace(minute=0, second=0, microsecond=0)
    lo = lo if lo == start else lo + timedelta(hours=1)
    return lo, end.replace(minute=0, second=0, microsecond=0)


def _epoch(dialect: str, column: str) -> str:
    """Seconds since 1970 as `services.events.linkage._epoch` takes them (fractions kept), in text SQL."""
    if dialect == "sqlite":
        return f"CAST((julianday({column}) - 2440587.5) * 86400.0 AS REAL)"
    return f"CAST(EXTRACT(epoch FROM {column}) AS FLOAT)"


def _span(dialect: str, later: str) -> str:
    """Seconds from the event's report to `later`, negative spans as zero."""
    seconds = f"{_epoch(dialect, later)} - {_epoch(dialect, 'e.reported_at')}"
    return f"CASE WHEN {seconds} < 0 THEN 0.0 ELSE {seconds} END"


def _count(condition: str) -> str:
    return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"


def aggregate(dialect: str, level: int, dispatches: str, events: str, sign: int = 1) -> str:
    """SELECT the cells of `level` (key and measures times `sign`) over the rows of `dispatches` and `events`
    (tables, transition tables or one-row subqueries; level 2 reads only `events`)."""
    measures: list[tuple[str, str]]
    if level == RESPONSE:
        time, source = "e.reported_at", f"{dispatches} d JOIN {events} e ON e.id = d.event_id"
        department, where = "d.department", "e.status <> 'cancelled'"
        measures = [("dispatches", "COUNT(*)"), ("dispatch_s", f"COALESCE(SUM({_span(dialect, 'd.dispatched_at')}), 0.0)"),
                    ("arrived", "COUNT(d.arrived_at)"),
                    ("arrival_s", f"COALESCE(SUM(CASE WHEN d.arrived_at IS NULL THEN NULL ELSE "
                                  f"{_span(dialect, 'd.arrived_at')} END), 0.0)")]
    elif level == DISPATCH_CASES:
        time, source = "d.dispatched_at", f"{dispatches} d JOIN {events} e ON e.id = d.event_id"
        department, where = "d.department", "e.status <> 'cancelled' AND e.sla_due_at IS NOT NULL"
        measures = [("cases", "COUNT(*)"), ("cases_late", _count("d.finished_at > e.sla_due_at"))]
    else:
        time, source, department = "e.reported_at", f"{events} e", "''"
        where = "e.status <> 'cancelled' AND e.sla_due_at IS NOT NULL"
        measures = [("cases", "COUNT(*)"), ("cases_late", _count("e.closed_at > e.sla_due_at"))]
    hour = bucket(dialect, time, HOUR)
    groups = ", ".join(g for g in (hour, department, "COALESCE(e.district, '')") if g != "''")
    values = dict(measures)
    sums = ", ".join(f"{sign} * {values[c]} AS {c}" if c in values else f"0 AS {c}" for c in COLUMNS)
    return (f"SELECT {level} AS level, {hour} AS bucket, {department} AS department, COALESCE(e.district, '') AS "
            f"district, {sums} FROM {source} WHERE {where} GROUP BY {groups}")


def _upsert(select: str) -> str:
    added = ", ".join(f"{c} = dispatch_rollup.{c} + excluded.{c}" for c in COLUMNS)
    return (f"INSERT INTO dispatch_rollup ({', '.join((*KEY, *COLUMNS))}) {select} "
            f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET {added}")


def apply_statements(dialect: str, dispatches: str, events: str, sign: int, levels: Sequence[int]) -> list[str]:
    """The upserts that add (sign 1) or take away (-1) the rows of the relations to / from `levels`."""
    return [_upsert(aggregate(dialect, level, dispatches, events, sign)) for level in levels]


def rebuild(conn: Connection) -> int:
    """Recompute every cell from the events and dispatches (after a bulk load, or to check the triggers); returns
    the number of cells."""
    dialect = conn.dialect.name
    conn.execute(text("DELETE FROM dispatch_rollup"))
    for level in (RESPONSE, DISPATCH_CASES, EVENT_CASES):
        conn.execute(text(f"INSERT INTO dispatch_rollup ({', '.join((*KEY, *COLUMNS))}) "
                          f"{aggregate(dialect, level, 'event_dispatches', 'events')}"))
    return int(conn.execute(text("SELECT count(*) FROM dispatch_rollup")).scalar_one())


def _row(prefix: str, columns: Sequence[str]) -> str:
    return "(SELECT " + ", ".join(f"{prefix}.{c} AS {c}" for c in columns) + ")"


def _event_moved(old: str, new: str) -> str:
    """True when an event's update changes what the rollup holds for it."""
    changed = " OR ".join(f"{old}.{c} IS NOT {new}.{c}" for c in EVENT_COLUMNS if c not in ("id", "status"))
    return f"{changed} OR ({old}.status = 'cancelled') IS NOT ({new}.status = 'cancelled')"


def _event_statements(dialect: str, events: str, sign: int) -> list[str]:
    """An event's own cell and its dispatches' cells, added or taken away."""
    return [*apply_statements(dialect, "event_dispatches", events, sign, (RESPONSE, DISPATCH_CASES)),
            *apply_statements(dialect, "event_dispatches", events, sign, (EVENT_CASES,))]


def _sqlite_triggers() -> list[str]:
    levels = (RESPONSE, DISPATCH_CASES)
    old_d, new_d = _row("OLD", DISPATCH_COLUMNS), _row("NEW", DISPATCH_COLUMNS)
    old_e, new_e = _row("OLD", EVENT_COLUMNS), _row("NEW", EVENT_COLUMNS)
    d_changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in DISPATCH_COLUMNS[1:])
    e_columns = ", ".join(EVENT_COLUMNS[1:])
    bodies = [
        ("dispatch_insert", "AFTER INSERT ON event_dispatches", apply_statements("sqlite", new_d, "events", 1, levels)),
        ("dispatch_delete", "AFTER DELETE ON event_dispatches", apply_statements("sqlite", old_d, "events", -1, levels)),
        ("dispatch_update", f"AFTER UPDATE OF {', '.join(DISPATCH_COLUMNS[1:])} ON event_dispatches WHEN {d_changed}",
         [*apply_statements("sqlite", old_d, "events", -1, levels),
          *apply_statements("sqlite", new_d, "events", 1, levels)]),
        ("event_insert", "AFTER INSERT ON events", apply_statements("sqlite", "", new_e, 1, (EVENT_CASES,))),
        # before the row goes: a cascade then deletes the dispatches, whose own trigger finds no event to join
        ("event_delete", "BEFORE DELETE ON events", _event_statements("sqlite", old_e, -1)),
        ("event_update", f"AFTER UPDATE OF {e_columns} ON events WHEN {_event_moved('OLD', 'NEW')}",
         [*_event_statements("sqlite", old_e, -1), *_event_statements("sqlite", new_e, 1)]),
    ]
    return [f"CREATE TRIGGER dispatch_rollup_{name} {when} BEGIN {'; '.join(stmts)}; END"
            for name, when, stmts in bodies]


def _function(name: str, old: Sequence[str], new: Sequence[str], returns: str = "NULL") -> str:
    return (f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP IN ('UPDATE', 'DELETE') THEN {'; '.join(old)}; END IF; "
            + (f"IF TG_OP IN ('INSERT', 'UPDATE') THEN {'; '.join(new)}; END IF; " if new else "")
            + f"RETURN {returns}; END $$")


def _postgres_triggers() -> list[str]:
    levels = (RESPONSE, DISPATCH_CASES)
    tables = {"INSERT": "NEW TABLE AS new_rows", "DELETE": "OLD TABLE AS old_rows",
              "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows"}
    out = [
        _function("dispatch_rollup_dispatches", apply_statements("postgresql", "old_rows", "events", -1, levels),
                  apply_statements("postgresql", "new_rows", "events", 1, levels)),
        _function("dispatch_rollup_events", _event_statements("postgresql", "old_rows", -1),
                  _event_statements("postgresql", "new_rows", 1)),
        # before the row goes: the cascade's statement trigger on the dispatches then finds no event to join
        _function("dispatch_rollup_event_gone", _event_statements("postgresql", _row("OLD", EVENT_COLUMNS), -1), [],
                  returns="OLD"),
    ]
    out += [f"CREATE TRIGGER dispatch_rollup_dispatches_{op.lower()} AFTER {op} ON event_dispatches REFERENCING "
            f"{tables[op]} FOR EACH STATEMENT EXECUTE FUNCTION dispatch_rollup_dispatches()" for op in tables]
    out += [f"CREATE TRIGGER dispatch_rollup_events_{op.lower()} AFTER {op} ON events REFERENCING "
            f"{tables[op]} FOR EACH STATEMENT EXECUTE FUNCTION dispatch_rollup_events()" for op in ("INSERT", "UPDATE")]
    out.append("CREATE TRIGGER dispatch_rollup_events_delete BEFORE DELETE ON events FOR EACH ROW "
               "EXECUTE FUNCTION dispatch_rollup_event_gone()")
    return out


def install_triggers(conn: Connection) -> None:
    """(Re)create the triggers that keep the rollup in the writers' transactions."""
    drop_triggers(conn)
    for statement in _sqlite_triggers() if conn.dialect.name == "sqlite" else _postgres_triggers():
        conn.execute(text(statement))


def drop_triggers(conn: Connection) -> None:
    for name in TRIGGERS[conn.dialect.name]:
        conn.execute(text(f"DROP TRIGGER IF EXISTS {name}"))


ROLLUP = Rollup("dispatch rollup", rebuild, install_triggers, drop_triggers)


def main(argv: list[str] | None = None) -> None:
    """`python -m services.events.rollup [--database-url URL]`: rebuild the rollup of a store."""
    rebuild_command(ROLLUP, "services.events.rollup", argv)


if __name__ == "__main__":
    main()
