"""Department data in (一网共享): events, dispatch progress, indicator readings and applications from the
departments' own systems, pushed through the API or pulled by connectors, all through these functions.

Each batch function takes (row number, fields) pairs as `parse_table` yields them (or bare mappings) and answers
with a `BatchReport`: accepted, updated, and the refused rows with the field at fault. A row is stored whole or
reported, never half-written.
"""

from __future__ import annotations

from services.ingest.applications import applicant_key, ingest_applications
from services.ingest.events import ingest_events
from services.ingest.ngsi import MappingError, NgsiMapping, is_notification, load_mapping, notification_rows
from services.ingest.progress import STAGES, event_record, find_event, move_event, report_dispatch
from services.ingest.readings import ReadingSink, ingest_readings, open_sink
from services.ingest.report import BatchReport, Refusal
from services.ingest.tables import (
    CSV_TYPES,
    JSON_TYPES,
    MALFORMED,
    NDJSON_TYPES,
    TABLE_TYPES,
    Row,
    TableError,
    json_records,
    media_type,
    parse_table,
)

__all__ = ["BatchReport", "CSV_TYPES", "JSON_TYPES", "MALFORMED", "MappingError", "NDJSON_TYPES", "NgsiMapping", "ReadingSink", "Refusal", "Row", "STAGES", "TABLE_TYPES", "TableError", "applicant_key", "event_record", "find_event", "ingest_applications", "ingest_events", "ingest_readings", "is_notification", "json_records", "load_mapping", "media_type", "move_event", "notification_rows", "open_sink", "parse_table", "report_dispatch"]
