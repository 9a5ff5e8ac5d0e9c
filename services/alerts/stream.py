"""The alert stream (DESIGN.md contract): XADD with trimming, and reads that resume from a stream id."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import redis
import redis.asyncio as aioredis

from services.alerts.schema import AlertValidationError, normalize_alert

Entry = tuple[str, dict[str, str]]


def _valid(fields: dict[str, str]) -> bool:
    try:
        normalize_alert(fields)
    except AlertValidationError:
        return False
    return True


def publish(client: redis.Redis, stream: str, fields: Mapping[str, str], maxlen: int) -> str:
    """XADD flat string fields, trimming the stream to about `maxlen` entries; returns the new stream id."""
    return str(client.xadd(stream, dict(fields), maxlen=maxlen, approximate=True))  # type: ignore[arg-type]


async def read_after(
    client: aioredis.Redis, stream: str, last_id: str, *, block_ms: int | None = 1000, count: int = 100
) -> list[Entry]:
    """Entries after `last_id` ('$' = only new ones), blocking up to `block_ms` (None = return at once);
    [] when none arrived."""
    answer: Any = await client.xread({stream: last_id}, count=count, block=block_ms)
    if not answer:
        return []
    return [(str(entry_id), dict(fields)) for entry_id, fields in answer[0][1]]


def recent(client: redis.Redis, stream: str, count: int) -> list[Entry]:
    """The newest `count` valid entries, oldest first: what a page shows when it first opens. An entry that breaks
    the contract (the persist worker dead-letters it) is skipped, so it can never keep a page from rendering."""
    entries: Any = client.xrevrange(stream, count=count)
    return [(str(entry_id), dict(fields)) for entry_id, fields in reversed(entries) if _valid(fields)]


def last_id(client: redis.Redis, stream: str) -> str:
    """The stream's newest id, or '0-0' when it is empty."""
    entries: Any = client.xrevrange(stream, count=1)
    return str(entries[0][0]) if entries else "0-0"
