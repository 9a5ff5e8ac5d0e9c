"""Alerts: the stream contract, intake parsers (CAP 1.2, FIWARE), persistence, storms, the console, operator actions
and escalation."""

from __future__ import annotations

from services.alerts.actions import (
    ACKNOWLEDGE,
    ESCALATE,
    LINK,
    RESOLVE,
    SILENCE,
    STATUSES,
    ActionRefused,
    acknowledge,
    audit_trail,
    escalate,
    link_event,
    resolve,
    silence,
)
from services.alerts.commands import ACTIONS, AlertCommand, act
from services.alerts.console import (
    PAGE_SIZE,
    AlertFilter,
    ConsolePage,
    ConsoleRow,
    find,
    latest,
    list_alerts,
    matches,
    newest,
)
from services.alerts.history import stored_entries
from services.alerts.ingest.cap import parse_cap
from services.alerts.ingest.errors import IngestError
from services.alerts.ingest.fiware import fiware_alert_schema, is_fiware_alert, parse_fiware
from services.alerts.response_times import response_times, response_trend
from services.alerts.schema import CATEGORIES, AlertValidationError, StreamAlert, normalize_alert, referenced
from services.alerts.status import CLOSING, announce, signal, status_stream, written, wrote
from services.alerts.storm import StormFolder, TickerRow, sent_time, storm_key, utc_time
from services.alerts.stream import Entry, last_id, publish, read_after, recent
from services.severity import SEVERITIES

__all__ = [
    "response_times",
    "response_trend",
    "ACKNOWLEDGE",
    "ACTIONS",
    "ActionRefused",
    "AlertCommand",
    "AlertFilter",
    "AlertValidationError",
    "CATEGORIES",
    "CLOSING",
    "ConsolePage",
    "ConsoleRow",
    "ESCALATE",
    "Entry",
    "IngestError",
    "LINK",
    "PAGE_SIZE",
    "RESOLVE",
    "SEVERITIES",
    "SILENCE",
    "STATUSES",
    "StormFolder",
    "StreamAlert",
    "TickerRow",
    "acknowledge",
    "act",
    "announce",
    "audit_trail",
    "escalate",
    "find",
    "fiware_alert_schema",
    "is_fiware_alert",
    "last_id",
    "latest",
    "link_event",
    "list_alerts",
    "matches",
    "newest",
    "normalize_alert",
    "parse_cap",
    "parse_fiware",
    "publish",
    "read_after",
    "recent",
    "referenced",
    "resolve",
    "sent_time",
    "signal",
    "silence",
    "status_stream",
    "storm_key",
    "stored_entries",
    "utc_time",
    "written",
    "wrote",
]
