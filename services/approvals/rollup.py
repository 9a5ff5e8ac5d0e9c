"""The approvals rollup (`approval_rollup`): applications summed per time bucket, matter, district and channel, so
the approvals views read a few thousand cells instead of millions of applications.

Four levels trade detail for size (2 M applications over 90 days: about 9 k cells per day of the whole city by
matter, 200 k by matter, district and channel):

| level | bucket | breakdown |
| --- | --- | --- |
| 0 | hour | matter |
| 1 | day (UTC) | matter |
| 2 | hour | matter, district |
| 3 | day (UTC) | matter, district, channel |

An application adds its received-side measures to the cells of the bucket it was submitted in and its completed-side
measures (with the processing-time histograms, `services.store.HOUR_BOUNDS` / `PCT_BOUNDS`) to those of the bucket it
was completed in. Triggers on `applications` keep every level in the writer's own transaction, whoever writes
(the simulator, the seed, the API, a hand-made UPDATE): row triggers on SQLite, statement triggers over transition
tables on PostgreSQL (one set-based pass per COPY). Every statement is generated from one definition per side
(`aggregate`), which the rebuild and the views' raw reads of partial hours use too.

Bulk loads run inside `services.store.rollups.suspended(engine, ROLLUP)`: no triggers while loading, one rebuild after.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, text

from services.sla import YELLOW_SHARE
from services.store import HOUR_BOUNDS, PCT_BOUNDS, ROLLUP_COMPLETED, ROLLUP_RECEIVED
from services.store.rollups import Rollup, rebuild_command

HOUR, DAY = 3600, 86400
OPEN_STATUSES = ("submitted", "accepted", "in_review", "returned")
DIMS = ("district", "channel")
KEY = ("level", "bucket", "matter_code", "district", "channel")
ENTERPRISE = "enterprise"  # the applicant kind the enterprise_* measures count
# what an application's row contributes from, per side (an UPDATE of other columns leaves the rollup alone)
SOURCE = {"received": ("matter_code", "district", "channel", "submitted_at", "visits", "return_reason",
                       "applicant_kind"),
          "completed": ("matter_code", "district", "channel", "submitted_at", "accepted_at", "completed_at",
                        "due_at", "rating", "applicant_kind"),
          "open": ("matter_code", "district", "channel", "submitted_at", "accepted_at", "completed_at", "due_at",
                   "status")}
TRIGGERS = ("approval_rollup_insert", "approval_rollup_delete", "approval_rollup_update_received",
            "approval_rollup_update_completed", "approval_rollup_update_open", "approval_rollup_update")


@dataclass(frozen=True)
class Level:
    id: int
    unit: int
    dims: tuple[str, ...]


LEVELS = (Level(0, HOUR, ()), Level(1, DAY, ()), Level(2, HOUR, ("district",)), Level(3, DAY, DIMS))
DERIVED = {0: 2, 1: 3}  # a level summed from a finer one of the same grain (the rebuild reads applications twice)


def level_for(unit: int, needs: set[str]) -> Level | None:
    """The smallest level of grain `unit` that keeps every breakdown in `needs`, or None."""
    return next((lv for lv in LEVELS if lv.unit == unit and needs <= set(lv.dims)), None)


def epoch(dialect: str, column: str) -> str:
    """Whole UTC epoch seconds of a timestamp column, floored alike on both backends (SQLite stores
    'YYYY-MM-DD HH:MM:SS.ffffff', naive UTC: the fraction is cut, as unixepoch would round it; unixepoch, SQLite
    3.38, costs a fifth of strftime('%s'))."""
    if dialect == "sqlite":
        return f"unixepoch(substr({column}, 1, 19))"
    return f"CAST(floor(extract(epoch FROM {column})) AS BIGINT)"


def bucket(dialect: str, column: str, unit: int) -> str:
    return f"(({epoch(dialect, column)}) / {unit}) * {unit}"


def _fence(dialect: str) -> str:
    """Keeps the planner from inlining a subquery's computed columns into every use (once per row, not 60 times)."""
    return "LIMIT -1" if dialect == "sqlite" else "OFFSET 0"


