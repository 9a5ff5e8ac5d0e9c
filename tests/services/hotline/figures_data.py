"""Work orders for the /hotline figures' tests, on any store: random but seeded, with every case the figures count
(replied late and on time, closed, overdue, 回访 verdicts, repeats, returned dispatches, a bursting term), and
`frames` reads them back as plain rows for a pandas recomputation."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.store import Department, District, Event, EventDispatch, HotlineCall, WorkOrder

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
DISTRICTS = {"350203": "思明区", "350206": "湖里区"}
DEPARTMENTS = ("urban_mgmt", "municipal", "water", "police")
CATEGORIES = ("city_appearance", "facilities", "traffic", "public_security")
CHANNELS = ("phone", "phone", "phone", "web", "app", "mini_program", "province")
BURST = "停水"
TEXTS = ("路灯不亮晚上很黑", "噪声扰民影响休息", "道路破损车辆颠簸", "暴露垃圾无人清理", "占道经营堵塞人行道")


def add_catalog(session: Session) -> None:
    """The two districts and four departments the orders use (for an empty store)."""
    session.add_all([District(adcode=code, name_zh=name, name_en=code, geometry="{}")
                     for code, name in DISTRICTS.items()])
    session.add_all([Department(code=code, name_zh=code, name_en=code, kind=code) for code in DEPARTMENTS])
    session.flush()


def add_orders(session: Session, n: int, *, now: datetime = NOW, seed: int = 5, days: float = 14,
               districts: tuple[str, ...] = tuple(DISTRICTS), departments: tuple[str, ...] = DEPARTMENTS,
               categories: tuple[str, ...] = CATEGORIES, calls: int = 300) -> list[int]:
    """`n` events with work orders reported in the `days` before `now`, their dispatches, and `calls` calls; the
    caller commits. The newest week says BURST in a fifth of its texts, the week before never."""
    rng = random.Random(seed)
    ids: list[int] = []
    for _ in range(n):
        reported = now - timedelta(hours=rng.uniform(0, days * 24))
        status = rng.choice(("registered", "dispatched", "in_progress", "feedback", "closed", "closed", "closed"))
        due = reported + timedelta(hours=rng.choice((2, 24, 72, 120)))
        closed_at = reported + timedelta(hours=rng.uniform(1, 150)) if status == "closed" else None
        if closed_at is not None and closed_at > now:
            closed_at = now - timedelta(minutes=1)
        burst = now - reported < timedelta(days=7) and rng.random() < 0.2
        text = (BURST + "三天了") if burst else rng.choice(TEXTS)
        district = rng.choice(districts)
        event = Event(category=rng.choice(categories), source="hotline", severity="moderate", status=status,
                      district=district, grid=f"{district}-g{rng.randrange(4)}", lat=24.45, lon=118.08,
                      reported_at=reported, sla_due_at=due, closed_at=closed_at, description=text,
                      reporter_name=rng.choice(("张三丰", "李四", "王小五")),
                      reporter_phone=f"138{rng.randrange(10**8):08d}", address="某路1号")
        session.add(event)
        session.flush()
        reply_due = reported + timedelta(hours=24)
        replied = reported + timedelta(hours=rng.uniform(1, 48)) if status in ("feedback", "closed") else None
        if replied is not None and replied > now:
            replied = None
        followed = closed_at is not None and rng.random() < 0.7
        order = WorkOrder(event_id=event.id, channel=rng.choice(CHANNELS), token=str(uuid.UUID(int=rng.getrandbits(128))),
                          urgency=rng.choice(("urgent", "ordinary")), reply_due_at=reply_due, replied_at=replied,
                          reply="已处理" if replied else None, followed_up_at=closed_at if followed else None,
                          reached=rng.random() < 0.85 if followed else None,
                          satisfaction=rng.choice(("satisfied", "satisfied", "basic", "dissatisfied"))
                          if followed else None,
                          repeat_of=rng.choice(ids) if ids and rng.random() < 0.15 else None)
        session.add(order)
        if status != "registered":
            for department in rng.sample(departments, rng.choice((1, 1, 2))):
                session.add(EventDispatch(event_id=event.id, department=department, dispatched_at=reported,
                                          status=rng.choice(("dispatched", "finished", "finished", "returned"))))
        ids.append(event.id)
    for number in range(calls):
        answered = rng.random() < 0.9
        session.add(HotlineCall(source="pbx", external_id=f"c{seed}-{number}", answered=answered,
                                started_at=now - timedelta(hours=rng.uniform(0, days * 24)),
                                wait_s=rng.uniform(0, 40), talk_s=rng.uniform(30, 300) if answered else None))
    session.flush()
    return ids


def frames(session: Session) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(orders: the event's and the order's columns, one row per order; dispatches; calls), as stored."""
    order_columns = [Event.id, Event.reported_at, Event.category, Event.district, Event.grid, Event.status,
                     Event.sla_due_at, Event.closed_at, Event.description, WorkOrder.channel, WorkOrder.reply_due_at,
                     WorkOrder.replied_at, WorkOrder.followed_up_at, WorkOrder.reached, WorkOrder.satisfaction,
                     WorkOrder.repeat_of]
    orders = pd.DataFrame(session.execute(select(*order_columns).join(WorkOrder, WorkOrder.event_id == Event.id))
                          .all(), columns=[c.key for c in order_columns])
    dispatches = pd.DataFrame(session.execute(select(EventDispatch.event_id, EventDispatch.department,
                                                     EventDispatch.status)).all(),
                              columns=["event_id", "department", "status"])
    calls = pd.DataFrame(session.execute(select(HotlineCall.started_at, HotlineCall.answered,
                                                HotlineCall.wait_s)).all(), columns=["started_at", "answered",
                                                                                     "wait_s"])
    for frame in (orders, calls):
        for column in frame.columns:
            if column.endswith("_at"):
                frame[column] = pd.to_datetime(frame[column], utc=True)
    return orders, dispatches, calls


