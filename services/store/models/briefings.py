"""The deliveries of the scheduled briefings (services/briefing/delivery.py): one row per briefing, period,
channel and target, unique, so a restart or a second worker never sends a period twice; a failed one is retried
from its row."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.store.models.base import Base, BigId, UTCDateTime


class BriefingDelivery(Base):
    __tablename__ = "briefing_deliveries"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    briefing: Mapped[str] = mapped_column(String(32), doc="the schedule's name in briefings.toml")
    period: Mapped[str] = mapped_column(String(8), doc="daily | weekly")
    period_first: Mapped[date] = mapped_column(Date, doc="the period's first local day")
    channel: Mapped[str] = mapped_column(String(8), doc="email | folder")
    target: Mapped[str] = mapped_column(String(255), doc="an e-mail address or a folder path")
    state: Mapped[str] = mapped_column(String(8), doc="pending | sent | failed (gave up)")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    __table_args__ = (Index("uq_briefing_deliveries_once", "briefing", "period_first", "channel", "target",
                            unique=True),
                      Index("ix_briefing_deliveries_state_next", "state", "next_attempt_at"))
