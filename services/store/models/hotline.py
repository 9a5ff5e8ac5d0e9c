"""The 12345 hotline's records: work orders (工单), the citizen-request side of an event, and the calls the
telephone system reports (so the answer rate and pick-up time are measured, not made up).

A work order is one row per event that a citizen asked for: how it came in (the channel), the Open311 token that
answers for it before its id is known, the media link the citizen attached, and the submitter's account details
(personal data: never in an Open311 answer). A call keeps its caller only as a keyed hash of the number."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, String
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
    __table_args__ = (Index("uq_work_orders_token", "token", unique=True),)


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
