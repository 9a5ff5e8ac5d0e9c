"""Responses to emergency plans (预案响应): the incident an activated plan opened, each department's task and
deadline, the checklist's ticks, and the notifications sent out for them (migration 0015)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.store.models.base import Base, BigId, UTCDateTime


class Response(Base):
    """One activated plan. At most one per alert (unique): a CAP Update or a second click never opens another."""

    __tablename__ = "responses"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    plan: Mapped[str] = mapped_column(String(40), doc="the plan's code (its file name in the pack's plans/)")
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id"), doc="the alert it answers")
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), doc="the incident it opened")
    district: Mapped[str | None] = mapped_column(String(6))
    level: Mapped[str] = mapped_column(String(4), doc="I | II | III | IV")
    status: Mapped[str] = mapped_column(String(12), doc="active | closed")
    activated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    activated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, doc="when a CAP Update last changed it")
    cancel_proposed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, doc="a CAP Cancel proposes standing down")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[str | None] = mapped_column(String(64))
    summary: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (Index("uq_responses_alert_id", "alert_id", unique=True),
                      Index("ix_responses_status", "status"))


class ResponseTask(Base):
    """One department's part in a response: its task as the plan wrote it, its deadline and its dispatch."""

    __tablename__ = "response_tasks"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), index=True)
    department: Mapped[str] = mapped_column(ForeignKey("departments.code"))
    role: Mapped[str] = mapped_column(String(8), doc="lead | support")
    task_zh: Mapped[str] = mapped_column(Text)
    task_en: Mapped[str] = mapped_column(Text)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    dispatch_id: Mapped[int | None] = mapped_column(ForeignKey("event_dispatches.id"))
    overdue_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, doc="when its missed deadline was sent")


class ResponseCheck(Base):
    """One checklist line of a response; ticked with who and when."""

    __tablename__ = "response_checks"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(8))
    text_zh: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_by: Mapped[str | None] = mapped_column(String(64))


class Delivery(Base):
    """One notification to send (services/notify): durable, so a restart resumes the retries. `target` names the
    channel's address without its secret (an e-mail address, or the setting that holds a webhook's URL)."""

    __tablename__ = "notify_deliveries"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(12), doc="webhook | wecom | dingtalk | email")
    target: Mapped[str] = mapped_column(String(255))
    department: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(16), doc="dispatch | escalation | deadline")
    response_id: Mapped[int | None] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(8), doc="pending | sent | failed (gave up)")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    __table_args__ = (Index("ix_notify_deliveries_state_next", "state", "next_attempt_at"),
                      Index("ix_notify_deliveries_response", "response_id"))
