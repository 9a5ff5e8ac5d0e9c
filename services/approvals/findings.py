"""What service reformers act on: idle matters, matters that send too many applicants back, overdue work, and the
application list at the bottom of a drill-down (personal data masked unless the caller may see it)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from services.access import CITY_WIDE, Scope, mask_name, mask_phone
from services.approvals.cells import cell_filters
from services.approvals.metrics import return_reasons, summary
from services.approvals.queries import ALL, CACHE, AnySelect, Slice, scoped
from services.sla import sla_card
from services.store import Application, ApprovalOpenWork, Matter
from services.store.cache import cached_query

HIGH_RETURN_RATE = 0.30
LIST_COLUMNS = ["id", "matter_code", "district", "channel", "status", "submitted_at", "due_at", "completed_at",
                "applicant_name", "applicant_phone", "return_reason", "rating", "card"]


@cached_query(CACHE)
def idle_matters(*, session: Session, now: datetime, days: int = 30, scope: Scope = CITY_WIDE) -> pd.DataFrame:
    """Matters with no application in the last `days` (candidates to remove or merge), longest idle first:
    columns code, name_zh, name_en, department, last_submitted (NaT = never)."""
    recent = exists().where(Application.matter_code == Matter.code, Application.submitted_at >= now - timedelta(
        days=days), scope.district_filter(Application.district))
    last = select(func.max(Application.submitted_at)).where(
        Application.matter_code == Matter.code, scope.district_filter(Application.district)).scalar_subquery()
    rows = session.execute(select(Matter.code, Matter.name_zh, Matter.name_en, Matter.department,
                                  last.label("last_submitted"))
                           .where(~recent, scope.department_filter(Matter.department))).all()
    frame = pd.DataFrame(rows, columns=["code", "name_zh", "name_en", "department", "last_submitted"])
    frame["last_submitted"] = pd.to_datetime(frame["last_submitted"], utc=True)
    return frame.sort_values(["last_submitted", "code"], na_position="first", ignore_index=True)


@cached_query(CACHE)
def high_return_matters(*, session: Session, start: datetime, end: datetime, threshold: float = HIGH_RETURN_RATE,
                        min_received: int = 20, scope: Scope = CITY_WIDE, where: Slice = ALL) -> pd.DataFrame:
    """Matters received at least `min_received` times whose return-for-correction rate exceeds `threshold`, with
    their three commonest reasons (columns matter, received, returned, return_rate, reasons: list of (reason,
    share)), worst first."""
    rates = summary(session=session, start=start, end=end, by="matter", scope=scope, where=where)
    bad = rates[(rates["received"] >= min_received) & (rates["return_rate"] > threshold)]
    reasons = return_reasons(session=session, start=start, end=end, by="matter", top=3, scope=scope, where=where)
    listed: dict[str, list[tuple[str, float]]] = {}  # a plain pass: a pandas group per matter costs ~1 ms each
    for key, reason, share in zip(reasons["key"], reasons["reason"], reasons["share"].round(3), strict=True):
        listed.setdefault(key, []).append((reason, share))
    out = bad[["key", "received", "returned", "return_rate"]].rename(columns={"key": "matter"})
    out["reasons"] = [listed.get(code, []) for code in out["matter"]]
    return out.sort_values(["return_rate", "matter"], ascending=[False, True], ignore_index=True)


@cached_query(CACHE)
def overdue(*, session: Session, now: datetime, limit: int = 50, reveal_pii: bool = False,
            scope: Scope = CITY_WIDE, where: Slice = ALL) -> tuple[dict[str, int], pd.DataFrame]:
    """Open applications with a yellow card (≥ 80 % of the time limit used) or a red one (overdue): the count of
    each, and the `limit` most urgent (red first, longest overdue first) in the application-list columns. Read
    from the open work the rollup's triggers keep, by its due and yellow moments."""
    work = ApprovalOpenWork
    red = work.due_at < now
    stmt = select(func.count(), func.sum(case((red, 1), else_=0))).where(
        or_(work.yellow_at <= now.timestamp(), red), *cell_filters(session, scope, where, work))
    total, reds = (int(v or 0) for v in session.execute(stmt).one())
    ids = select(work.id).where(or_(work.yellow_at <= now.timestamp(), red),
                                *cell_filters(session, scope, where, work)).order_by(work.due_at, work.id).limit(limit)
    frame = _list(session, select(*_list_columns()).where(Application.id.in_(ids)).order_by(
        Application.due_at, Application.id), now, reveal_pii)
    return {"red": reds, "yellow": total - reds}, frame


def _list_columns() -> list[Any]:
    return [Application.id, Application.matter_code, Application.district, Application.channel, Application.status,
            Application.submitted_at, Application.due_at, Application.completed_at, Application.applicant_name,
            Application.applicant_phone, Application.return_reason, Application.rating, Application.accepted_at]


def _list(session: Session, stmt: AnySelect, now: datetime, reveal_pii: bool) -> pd.DataFrame:
    rows = session.execute(stmt).all()
    frame = pd.DataFrame(rows, columns=[*LIST_COLUMNS[:-1], "accepted_at"])
    frame["card"] = [sla_card(r.accepted_at or r.submitted_at, r.due_at, r.completed_at or now) for r in rows]
    if not reveal_pii:
        frame["applicant_name"] = frame["applicant_name"].map(mask_name)
        frame["applicant_phone"] = frame["applicant_phone"].map(mask_phone)
    for column in ("submitted_at", "due_at", "completed_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame[LIST_COLUMNS]


@cached_query(CACHE)
def application_list(*, session: Session, start: datetime, end: datetime, now: datetime, limit: int = 200,
                     reveal_pii: bool = False, scope: Scope = CITY_WIDE, where: Slice = ALL) -> pd.DataFrame:
    """The newest applications received in the window in the slice (the drill-down's last level), each with the
    SLA card it has now (or earned when it finished); names and phones masked unless `reveal_pii`."""
    stmt = scoped(select(*_list_columns()), scope, where).where(
        and_(Application.submitted_at >= start, Application.submitted_at < end)).order_by(
        Application.submitted_at.desc(), Application.id.desc()).limit(limit)
    return _list(session, stmt, now, reveal_pii)
