"""What every connector hands the runner: batches of numbered source rows, each with the position it reaches.

The runner stores a batch's rows, its cursor (or a file's digest) and the delivery in one transaction, then asks
the connector to settle it (a dropped file is moved). A cursor is kept as JSON so an integer stays an integer and
a time stays a time when it goes back into the next query.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

Row = tuple[int, dict[str, Any]]


@dataclass
class Batch:
    rows: Iterable[Row]
    cursor: str | None = None  # the source's cursor once these rows are stored
    digest: str | None = None  # a dropped file's content digest: recorded with its rows, never loaded twice
    path: Path | None = None  # the dropped file, settled after the commit


class Connector(Protocol):
    def batches(self, cursor: str | None) -> Iterator[Batch]:
        """The rows after `cursor`, oldest first, one batch at a time."""
        ...

    def settle(self, batch: Batch, report: Any | None, error: Exception | None) -> bool:
        """After `batch` was stored (`report`) or failed (`error`): True when the run may go on with the next."""
        ...


def encode_cursor(value: Any) -> str:
    return json.dumps({"t": value.isoformat()} if isinstance(value, datetime) else value, ensure_ascii=False)


def decode_cursor(text: str | None) -> Any:
    if text is None:
        return None
    value = json.loads(text)
    return datetime.fromisoformat(value["t"]) if isinstance(value, dict) else value
