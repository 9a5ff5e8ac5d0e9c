"""Government-service matters and applications (一网通办), with their rollup and association tables."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.store.models.base import Base, BigId, UTCDateTime


class Matter(Base):
    __tablename__ = "matters"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(96))
    name_en: Mapped[str] = mapped_column(String(128))
    department: Mapped[str] = mapped_column(ForeignKey("departments.code"))
    kind: Mapped[str] = mapped_column(String(12), doc="'instant' (即办) or 'promised' (承诺)")
    statutory_days: Mapped[int | None] = mapped_column(Integer)
    promised_days: Mapped[int | None] = mapped_column(Integer)
    bundle: Mapped[str | None] = mapped_column(String(48), doc="the one-thing (一件事) bundle it belongs to")


class Application(Base):
    __tablename__ = "applications"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    matter_code: Mapped[str] = mapped_column(ForeignKey("matters.code"))
    applicant_kind: Mapped[str] = mapped_column(String(12))
    applicant_name: Mapped[str | None] = mapped_column(String(32), doc="PII")
    applicant_phone: Mapped[str | None] = mapped_column(String(20), doc="PII")
    district: Mapped[str | None] = mapped_column(ForeignKey("districts.adcode"))
    channel: Mapped[str] = mapped_column(String(12))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16))
    return_reason: Mapped[str | None] = mapped_column(String(64))
    visits: Mapped[int] = mapped_column(SmallInteger, default=0)
    rating: Mapped[int | None] = mapped_column(SmallInteger, doc="好差评 1-5")
    rating_followup: Mapped[str | None] = mapped_column(String(16), doc="follow-up state of a bad review")
    # issue 5 (migration 0005): who applied (a pseudonymous key, for association mining) and the one-thing case
    applicant_id: Mapped[str | None] = mapped_column(String(24), doc="pseudonymous applicant key, not PII")
    bundle_case: Mapped[str | None] = mapped_column(String(32), doc="the one-thing (一件事) case it is part of")
    # issue 19 (migration 0010): the platform's application id (the ingest API's idempotency key) and the
    # statutory deadline beside the promised one (`due_at`)
    external_id: Mapped[str | None] = mapped_column(String(64))
    statutory_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    __table_args__ = (
        Index("uq_applications_external_id", "external_id", unique=True),
        Index("ix_applications_submitted_at", "submitted_at"),
        Index("ix_applications_completed_at", "completed_at"),
        Index("ix_applications_matter_status", "matter_code", "status"),
        Index("ix_applications_matter_submitted", "matter_code", "submitted_at"),
        Index("ix_applications_status_due", "status", "due_at"),
        Index("ix_applications_bundle_case", "bundle_case"),
        # covers every query of the association mining (services/association.py): no table lookups
        Index("ix_applications_applicant", "applicant_id", "matter_code", "submitted_at", "completed_at"),
    )


class ApprovalAssociation(Base):
    """One mined rule "applicants who completed A applied for B within the window", from the last job run."""

    __tablename__ = "approval_associations"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    antecedent: Mapped[str] = mapped_column(ForeignKey("matters.code"))
    consequent: Mapped[str] = mapped_column(ForeignKey("matters.code"))
    pairs: Mapped[int] = mapped_column(Integer, doc="applicants who completed A, then applied for B in the window")
    support: Mapped[float] = mapped_column(Float)
    confidence: Mapped[float] = mapped_column(Float)
    lift: Mapped[float] = mapped_column(Float)
    window_days: Mapped[int] = mapped_column(Integer)
# Processing time (whole hours) and its share of the promised time (whole percent) are kept as fixed-bucket
# histograms: a bucket is named by its lower bound. Hours are exact below 8 h and at most 25 % low up to 60 days;
# shares are exact to 10 points up to 200 %.
HOUR_BOUNDS = (0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 18, 21, 24, 30, 36, 42, 48, 60, 72, 84, 96, 120, 144, 168,
               192, 240, 288, 336, 408, 480, 576, 720, 864, 1080, 1440)
PCT_BOUNDS = (*range(0, 201, 10), 250, 300, 400)
# The enterprise_* columns count the same as their namesakes for enterprise applicants only (the digital-divide
# lens splits by applicant kind; citizens are the rest, as intake admits the two kinds only).
ROLLUP_RECEIVED = ("received", "visits", "at_most_one_visit", "no_visit", "returned", "fully_online",
                   "enterprise_received")
ROLLUP_COMPLETED = ("completed", "with_due", "on_time", "enterprise_with_due", "enterprise_on_time",
                    *(f"rating_{v}" for v in range(1, 6)), *(f"h_{b}" for b in HOUR_BOUNDS),
                    *(f"pct_{b}" for b in PCT_BOUNDS))


class ApprovalRollup(Base):
    """Sums over the applications of one cell: a level (time grain and breakdown), a UTC bucket, a matter and,
    where the level keeps them, a district and a channel ('' where it does not). Received-side columns count the
    applications submitted in the bucket, completed-side ones those completed in it. Kept by triggers on
    `applications` in the writer's transaction."""

    __table__ = Table(
        "approval_rollup", Base.metadata,
        Column("level", SmallInteger, primary_key=True),
        Column("bucket", BigInteger, primary_key=True, doc="UTC epoch seconds of the bucket's start"),
        Column("matter_code", String(32), primary_key=True),
        Column("district", String(12), primary_key=True),
        Column("channel", String(12), primary_key=True),
        *[Column(name, Integer, nullable=False, server_default="0") for name in (*ROLLUP_RECEIVED,
                                                                                   *ROLLUP_COMPLETED)],
        sqlite_with_rowid=False,  # rows stored in key order: a window's cells are one contiguous range
    )


class ApprovalOpenWork(Base):
    """An open application with a time limit and the moment it turns yellow (80 % of its limit used; null when the
    limit ends before it started): the overdue cards read these few rows by two index ranges instead of testing
    every open application's clock. Kept by the rollup's triggers."""

    __tablename__ = "approval_open_work"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False, doc="applications.id")
    matter_code: Mapped[str] = mapped_column(String(32))
    district: Mapped[str | None] = mapped_column(String(12))
    channel: Mapped[str] = mapped_column(String(12))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    yellow_at: Mapped[float | None] = mapped_column(Float, index=True, doc="UTC epoch seconds")


# Raw reads the rollup cannot serve: partial indexes over the few rows each one needs.
Index("ix_applications_bad_reviews", Application.completed_at, Application.matter_code, Application.district,
      Application.channel, Application.rating_followup,
      sqlite_where=text("rating <= 2"), postgresql_where=text("rating <= 2"))
Index("ix_applications_returns", Application.submitted_at, Application.matter_code, Application.district,
      Application.channel, Application.return_reason,
      sqlite_where=text("return_reason IS NOT NULL"), postgresql_where=text("return_reason IS NOT NULL"))
Index("ix_applications_bundle_cases", Application.submitted_at, Application.bundle_case, Application.matter_code,
      Application.district, Application.channel, Application.completed_at,
      sqlite_where=text("bundle_case IS NOT NULL"), postgresql_where=text("bundle_case IS NOT NULL"))
