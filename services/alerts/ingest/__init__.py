"""Parsers that turn outside alert formats into the stream fields of DESIGN.md (then `normalize_alert`).

Public surface: `parse_cap` (CAP 1.2 XML), `parse_fiware` (FIWARE Smart Data Models `Alert`), `IngestError`.
"""

from services.alerts.ingest.cap import parse_cap
from services.alerts.ingest.errors import IngestError
from services.alerts.ingest.fiware import fiware_alert_schema, is_fiware_alert, parse_fiware

__all__ = ["IngestError", "fiware_alert_schema", "is_fiware_alert", "parse_cap", "parse_fiware"]
