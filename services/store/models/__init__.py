"""DESIGN.md's data model as typed SQLAlchemy 2 tables, one module per domain, all on one `Base`."""

from __future__ import annotations

from services.store.models.alerts import Alert, AlertAction, AlertGroup
from services.store.models.approvals import (
    HOUR_BOUNDS,
    PCT_BOUNDS,
    ROLLUP_COMPLETED,
    ROLLUP_RECEIVED,
    Application,
    ApprovalAssociation,
    ApprovalOpenWork,
    ApprovalRollup,
    Matter,
)
from services.store.models.auth import AuditEntry, User, UserSession
from services.store.models.base import Base, UTCDateTime
from services.store.models.briefings import BriefingDelivery
from services.store.models.city import Department, District
from services.store.models.events import (
    DISPATCH_ROLLUP_COUNTS,
    DISPATCH_ROLLUP_SUMS,
    DispatchRollup,
    Event,
    EventDispatch,
    EventTransition,
)
from services.store.models.hotline import (
    HOTLINE_MEASURES,
    HotlineCall,
    HotlineDepartmentRollup,
    HotlineGridRollup,
    HotlinePending,
    HotlineRollup,
    Supervision,
    WorkOrder,
)
from services.store.models.indicators import Indicator, IndicatorReading
from services.store.models.plans import Delivery, Response, ResponseCheck, ResponseTask
from services.store.models.sources import DataSource, SourceFile, SourceVolume

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
    "BriefingDelivery",
    "DataSource",
    "Delivery",
    "Department",
    "DISPATCH_ROLLUP_COUNTS",
    "DISPATCH_ROLLUP_SUMS",
    "DispatchRollup",
    "District",
    "Event",
    "EventDispatch",
    "EventTransition",
    "HOUR_BOUNDS",
    "HotlineCall",
    "HotlineDepartmentRollup",
    "HotlineGridRollup",
    "HotlinePending",
    "HotlineRollup",
    "Indicator",
    "IndicatorReading",
    "Matter",
    "PCT_BOUNDS",
    "Response",
    "ResponseCheck",
    "ResponseTask",
    "ROLLUP_COMPLETED",
    "HOTLINE_MEASURES",
    "ROLLUP_RECEIVED",
    "SourceFile",
    "SourceVolume",
    "Supervision",
    "UTCDateTime",
    "User",
    "WorkOrder",
    "UserSession",
]