def _count(condition: str) -> str:
    return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"


def _chain(value: str, bounds: Sequence[int]) -> str:
    """The index of the bucket of `value` (below the first bound counts in the first bucket)."""
    steps = " ".join(f"WHEN {value} < {b} THEN {i}" for i, b in enumerate(bounds[1:]))
    return f"CASE WHEN {value} IS NULL THEN NULL {steps} ELSE {len(bounds) - 1} END"


def measures(side: str) -> list[tuple[str, str]]:
    """(column, aggregate over alias `a`) of one side; the completed side's `a` carries `hb` and `pb`."""
    if side == "received":
        return [("received", "COUNT(*)"), ("visits", "SUM(COALESCE(a.visits, 0))"),
                ("at_most_one_visit", _count("COALESCE(a.visits, 0) <= 1")),
                ("no_visit", _count("COALESCE(a.visits, 0) = 0")), ("returned", _count("a.return_reason IS NOT NULL")),
                ("fully_online", _count("a.channel IN ('online', 'mobile') AND COALESCE(a.visits, 0) = 0")),
                ("enterprise_received", _count(f"a.applicant_kind = '{ENTERPRISE}'"))]
    return [("completed", "COUNT(*)"), ("with_due", _count("a.due_at IS NOT NULL")),
            ("on_time", _count("a.completed_at <= a.due_at")),
            ("enterprise_with_due", _count(f"a.applicant_kind = '{ENTERPRISE}' AND a.due_at IS NOT NULL")),
            ("enterprise_on_time", _count(f"a.applicant_kind = '{ENTERPRISE}' AND a.completed_at <= a.due_at")),
            *[(f"rating_{v}", _count(f"a.rating = {v}")) for v in range(1, 6)],
            *[(f"h_{b}", _count(f"a.hb = {i}")) for i, b in enumerate(HOUR_BOUNDS)],
            *[(f"pct_{b}", _count(f"a.pb = {i}")) for i, b in enumerate(PCT_BOUNDS)]]


def aggregate(dialect: str, side: str, relation: str, keys: Sequence[tuple[str, str]], where: str = "true",
              sign: int = 1, only: Collection[str] | None = None) -> str:
    """SELECT keys and `side`'s measures (times `sign`; those named in `only`, default all) over the applications
    of `relation` (a table, transition table or one-row subquery) that satisfy `where` (on alias `a`), grouped by
    the keys; key expressions use alias `a` and may use `{time}`, the side's timestamp column. The processing-time
    buckets are computed only when a histogram measure is asked for."""
    column = "a.submitted_at" if side == "received" else "a.completed_at"
    source = f"{relation} a"
    chosen = [(name, expr) for name, expr in measures(side) if only is None or name in only]
    if side == "completed" and not any(name.startswith(("h_", "pct_")) for name, _ in chosen):
        where = f"a.completed_at IS NOT NULL AND {where}"
    elif side == "completed":
        started = epoch(dialect, "COALESCE(a.accepted_at, a.submitted_at)")
        hours = f"(({epoch(dialect, 'a.completed_at')}) - ({started})) / 3600"
        fence = _fence(dialect)
        inner = (f"SELECT a.matter_code, a.district, a.channel, a.submitted_at, a.completed_at, a.due_at, a.rating, "
                 f"a.applicant_kind, "
                 f"{hours} AS hours, CASE WHEN m.promised_days > 0 THEN ({hours}) * 100 / (m.promised_days * 24) END "
                 f"AS pct FROM {relation} a LEFT JOIN matters m ON m.code = a.matter_code "
                 f"WHERE a.completed_at IS NOT NULL AND {where} {fence}")
        source = (f"(SELECT z.*, {_chain('z.hours', HOUR_BOUNDS)} AS hb, {_chain('z.pct', PCT_BOUNDS)} AS pb "
                  f"FROM ({inner}) z {fence}) a")
        where = "true"
    resolved = [(name, expr.format(time=column)) for name, expr in keys]
    sums = [f"{sign} * {expr} AS {name}" for name, expr in chosen]
    groups = [expr for _, expr in resolved if not expr.startswith("'") and not expr.isdigit()]
    return (f"SELECT {', '.join(f'{expr} AS {name}' for name, expr in resolved)}, {', '.join(sums)} "
            f"FROM {source} WHERE {where}" + (f" GROUP BY {', '.join(groups)}" if groups else ""))


