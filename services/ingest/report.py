"""The batch answer of every ingest (DESIGN.md "Ingest API (contract)") and the field readers that fill it.

A row is either stored whole or refused with the first field at fault: the readers raise `RowRefused`, the
ingest functions catch it per row and keep going, so one bad row never costs the rest of the batch.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from itertools import islice
from typing import Any, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass(frozen=True)
class Refusal:
    """One row not stored: rows count from 1 (a CSV header is not counted), `field` names the culprit."""

    row: int
    field: str
    reason: str


@dataclass
class BatchReport:
    """What a batch did: new records, records updated in place (same idempotency key), rows refused."""

    accepted: int = 0
    updated: int = 0
    refused: list[Refusal] = field(default_factory=list)

    def add(self, other: BatchReport) -> None:
        self.accepted += other.accepted
        self.updated += other.updated
        self.refused.extend(other.refused)

    def as_dict(self) -> dict[str, Any]:
        return {"accepted": self.accepted, "updated": self.updated,
                "refused": [{"row": r.row, "field": r.field, "reason": r.reason} for r in self.refused]}


class RowRefused(ValueError):
    """The row cannot be stored: which field, and why (said so an integrator can fix it)."""

    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(f"{field_name}: {reason}")
        self.field, self.reason = field_name, reason


def present(row: Mapping[str, Any], name: str) -> bool:
    value = row.get(name)
    return value is not None and not (isinstance(value, str) and not value.strip())


def text(row: Mapping[str, Any], name: str, *, max_length: int, required: bool = False) -> str | None:
    """A trimmed string that fits its column; empty counts as absent."""
    if not present(row, name):
        if required:
            raise RowRefused(name, "is required")
        return None
    value = str(row[name]).strip()
    if len(value) > max_length:
        raise RowRefused(name, f"is {len(value)} characters; at most {max_length}")
    return value


def one_of(row: Mapping[str, Any], name: str, allowed: Collection[str], *, required: bool = False,
           aliases: Mapping[str, str] | None = None) -> str | None:
    """A code from a fixed list (`aliases` maps other spellings, e.g. Chinese labels, onto the codes)."""
    value = text(row, name, max_length=64, required=required)
    if value is None:
        return None
    code = (aliases or {}).get(value, value.lower())
    if code not in allowed:
        raise RowRefused(name, f"unknown value {value!r}; use one of {', '.join(sorted(allowed))}")
    return code


def number(row: Mapping[str, Any], name: str, *, required: bool = False) -> float | None:
    """A finite number (JSON number or numeric text)."""
    if not present(row, name):
        if required:
            raise RowRefused(name, "is required")
        return None
    value = row[name]
    if isinstance(value, bool):
        raise RowRefused(name, f"must be a number, got {value!r}")
    try:
        result = float(value)
    except (TypeError, ValueError):
        raise RowRefused(name, f"must be a number, got {value!r}") from None
    if not math.isfinite(result):
        raise RowRefused(name, f"must be a finite number, got {value!r}")
    return result


def moment(row: Mapping[str, Any], name: str, *, zone: tzinfo | None = None, required: bool = False
           ) -> datetime | None:
    """An ISO 8601 time (or a spreadsheet's datetime cell) in UTC. Without an offset it is read in `zone`, or
    refused when `zone` is None (the contract's fields that must carry their offset)."""
    if not present(row, name):
        if required:
            raise RowRefused(name, "is required")
        return None
    value = row[name]
    if not isinstance(value, datetime):
        try:
            value = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00").replace("/", "-"))
        except ValueError:
            raise RowRefused(name, f"is not an ISO 8601 time: {row[name]!r}") from None
    if value.tzinfo is None:
        if zone is None:
            raise RowRefused(name, f"needs a UTC offset, e.g. 2026-12-01T09:30:00+08:00 (got {row[name]!r})")
        value = value.replace(tzinfo=zone)
    return value.astimezone(UTC)


def keyed_chunks(rows: Iterable[Any], check: Callable[[Mapping[str, Any]], tuple[K, V]], report: BatchReport,
                 size: int) -> Iterator[dict[K, V]]:
    """The valid rows of `rows`, `size` at a time, by their idempotency key (`check` gives a row's key and record,
    or raises RowRefused): a refused row is noted in `report` with its number and field; a key sent twice in one
    chunk keeps the later row and counts the earlier as an update. Every push API checks its rows through here."""
    rows_in = numbered(rows)
    while chunk := list(islice(rows_in, size)):
        valid: dict[K, V] = {}
        for row_number, fields in chunk:
            try:
                key, record = check(fields)
            except RowRefused as refused:
                report.refused.append(Refusal(row_number, refused.field, refused.reason))
                continue
            if key in valid:
                report.updated += 1
            valid[key] = record
        if valid:
            yield valid


def numbered(rows: Iterable[Any]) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """(row number, fields) pairs as `parse_table` yields them; bare mappings are numbered from 1."""
    for position, item in enumerate(rows, start=1):
        yield (item[0], item[1]) if isinstance(item, tuple) else (position, item)
