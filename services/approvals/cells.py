"""Reading the approvals rollup (`services.approvals.rollup`) for a window, a scope and a slice.

A window [start, end) is cut into whole UTC days (read from a day level), whole hours (an hour level) and the
partial hours at its edges, which are summed from the applications themselves with the rollup's own aggregates:
every sum is exact for any window, and a window on whole hours (as the pages ask for) reads only cells. Each read
uses the smallest level that keeps the breakdowns the caller filters or groups on.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import ColumnElement, bindparam, select, text
from sqlalchemy.orm import Session

from services.access import Scope
from services.approvals.rollup import DAY, DIMS, HOUR, Level, aggregate, level_for
from services.store import ROLLUP_COMPLETED, ROLLUP_RECEIVED, Matter, UTCDateTime

MEASURES = (*ROLLUP_RECEIVED, *ROLLUP_COMPLETED)
Span = tuple[int, int]


def breakdowns(by: str | Sequence[str] | None) -> tuple[str, ...]:
    """The rollup's breakdowns (district, channel) among `by`: one name, several, or None."""
    names = (by,) if by is None or isinstance(by, str) else tuple(by)
    return tuple(name for name in names if name in DIMS)


def needs(by: str | Sequence[str] | None, scope: Scope, where: Any) -> set[str]:
    """The breakdowns beyond the matter that the read must keep."""
    wanted = set(breakdowns(by))
    if scope.districts or where.district is not None:
        wanted.add("district")
    if where.channel is not None:
        wanted.add("channel")
    return wanted


def _allowed(session: Session, scope: Scope, where: Any) -> dict[str, Any]:
    """What the scope and the slice let through: `matters` (codes of the allowed departments), `matter`,
    `districts`, `channel`; a key is absent when it does not limit anything."""
    allowed: dict[str, Any] = {}
    departments = [d for d in (where.department,) if d is not None] or sorted(scope.departments)
    if departments:
        allowed["matters"] = list(session.scalars(select(Matter.code).where(
            Matter.department.in_(departments), scope.department_filter(Matter.department)))) or [""]
    if where.matter is not None:
        allowed["matter"] = where.matter
    districts = sorted(scope.districts) if scope.districts else None
    if where.district is not None:
        districts = [d for d in (districts or [where.district]) if d == where.district] or [""]
    if districts is not None:
        allowed["districts"] = districts
    if where.channel is not None:
        allowed["channel"] = where.channel
    return allowed


_CONDITIONS = {"matters": "matter_code IN :matters", "matter": "matter_code = :matter",
               "districts": "district IN :districts", "channel": "channel = :channel"}


def _filters(session: Session, scope: Scope, where: Any, alias: str) -> tuple[list[str], dict[str, Any]]:
    """SQL conditions (on `alias`) and their parameters for the scope and the slice."""
    allowed = _allowed(session, scope, where)
    return [alias + _CONDITIONS[name] for name in allowed], allowed


def cell_filters(session: Session, scope: Scope, where: Any, table: Any) -> list[ColumnElement[bool]]:
    """The same limits as conditions on a mapped class with matter_code, district and channel columns."""
    allowed = _allowed(session, scope, where)
    tests = {"matters": lambda v: table.matter_code.in_(v), "matter": lambda v: table.matter_code == v,
             "districts": lambda v: table.district.in_(v), "channel": lambda v: table.channel == v}
    return [tests[name](value) for name, value in allowed.items()]


def _run(session: Session, sql: str, params: dict[str, Any], times: tuple[str, ...] = ()) -> Any:
    stmt = text(sql).bindparams(*[bindparam(n, expanding=True) for n in ("matters", "districts") if n in params],
                                *[bindparam(n, type_=UTCDateTime()) for n in times])
    return session.execute(stmt, params)


def _block(result: Any, keys: list[str], measures: Sequence[str]) -> pd.DataFrame:
    """Rows of sums as one int64 block of `measures` in their order (a side's read fills its own columns), keys in
    front: built with numpy, as per-column pandas work on some 80 columns costs more than the query."""
    columns, rows = list(result.keys()), result.all()
    data = np.zeros((len(rows), len(measures)), dtype=np.int64)
    if rows:
        values = np.array([tuple(r)[len(keys):] for r in rows], dtype=float)
        data[:, [measures.index(c) for c in columns[len(keys):]]] = np.nan_to_num(values).astype(np.int64)
    frame = pd.DataFrame(data, columns=list(measures))
    for position, name in enumerate(keys):
        frame.insert(position, name, [r[position] for r in rows])
    return frame


def keep(session: Session, frame: pd.DataFrame, scope: Scope, where: Any) -> pd.DataFrame:
    """The rows of `frame` (columns matter, district, channel) that the scope and the slice let through."""
    columns = {"matters": "matter", "matter": "matter", "districts": "district", "channel": "channel"}
    mask = np.ones(len(frame), dtype=bool)
    for name, value in _allowed(session, scope, where).items():
        mask &= frame[columns[name]].isin(value if isinstance(value, list) else [value]).to_numpy()
    return frame[mask]


def _floor(t: int, unit: int) -> int:
    return t - t % unit


def _ceil(t: int, unit: int) -> int:
    return -_floor(-t, unit)


