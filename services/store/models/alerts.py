"""Alerts as persisted from the stream, their storm groups and the operators' actions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.store.models.base import Base, BigId, UTCDateTime


class Alert(Base):
    __tablename__ = "alerts"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    stream_id: Mapped[str] = mapped_column(String(32), index=True)
    alert_id: Mapped[str] = mapped_column(String(255), doc="the producer's id: with `source`, the alert's identity")
    source: Mapped[str] = mapped_column(String(255), doc="the sender (CAP sender): an id is unique per sender")
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    severity: Mapped[str] = mapped_column(String(12))
    urgency: Mapped[str] = mapped_column(String(12))
    certainty: Mapped[str] = mapped_column(String(12))
    category: Mapped[str] = mapped_column(String(16))
    event: Mapped[str] = mapped_column(Text, doc="CAP 1.2 sets no length (migration 0009)")
    headline: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    area: Mapped[str | None] = mapped_column(Text, doc="GeoJSON")
    district: Mapped[str | None] = mapped_column(ForeignKey("districts.adcode"))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    msg_type: Mapped[str] = mapped_column(String(8), default="alert")
    references: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="new")
    owner: Mapped[str | None] = mapped_column(String(64))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    # issue 6 (migration 0003): storm group, the operator workflow's timestamps, silence
    group_id: Mapped[int | None] = mapped_column(ForeignKey("alert_groups.id"), index=True)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime, doc="persisted at: escalation timers run from it")
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    silenced_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # migration 0013: CAP info/expires, so a screen opened from the store drops an expired alert as the stream does
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, doc="when the sender says it stops being live")
    resume_status: Mapped[str | None] = mapped_column(String(16), doc="the status a silence returns to")
    __table_args__ = (
        Index("ix_alerts_status_sent", "status", "sent_at"),
        # alert messages newest first (the console's first rows, the leader's tile) and a day's counts (migration 0026)
        Index("ix_alerts_msg_type_sent", "msg_type", "sent_at", "id"),
        # the response-time analytics' window: alert messages by when the command center got them (migration 0024)
        Index("ix_alerts_received", "msg_type", text("coalesce(received_at, sent_at)")),
        # CAP identifies a message by sender + identifier (migration 0009); alert_id first, so the persist worker's
        # look-up of referenced ids by alert_id alone uses it too
        UniqueConstraint("alert_id", "source", name="uq_alerts_source_alert_id"),
    )


class AlertGroup(Base):
    """Alerts of one event, district and severity within the storm window (services/alert_storm.py)."""

    __tablename__ = "alert_groups"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(Text, doc="event|district|severity (event: CAP sets no length, migration 0009)")
    head_alert_id: Mapped[int] = mapped_column(BigId, doc="the group's first alert (alerts.id)")
    count: Mapped[int] = mapped_column(Integer, default=1)
    first_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (Index("ix_alert_groups_key_last", "key", "last_at"),)
class AlertAction(Base):
    __tablename__ = "alert_actions"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    user: Mapped[str] = mapped_column(String(64))
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
