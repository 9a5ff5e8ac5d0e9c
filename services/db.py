"""The SQL store: DESIGN.md's data model as typed SQLAlchemy 2 tables, the engine, and Alembic migrations.

Every timestamp is stored in UTC and comes back timezone-aware, on SQLite (which has no zone type) as on PostgreSQL.
The schema changes only through the migrations in `services/migrations/`; `migrate()` brings a store to head.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    TypeDecorator,
    create_engine,
    event,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# SQLite only auto-increments an INTEGER PRIMARY KEY, so big keys fall back to Integer there.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend; naive datetimes are refused, not guessed."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: attach a time zone before storing it")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class District(Base):
    __tablename__ = "districts"
    adcode: Mapped[str] = mapped_column(String(12), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(64))
    geometry: Mapped[str] = mapped_column(Text, doc="GeoJSON geometry, WGS84")


class Department(Base):
    __tablename__ = "departments"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(96))
    kind: Mapped[str] = mapped_column(String(32))


class Indicator(Base):
    __tablename__ = "indicators"
    code: Mapped[str] = mapped_column(String(48), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(96))
    domain: Mapped[str] = mapped_column(String(32))
    unit: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str] = mapped_column(String(8), doc="'higher' is better or 'lower' is better")
    warn: Mapped[float | None] = mapped_column(Float)
    alarm: Mapped[float | None] = mapped_column(Float)
    source_department: Mapped[str | None] = mapped_column(ForeignKey("departments.code"))
    cadence_minutes: Mapped[int] = mapped_column(Integer, default=5)


class IndicatorReading(Base):
    __tablename__ = "indicator_readings"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    indicator_code: Mapped[str] = mapped_column(ForeignKey("indicators.code"))
    district: Mapped[str | None] = mapped_column(ForeignKey("districts.adcode"), doc="null = the whole city")
    ts: Mapped[datetime] = mapped_column(UTCDateTime)
    value: Mapped[float] = mapped_column(Float)
    __table_args__ = (Index("ix_readings_code_district_ts", "indicator_code", "district", "ts"),)


class Event(Base):
    __tablename__ = "events"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    category: Mapped[str] = mapped_column(String(32))
    subcategory: Mapped[str | None] = mapped_column(String(48))
    source: Mapped[str] = mapped_column(String(16))
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
        Index("ix_events_reported_at", "reported_at"),
        Index("ix_events_updated_at", "updated_at"),
        Index("ix_events_status_district", "status", "district"),
        # migration 0007: the map's covering indexes (bulk loads drop and rebuild them with the others)
        Index("ix_events_district_map", "district", "reported_at", "grid", "lon", "lat", "status", "severity"),
        Index("ix_events_status_district_due", "status", "district", "sla_due_at"),
        Index("ix_events_category_reported", "category", "reported_at"),
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
    __table_args__ = (Index("ix_dispatches_department_dispatched", "department", "dispatched_at"),
                      Index("ix_dispatches_event_department", "event_id", "department"))


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
    __table_args__ = (
        Index("ix_applications_submitted_at", "submitted_at"),
        Index("ix_applications_completed_at", "completed_at"),
        Index("ix_applications_matter_status", "matter_code", "status"),
        Index("ix_applications_matter_submitted", "matter_code", "submitted_at"),
        Index("ix_applications_status_due", "status", "due_at"),
        Index("ix_applications_bundle_case", "bundle_case"),
        # covers every query of the association mining (services/association.py): no table lookups
        Index("ix_applications_applicant", "applicant_id", "matter_code", "submitted_at", "completed_at"),
    )


# --- issue 5: approval association rules (migration 0005) ---
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
# --- end issue 5 ---


# --- issue 5: approvals rollup (migration 0006, services/approval_rollup.py) ---
# Processing time (whole hours) and its share of the promised time (whole percent) are kept as fixed-bucket
# histograms: a bucket is named by its lower bound. Hours are exact below 8 h and at most 25 % low up to 60 days;
# shares are exact to 10 points up to 200 %.
HOUR_BOUNDS = (0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 18, 21, 24, 30, 36, 42, 48, 60, 72, 84, 96, 120, 144, 168,
               192, 240, 288, 336, 408, 480, 576, 720, 864, 1080, 1440)
PCT_BOUNDS = (*range(0, 201, 10), 250, 300, 400)
ROLLUP_RECEIVED = ("received", "visits", "at_most_one_visit", "no_visit", "returned", "fully_online")
ROLLUP_COMPLETED = ("completed", "with_due", "on_time", *(f"rating_{v}" for v in range(1, 6)),
                    *(f"h_{b}" for b in HOUR_BOUNDS), *(f"pct_{b}" for b in PCT_BOUNDS))


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
# --- end issue 5 rollup ---


class Alert(Base):
    __tablename__ = "alerts"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    stream_id: Mapped[str] = mapped_column(String(32), index=True)
    alert_id: Mapped[str] = mapped_column(String(128), unique=True, doc="the producer's id, for dedup")
    source: Mapped[str] = mapped_column(String(64))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    severity: Mapped[str] = mapped_column(String(12))
    urgency: Mapped[str] = mapped_column(String(12))
    certainty: Mapped[str] = mapped_column(String(12))
    category: Mapped[str] = mapped_column(String(16))
    event: Mapped[str] = mapped_column(String(128))
    headline: Mapped[str] = mapped_column(String(256))
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
    resume_status: Mapped[str | None] = mapped_column(String(16), doc="the status a silence returns to")
    __table_args__ = (Index("ix_alerts_status_sent", "status", "sent_at"),)


# --- issue 6: alert storm groups (migration 0003) ---
class AlertGroup(Base):
    """Alerts of one event, district and severity within the storm window (services/alert_storm.py)."""

    __tablename__ = "alert_groups"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(200), doc="event|district|severity")
    head_alert_id: Mapped[int] = mapped_column(BigId, doc="the group's first alert (alerts.id)")
    count: Mapped[int] = mapped_column(Integer, default=1)
    first_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime)
    __table_args__ = (Index("ix_alert_groups_key_last", "key", "last_at"),)
# --- end issue 6 ---


class AlertAction(Base):
    __tablename__ = "alert_actions"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    user: Mapped[str] = mapped_column(String(64))
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


# --- issue 4: event lifecycle history (migration 0004) ---
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
# --- end issue 4 ---


# --- issue 8: users, server-side sessions, audit log (migration 0002) ---
class User(Base):
    """A local account (services/auth); `districts` / `departments` are comma-separated codes binding its scope."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(256), doc="argon2id; null for single-sign-on users")
    role: Mapped[str] = mapped_column(String(16))
    display_name: Mapped[str] = mapped_column(String(64), default="")
    districts: Mapped[str] = mapped_column(String(256), default="")
    departments: Mapped[str] = mapped_column(String(256), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class UserSession(Base):
    """A signed-in browser; only the SHA-256 of its cookie is stored, so a copy of the table opens nothing."""

    __tablename__ = "user_sessions"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class AuditEntry(Base):
    """Who did what, when: append-only (the migration adds triggers refusing UPDATE and DELETE)."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(64), index=True)
    role: Mapped[str | None] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(48), index=True)
    target: Mapped[str | None] = mapped_column(String(128))
    outcome: Mapped[str] = mapped_column(String(16), default="ok")
    detail: Mapped[str | None] = mapped_column(Text)
    ip: Mapped[str | None] = mapped_column(String(64))
# --- end issue 8 ---


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`; a SQLite file gets its folder, WAL and foreign keys so readers never block the writer."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, pool_pre_ping=True, **kwargs)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=10000")
            cursor.close()

    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker:
    """Sessions that keep their objects readable after commit (callbacks render after the session closes)."""
    return sessionmaker(engine, expire_on_commit=False)


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the store's schema to `revision` with Alembic (creates it on an empty store)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