def in_period(orders: pd.DataFrame, start: datetime, end: datetime) -> pd.DataFrame:
    at = orders["reported_at"]
    return orders[(at >= pd.Timestamp(start)) & (at < pd.Timestamp(end))]


def expected_summary(orders: pd.DataFrame, now: datetime) -> dict[str, float | int | None]:
    """The page's tiles recomputed in pandas from the rows (the definitions of services/hotline/figures)."""
    now_ts = pd.Timestamp(now)
    replied = orders["replied_at"].notna()
    reply_judged = orders["reply_due_at"].notna() & (replied | (orders["reply_due_at"] < now_ts))
    on_time_reply = replied & (orders["replied_at"] <= orders["reply_due_at"])
    closed = orders["status"] == "closed"
    close_judged = orders["sla_due_at"].notna() & (closed | (orders["sla_due_at"] < now_ts))
    on_time_close = closed & (orders["closed_at"] <= orders["sla_due_at"])
    rated = orders["reached"].eq(True) & orders["satisfaction"].notna()
    good = rated & orders["satisfaction"].isin(["satisfied", "basic"])
    overdue = ~orders["status"].isin(["closed", "cancelled"]) & (orders["sla_due_at"] < now_ts)

    def share(part: pd.Series, whole: pd.Series) -> float | None:
        return float(part.sum() / whole.sum()) if whole.sum() else None

    return {"orders": len(orders), "on_time_reply": share(on_time_reply, reply_judged),
            "on_time_close": share(on_time_close, close_judged), "satisfaction": share(good, rated),
            "overdue": int(overdue.sum()), "repeats": int(orders["repeat_of"].notna().sum()),
            "dissatisfied": int((rated & (orders["satisfaction"] == "dissatisfied")).sum())}


def expected_departments(orders: pd.DataFrame, dispatches: pd.DataFrame, now: datetime) -> pd.DataFrame:
    """Per department: orders it holds (a dispatch not returned), overdue, dissatisfied, repeats, and the orders
    it returned (a dispatch returned)."""
    now_ts = pd.Timestamp(now)
    shares = dispatches.assign(kept=dispatches["status"] != "returned", gave_back=dispatches["status"] == "returned"
                               ).groupby(["event_id", "department"], as_index=False)[["kept", "gave_back"]].max()
    joined = shares.merge(orders, left_on="event_id", right_on="id")
    held = joined[joined["kept"]]
    overdue = ~held["status"].isin(["closed", "cancelled"]) & (held["sla_due_at"] < now_ts)
    out = pd.DataFrame({
        "orders": held.groupby("department").size(),
        "overdue": overdue.groupby(held["department"]).sum(),
        "dissatisfied": (held["satisfaction"] == "dissatisfied").groupby(held["department"]).sum(),
        "repeats": held["repeat_of"].notna().groupby(held["department"]).sum(),
        "returned": joined["gave_back"].groupby(joined["department"]).sum(),
    }).fillna(0).astype("int64")
    return out.sort_index()
