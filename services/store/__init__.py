"""The SQL store: the data model, the engine and migrations, bulk loads, the catalog and the query caches.

The face re-exports the tables and the engine; `bulkload`, `catalog`, `cache` and `shared_cache` are imported as
modules by the few places that use them.
"""

from __future__ import annotations

from services.store.engine import MIGRATIONS_DIR, make_engine, make_sessionmaker, migrate
from services.store.models import (
    HOUR_BOUNDS,
    PCT_BOUNDS,
    ROLLUP_COMPLETED,
    ROLLUP_RECEIVED,
    Alert,
    AlertAction,
    AlertGroup,
    Application,
    ApprovalAssociation,
    ApprovalOpenWork,
    ApprovalRollup,
    AuditEntry,
    Base,
    DataSource,
    Department,
    District,
    Event,
    EventDispatch,
    EventTransition,
    Indicator,
    IndicatorReading,
    Matter,
    SourceFile,
    SourceVolume,
    User,
    UserSession,
    UTCDateTime,
)

__all__ = [
    "Alert",
    "AlertAction",
    "AlertGroup",
    "Application",
    "ApprovalAssociation",
    "ApprovalOpenWork",
    "ApprovalRollup",
    "AuditEntry",
    "Base",
    "DataSource",
    "Department",
    "District",
    "Event",
    "EventDispatch",
    "EventTransition",
    "HOUR_BOUNDS",
    "Indicator",
    "IndicatorReading",
    "MIGRATIONS_DIR",
    "Matter",
    "PCT_BOUNDS",
    "ROLLUP_COMPLETED",
    "ROLLUP_RECEIVED",
    "SourceFile",
    "SourceVolume",
    "UTCDateTime",
    "User",
    "UserSession",
    "make_engine",
    "make_sessionmaker",
    "migrate",
]
