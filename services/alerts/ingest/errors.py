"""The one error every ingest parser raises, so the API can answer any format with the same 4xx body."""

from __future__ import annotations

from services.alerts.schema import AlertValidationError


class IngestError(AlertValidationError):
    """Input that cannot become an alert: `field` (an element, attribute or 'xml'), `reason`, and the line if known."""

    def __init__(self, field: str, reason: str, line: int | None = None) -> None:
        super().__init__(field, reason if line is None else f"{reason} (line {line})")
        self.line = line

    @classmethod
    def from_validation(cls, exc: AlertValidationError, prefix: str = "") -> IngestError:
        """Re-raise a stream-field error in the input format's own terms (e.g. `info/headline`)."""
        return cls(f"{prefix}{exc.field}", exc.reason)
