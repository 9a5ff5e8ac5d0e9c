"""Work orders (工单): the citizen-request side of an event, as Open311 clients and the 12345 hotline send it.

One row per event that a citizen asked for: how it came in (the channel), the Open311 token that answers for it
before its id is known, the media link the citizen attached, and the submitter's account details (personal data:
never in an Open311 answer)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from services.store.models.base import Base, BigId


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
