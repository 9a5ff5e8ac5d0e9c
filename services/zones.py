"""Local days in SQL: a window's days are cut at its zone's UTC offset, one number the queries add to epoch seconds."""

from __future__ import annotations

from datetime import datetime, tzinfo


def utc_offset(moment: datetime, zone: tzinfo) -> int:
    """The zone's UTC offset at `moment` in seconds (0 for a zone that gives none): exact over a window without a
    daylight-saving change."""
    delta = moment.astimezone(zone).utcoffset()
    return int(delta.total_seconds()) if delta is not None else 0