def _cell_keys(dialect: str, level: Level) -> list[tuple[str, str]]:
    dims = [(d, f"COALESCE(a.{d}, '')" if d in level.dims else "''") for d in DIMS]
    return [("level", str(level.id)), ("bucket", bucket(dialect, "{time}", level.unit)),
            ("matter_code", "a.matter_code"), *dims]


def _upsert(select: str, columns: Sequence[str]) -> str:
    added = ", ".join(f"{c} = approval_rollup.{c} + excluded.{c}" for c in columns)
    return (f"INSERT INTO approval_rollup ({', '.join((*KEY, *columns))}) {select} "
            f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET {added}")


def _side_columns(side: str) -> tuple[str, ...]:
    return ROLLUP_RECEIVED if side == "received" else ROLLUP_COMPLETED


def apply_statements(dialect: str, relation: str, sign: int, sides: Sequence[str] = ("received", "completed"),
                     levels: Sequence[Level] = LEVELS) -> list[str]:
    """The upserts that add (sign 1) or take away (-1) the applications of `relation` to / from every level."""
    return [_upsert(aggregate(dialect, side, relation, _cell_keys(dialect, level), sign=sign), _side_columns(side))
            for level in levels for side in sides]


def _derive(level: Level, source: Level) -> str:
    dims = ", ".join(d if d in level.dims else "''" for d in DIMS)
    groups = ", ".join(["bucket", "matter_code", *level.dims])
    sums = ", ".join(f"SUM({c})" for c in (*ROLLUP_RECEIVED, *ROLLUP_COMPLETED))
    return (f"INSERT INTO approval_rollup ({', '.join((*KEY, *ROLLUP_RECEIVED, *ROLLUP_COMPLETED))}) "
            f"SELECT {level.id}, bucket, matter_code, {dims}, {sums} FROM approval_rollup "
            f"WHERE level = {source.id} GROUP BY {groups}")


def open_work(dialect: str, relation: str) -> str:
    """INSERT into `approval_open_work` the open applications with a time limit of `relation`."""
    started, due = epoch(dialect, "COALESCE(a.accepted_at, a.submitted_at)"), epoch(dialect, "a.due_at")
    statuses = ", ".join(f"'{s}'" for s in OPEN_STATUSES)
    return (f"INSERT INTO approval_open_work (id, matter_code, district, channel, due_at, yellow_at) "
            f"SELECT a.id, a.matter_code, a.district, a.channel, a.due_at, CASE WHEN {due} > {started} THEN "
            f"{started} + ({due} - {started}) * {YELLOW_SHARE} END FROM {relation} a WHERE a.status IN ({statuses}) "
            f"AND a.completed_at IS NULL AND a.due_at IS NOT NULL")


def _fill(dialect: str, level: Level) -> str:
    """One pass of the applications into `level`: both sides' cells side by side, summed per cell, inserted."""
    keys = _cell_keys(dialect, level)
    names = [name for name, _ in keys]
    columns = (*ROLLUP_RECEIVED, *ROLLUP_COMPLETED)
    sides = []
    for side in ("received", "completed"):
        own = _side_columns(side)
        values = ", ".join(c if c in own else f"0 AS {c}" for c in columns)
        sides.append(f"SELECT {', '.join(names)}, {values} FROM ({aggregate(dialect, side, 'applications', keys)}) s")
    sums = ", ".join(f"SUM({c})" for c in columns)
    return (f"INSERT INTO approval_rollup ({', '.join((*KEY, *columns))}) SELECT {', '.join(names)}, {sums} "
            f"FROM ({' UNION ALL '.join(sides)}) u GROUP BY {', '.join(names)}")


def rebuild(conn: Connection) -> int:
    """Recompute every cell from the applications (after a bulk load, or to check the triggers); returns the
    number of cells."""
    dialect = conn.dialect.name
    conn.execute(text("DELETE FROM approval_open_work"))
    conn.execute(text(open_work(dialect, "applications")))
    conn.execute(text("DELETE FROM approval_rollup"))
    for level in sorted(LEVELS, key=lambda lv: lv.id in DERIVED):  # the finer levels first
        source = DERIVED.get(level.id)
        conn.execute(text(_fill(dialect, level) if source is None else _derive(level, LEVELS[source])))
    return int(conn.execute(text("SELECT count(*) FROM approval_rollup")).scalar_one())


def _sqlite_row(prefix: str) -> str:
    columns = sorted({"id", *(c for side in SOURCE.values() for c in side)})
    return "(SELECT " + ", ".join(f"{prefix}.{c} AS {c}" for c in columns) + ")"


def _sqlite_triggers() -> list[str]:
    forget = "DELETE FROM approval_open_work WHERE id = OLD.id"
    body = {"INSERT": [*apply_statements("sqlite", _sqlite_row("NEW"), 1), open_work("sqlite", _sqlite_row("NEW"))],
            "DELETE": [*apply_statements("sqlite", _sqlite_row("OLD"), -1), forget]}
    out = [f"CREATE TRIGGER approval_rollup_{op.lower()} AFTER {op} ON applications BEGIN {'; '.join(stmts)}; END"
           for op, stmts in body.items()]
    for side, columns in SOURCE.items():
        changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)
        stmts = "; ".join([forget, open_work("sqlite", _sqlite_row("NEW"))] if side == "open" else [
            *apply_statements("sqlite", _sqlite_row("OLD"), -1, (side,)),
            *apply_statements("sqlite", _sqlite_row("NEW"), 1, (side,))])
        out.append(f"CREATE TRIGGER approval_rollup_update_{side} AFTER UPDATE OF {', '.join(columns)} "
                   f"ON applications WHEN {changed} BEGIN {stmts}; END")
    return out