def split(start: int, end: int) -> tuple[list[Span], list[Span], list[Span]]:
    """(whole days, whole hours outside them, partial hours) covering [start, end), in epoch seconds."""
    h0, h1 = _ceil(start, HOUR), _floor(end, HOUR)
    if h0 >= h1:
        return [], [], [(start, end)] if start < end else []
    d0, d1 = _ceil(h0, DAY), _floor(h1, DAY)
    days = [(d0, d1)] if d0 < d1 else []
    hours = [(h0, d0), (d1, h1)] if days else [(h0, h1)]
    return days, [s for s in hours if s[0] < s[1]], [s for s in ((start, h0), (h1, end)) if s[0] < s[1]]


def _cells(session: Session, spans: list[tuple[Level, Span]], groups: list[tuple[str, str]],
           conditions: list[str], params: dict[str, Any], measures: Sequence[str]) -> pd.DataFrame:
    ranges = [f"(level = {lv.id} AND bucket >= {a} AND bucket < {b})" for lv, (a, b) in spans]
    keys = ", ".join(f"{expr} AS {name}" for name, expr in groups)
    sums = ", ".join(f"SUM({c}) AS {c}" for c in measures)
    sql = (f"SELECT {keys}, {sums} FROM approval_rollup WHERE ({' OR '.join(ranges)})"
           + "".join(f" AND {c}" for c in conditions) + f" GROUP BY {', '.join(expr for _, expr in groups)}")
    return _block(_run(session, sql, params), [name for name, _ in groups], measures)


def _raw(session: Session, side: str, span: tuple[datetime, datetime], groups: list[tuple[str, str]],
         conditions: list[str], params: dict[str, Any], measures: Sequence[str]) -> pd.DataFrame:
    column = "a.submitted_at" if side == "received" else "a.completed_at"
    where = " AND ".join([f"{column} >= :since", f"{column} < :until", *conditions])
    sql = aggregate(session.get_bind().dialect.name, side, "applications", groups, where, only=measures)
    return _block(_run(session, sql, {**params, "since": span[0], "until": span[1]}, ("since", "until")),
                  [name for name, _ in groups], measures)


def window_sums(*, session: Session, start: datetime, end: datetime, by: str | Sequence[str] | None, scope: Scope,
                where: Any, measures: Sequence[str] = MEASURES) -> pd.DataFrame:
    """The rollup's `measures` (default every one) over [start, end) per matter (column `matter`), and per district
    and / or channel (columns named so, '' for none) as `by` names them; a row may hold zeros only. A caller that
    needs a few measures names them: each summed column costs the database as much as the cells' scan."""
    wanted = needs(by, scope, where)
    dim = [(name, f"COALESCE(a.{name}, '')") for name in breakdowns(by)]
    days, hours, partial = split(int(start.timestamp()), int(end.timestamp()))
    day_level, hour_level = level_for(DAY, wanted), level_for(HOUR, wanted)
    if hour_level is None:
        partial, hours = [*partial, *hours], []
    spans = [(lv, s) for lv, part in ((day_level, days), (hour_level, hours)) if lv is not None for s in part]
    parts = []
    if spans:
        conditions, params = _filters(session, scope, where, "")
        groups = [("matter", "matter_code"), *[(name, name) for name, _ in dim]]
        parts.append(_cells(session, spans, groups, conditions, params, measures))
    sides = [side for side, own in (("received", ROLLUP_RECEIVED), ("completed", ROLLUP_COMPLETED))
             if set(own) & set(measures)]
    if partial and sides:
        conditions, params = _filters(session, scope, where, "a.")
        for a, b in partial:
            window = (datetime.fromtimestamp(a, start.tzinfo), datetime.fromtimestamp(b, start.tzinfo))
            for side in sides:
                parts.append(_raw(session, side, window, [("matter", "a.matter_code"), *dim], conditions, params,
                                  measures))
    keys = ["matter", *[name for name, _ in dim]]
    if len(parts) == 1:
        return parts[0]
    if not parts:
        return pd.DataFrame(columns=[*keys, *measures]).astype({m: "int64" for m in measures})
    return pd.concat(parts, ignore_index=True).groupby(keys, as_index=False)[list(measures)].sum()


def hourly_counts(*, session: Session, start: datetime, scope: Scope, where: Any) -> tuple[pd.DataFrame, int] | None:
    """(received and completed per hour bucket (epoch seconds) from `start`, which must be a whole hour, to the
    newest; the applications received before `start` and not completed before it), or None when no hour level
    keeps the slice's breakdowns."""
    wanted = needs(None, scope, where)
    hour_level, day_level = level_for(HOUR, wanted), level_for(DAY, wanted)
    since = int(start.timestamp())
    if hour_level is None or since % HOUR or day_level is None:
        return None
    conditions, params = _filters(session, scope, where, "")
    extra = "".join(f" AND {c}" for c in conditions)
    first_day = _floor(since, DAY)
    hours = _run(session, f"SELECT bucket, SUM(received), SUM(completed) FROM approval_rollup WHERE level = "
                          f"{hour_level.id} AND bucket >= {first_day}{extra} GROUP BY bucket ORDER BY bucket", params)
    counts = pd.DataFrame(np.array([tuple(r) for r in hours], dtype=np.int64).reshape(-1, 3),
                          columns=["bucket", "received", "completed"])
    before = _run(session, f"SELECT SUM(received) - SUM(completed) FROM approval_rollup WHERE level = "
                           f"{day_level.id} AND bucket < {first_day}{extra}", params).scalar()
    early = counts[counts["bucket"] < since]
    opened = int(before or 0) + int(early["received"].sum() - early["completed"].sum())
    return counts[counts["bucket"] >= since].reset_index(drop=True), opened
