"""Events (事件), their departments' dispatches (联动) and their lifecycle history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from services.store.models.base import Base, BigId, UTCDateTime

# an event still open (services.events.queries.OPEN), as SQL: the predicate of ix_events_open_due below
OPEN_EVENTS = "status IN ('reported', 'registered', 'dispatched', 'in_progress', 'feedback', 'checking', 'rework')"


class Event(Base):
    __tablename__ = "events"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # migration 0010: unique per sending system, (source, external_id), the ingest API's idempotency key
    external_id: Mapped[str | None] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(32))
    subcategory: Mapped[str | None] = mapped_column(String(48))
    title: Mapped[str | None] = mapped_column(String(128))
    source: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(12))
    description: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(String(128))
    district: Mapped[str | None] = mapped_column(ForeignKey("districts.adcode"))
    grid: Mapped[str | None] = mapped_column(String(24))
    out_of_city: Mapped[bool] = mapped_column(Boolean, default=False)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16))
    sla_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reporter_name: Mapped[str | None] = mapped_column(String(32), doc="PII")
    reporter_phone: Mapped[str | None] = mapped_column(String(20), doc="PII")
    # migration 0008: set by database triggers on every INSERT and UPDATE, whoever writes (the map's points cache
    # fetches what changed since it last looked: services/events.py)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, server_default=func.now())
    __table_args__ = (
        Index("uq_events_source_external_id", "source", "external_id", unique=True),
        Index("ix_events_reported_at", "reported_at"),
        Index("ix_events_updated_at", "updated_at"),
        Index("ix_events_status_district", "status", "district"),
        # migration 0007: the map's covering indexes (bulk loads drop and rebuild them with the others)
        Index("ix_events_district_map", "district", "reported_at", "grid", "lon", "lat", "status", "severity"),
        Index("ix_events_status_district_due", "status", "district", "sla_due_at"),
        Index("ix_events_category_reported", "category", "reported_at"),
        # migration 0027: the open events by their limit, covering what the rankings count of them (late within a
        # window, overdue now), so those counts read this small index alone instead of the heap pages of every open
        # event; PostgreSQL uses a partial index only for a condition that implies its predicate, so the predicate
        # lists the open statuses as the queries do (services.events.queries.OPEN; a test keeps the two equal)
        Index("ix_events_open_due", "sla_due_at", postgresql_include=["id", "district", "reported_at", "closed_at"],
              postgresql_where=text(OPEN_EVENTS), sqlite_where=text(OPEN_EVENTS)),
    )


class EventDispatch(Base):
    __tablename__ = "event_dispatches"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    department: Mapped[str] = mapped_column(ForeignKey("departments.code"))
    dispatched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text, doc="the department's own words on its latest progress")
    __table_args__ = (Index("ix_dispatches_department_dispatched", "department", "dispatched_at"),
                      Index("ix_dispatches_event_department", "event_id", "department"),
                      # migration 0022: the open dispatches alone, which the rankings' overdue and late counts join
                      # to the open events (without it PostgreSQL hashes every dispatch ever made)
                      Index("ix_dispatches_open", "event_id", "department", "dispatched_at",
                            sqlite_where=text("finished_at IS NULL"), postgresql_where=text("finished_at IS NULL")))


DISPATCH_ROLLUP_COUNTS = ("dispatches", "arrived", "cases", "cases_late")
DISPATCH_ROLLUP_SUMS = ("dispatch_s", "arrival_s")


class DispatchRollup(Base):
    """Sums over the dispatches or events of one cell: a level (what is counted, by which clock), a UTC hour, a
    department ('' at the events' level) and a district ('' for none). Kept by triggers on `events` and
    `event_dispatches` in the writer's transaction (services/events/rollup.py says which level holds what)."""

    __table__ = Table(
        "dispatch_rollup", Base.metadata,
        Column("level", SmallInteger, primary_key=True),
        Column("bucket", BigInteger, primary_key=True, doc="UTC epoch seconds of the hour's start"),
        Column("department", String(32), primary_key=True),
        Column("district", String(12), primary_key=True),
        *[Column(name, Integer, nullable=False, server_default="0") for name in DISPATCH_ROLLUP_COUNTS],
        *[Column(name, Float, nullable=False, server_default="0") for name in DISPATCH_ROLLUP_SUMS],
        sqlite_with_rowid=False,  # rows stored in key order: a window's cells are one contiguous range
    )


class EventTransition(Base):
    """One move of an event through its lifecycle (services/lifecycle.py), who made it and why."""

    __tablename__ = "event_transitions"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    user: Mapped[str] = mapped_column(String(64))
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (Index("ix_event_transitions_event_at", "event_id", "at"),)


# The analyst map reads the newest events' points: a covering index answers that without touching the table.
Index("ix_events_map_points", Event.reported_at, Event.lat, Event.lon, Event.status, Event.severity, Event.category)