def _postgres_triggers() -> list[str]:
    old = "; ".join([*apply_statements("postgresql", "old_rows", -1),
                     "DELETE FROM approval_open_work WHERE id IN (SELECT id FROM old_rows)"])
    new = "; ".join([*apply_statements("postgresql", "new_rows", 1), open_work("postgresql", "new_rows")])
    function = (f"CREATE OR REPLACE FUNCTION approval_rollup_apply() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"IF TG_OP IN ('UPDATE', 'DELETE') THEN {old}; END IF; "
                f"IF TG_OP IN ('INSERT', 'UPDATE') THEN {new}; END IF; RETURN NULL; END $$")
    tables = {"INSERT": "NEW TABLE AS new_rows", "DELETE": "OLD TABLE AS old_rows",
              "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows"}
    return [function, *[f"CREATE TRIGGER approval_rollup_{op.lower()} AFTER {op} ON applications REFERENCING "
                        f"{tables[op]} FOR EACH STATEMENT EXECUTE FUNCTION approval_rollup_apply()" for op in tables]]


def install_triggers(conn: Connection) -> None:
    """(Re)create the triggers that keep the rollup in the writers' transactions."""
    drop_triggers(conn)
    for statement in _sqlite_triggers() if conn.dialect.name == "sqlite" else _postgres_triggers():
        conn.execute(text(statement))


def drop_triggers(conn: Connection) -> None:
    suffix = "" if conn.dialect.name == "sqlite" else " ON applications"
    for name in TRIGGERS:
        conn.execute(text(f"DROP TRIGGER IF EXISTS {name}{suffix}"))


ROLLUP = Rollup("approval rollup", rebuild, install_triggers, drop_triggers)


def main(argv: list[str] | None = None) -> None:
    """`python -m services.approvals.rollup [--database-url URL]`: rebuild the rollup of a store."""
    rebuild_command(ROLLUP, "services.approvals.rollup", argv)


if __name__ == "__main__":
    main()
