"""The 12345 hotline's records: work orders (工单), the citizen-request side of an event, and the calls the
telephone system reports (so the answer rate and pick-up time are measured, not made up).

A work order is one row per event that a citizen asked for: how it came in (the channel), the Open311 token that
answers for it before its id is known, the media link the citizen attached, and the submitter's account details
(personal data: never in an Open311 answer). A call keeps its caller only as a keyed hash of the number.

The order's lifecycle (services/hotline/orders.py) rides on its event's: 受理 registered, 派单 dispatched (one
dispatch per department; 退单 is a dispatch `returned`, 重派 a new dispatch), 办理 in_progress, 回复 the reply
below (the event moves to feedback), 办结 closed; 回访 is recorded here and a dissatisfied one reopens the event
(closed → rework). 督办 (supervision) is its own table, for events, applications and alerts alike."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.store.models.base import Base, BigId, UTCDateTime


class WorkOrder(Base):
    __tablename__ = "work_orders"
    event_id: Mapped[int] = mapped_column(BigId, ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), doc="phone | web | app | mini_program | province | open311")
    token: Mapped[str] = mapped_column(String(36), doc="Open311's token for the request (GET tokens/{token})")
    media_url: Mapped[str | None] = mapped_column(String(1024))
    email: Mapped[str | None] = mapped_column(String(128), doc="PII")
    device_id: Mapped[str | None] = mapped_column(String(64), doc="PII")
    account_id: Mapped[str | None] = mapped_column(String(64), doc="PII")
    # migration 0014: the hotline's lifecycle beside its event's
    urgency: Mapped[str] = mapped_column(String(8), default="ordinary", doc="urgent | ordinary (the time limits)")
    reply_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, doc="when the citizen must have an answer")
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reply: Mapped[str | None] = mapped_column(Text, doc="the department's answer to the citizen (回复)")
    followed_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime, doc="回访: when the citizen was called")
    reached: Mapped[bool | None] = mapped_column(Boolean, doc="回访: whether the citizen was reached")
    satisfaction: Mapped[str | None] = mapped_column(String(12), doc="satisfied | basic | dissatisfied")
    reopened: Mapped[int] = mapped_column(Integer, default=0, doc="times a dissatisfied 回访 reopened it")
    caller_key: Mapped[str | None] = mapped_column(String(24), doc="keyed hash of the reporter's number")
    repeat_of: Mapped[int | None] = mapped_column(BigId, doc="the earlier order this one repeats (重复投诉)")
    # migration 0020: the text's terms cut once, on arrival (services/hotline/terms.py)
    terms: Mapped[str | None] = mapped_column(Text, doc="the text's distinct terms, space-separated (hot topics)")
    terms_cut: Mapped[str | None] = mapped_column(String(16), doc="the segmentation's stamp the terms were cut with")
    __table_args__ = (Index("uq_work_orders_token", "token", unique=True),
                      Index("ix_work_orders_caller_key", "caller_key"))


class Supervision(Base):
    """督办: a leader's instruction (批示) on an overdue or important case, to one department, with a deadline; the
    department's reply clears it, no reply by the deadline escalates it. `subject` is `event`, `application` or
    `alert`, and `subject_id` its id as text (alerts have text ids)."""

    __tablename__ = "supervisions"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subject: Mapped[str] = mapped_column(String(12))
    subject_id: Mapped[str] = mapped_column(String(64))
    department: Mapped[str] = mapped_column(ForeignKey("departments.code"))
    instruction: Mapped[str] = mapped_column(Text)
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(12), doc="open | replied | escalated | cleared")
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reply: Mapped[str | None] = mapped_column(Text)
    replied_by: Mapped[str | None] = mapped_column(String(64))
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    __table_args__ = (Index("ix_supervisions_subject", "subject", "subject_id"),
                      Index("ix_supervisions_department_status", "department", "status"))


class HotlineCall(Base):
    """One call to the hotline as the telephone system reports it: answered or abandoned, after how long."""

    __tablename__ = "hotline_calls"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(32), doc="the reporting telephone system (the token's name)")
    external_id: Mapped[str] = mapped_column(String(64), doc="the telephone system's call id")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, doc="when the call reached the queue")
    wait_s: Mapped[float] = mapped_column(Float, doc="seconds in the queue, until answered or hung up")
    answered: Mapped[bool] = mapped_column(Boolean)
    talk_s: Mapped[float | None] = mapped_column(Float, doc="seconds talking, when answered")
    agent: Mapped[str | None] = mapped_column(String(32))
    queue: Mapped[str | None] = mapped_column(String(32))
    caller_key: Mapped[str | None] = mapped_column(String(24), doc="keyed hash of the number (repeat callers)")
    __table_args__ = (Index("uq_hotline_calls_source_external_id", "source", "external_id", unique=True),
                      Index("ix_hotline_calls_started_at", "started_at"))


HOTLINE_MEASURES = ("orders", "replied_with_due", "replied_on_time", "closed_with_sla", "closed_on_time",
                   "followed_up", "rated", "satisfied", "basic", "dissatisfied", "repeats")


class _HourCell:
    """The key the hotline rollups share, in this order: a UTC hour, district ('' for none), category and channel
    (a subclass appends its own key column). Stored in key order: a window's cells are one contiguous range."""

    hour: Mapped[int] = mapped_column(BigInteger, primary_key=True, sort_order=-1,
                                      doc="UTC epoch seconds of the hour's start")
    district: Mapped[str] = mapped_column(String(12), primary_key=True, sort_order=-1)
    category: Mapped[str] = mapped_column(String(32), primary_key=True, sort_order=-1)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True, sort_order=-1)
    __table_args__ = {"sqlite_with_rowid": False}


class HotlineRollup(_HourCell, Base):
    """The work orders reported in one UTC hour, district ('' for none), category and channel, summed: the page's
    counts that no longer change with the clock (services/hotline/rollup.py keeps them by triggers, in the
    writer's transaction). What does change with the clock is read from `hotline_pending`."""

    __tablename__ = "hotline_rollup"
    orders: Mapped[int] = mapped_column(Integer, server_default="0")
    replied_with_due: Mapped[int] = mapped_column(Integer, server_default="0")
    replied_on_time: Mapped[int] = mapped_column(Integer, server_default="0")
    closed_with_sla: Mapped[int] = mapped_column(Integer, server_default="0")
    closed_on_time: Mapped[int] = mapped_column(Integer, server_default="0")
    followed_up: Mapped[int] = mapped_column(Integer, server_default="0")
    rated: Mapped[int] = mapped_column(Integer, server_default="0")
    satisfied: Mapped[int] = mapped_column(Integer, server_default="0")
    basic: Mapped[int] = mapped_column(Integer, server_default="0")
    dissatisfied: Mapped[int] = mapped_column(Integer, server_default="0")
    repeats: Mapped[int] = mapped_column(Integer, server_default="0")


class HotlineDepartmentRollup(_HourCell, Base):
    """Per hour, district, category and channel as `hotline_rollup`, and per department: the orders it holds
    (dispatched to it and not all returned), those of them rated dissatisfied and flagged repeats, and the orders
    it returned at least once (退单). Kept with `hotline_rollup`, dispatches included."""

    __tablename__ = "hotline_department_rollup"
    department: Mapped[str] = mapped_column(String(32), primary_key=True)
    held: Mapped[int] = mapped_column(Integer, server_default="0")
    dissatisfied: Mapped[int] = mapped_column(Integer, server_default="0")
    repeats: Mapped[int] = mapped_column(Integer, server_default="0")
    returned: Mapped[int] = mapped_column(Integer, server_default="0")


class HotlineGridRollup(_HourCell, Base):
    """Per hour, district, category and channel as `hotline_rollup`, and per grid cell: the orders reported
    there and the repeats among them (the page's hot spots). Kept with `hotline_rollup`."""

    __tablename__ = "hotline_grid_rollup"
    grid: Mapped[str] = mapped_column(String(24), primary_key=True)
    orders: Mapped[int] = mapped_column(Integer, server_default="0")
    repeats: Mapped[int] = mapped_column(Integer, server_default="0")


class HotlinePending(Base):
    """A work order whose reply or close is still to come (or never came), with the due times the clock is
    compared with: the page's on-time and overdue counts read these few rows instead of every order. Kept with
    `hotline_rollup`."""

    __tablename__ = "hotline_pending"
    event_id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    hour: Mapped[int] = mapped_column(BigInteger, index=True, doc="UTC epoch seconds of the reported hour")
    district: Mapped[str] = mapped_column(String(12))
    category: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16))
    reply_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, doc="set while the order is not replied")
    sla_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, doc="set while the order is not closed")
    open: Mapped[bool] = mapped_column(Boolean, doc="the event is not finished (closed or cancelled)")
