"""`http` sources: JSON or CSV pages fetched with the cursor in a query parameter (`?since=<last seen>`).

Each answer is one batch; the cursor after it is the cursor field of its last row (rows come oldest first), and
the connector asks again until an answer is empty or no longer moves the cursor. Network faults and 5xx answers
are retried with exponential backoff (tenacity); a 4xx is the source's configuration and fails the run at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
from tenacity import retry, retry_if_exception, stop_after_attempt, wait_exponential

from services.sources.connectors.base import Batch, Row, decode_cursor, encode_cursor
from services.sources.spec import HttpSource

ATTEMPTS = 3


def _transient(exc: BaseException) -> bool:
    if isinstance(exc, httpx.HTTPStatusError):
        return exc.response.status_code >= 500 or exc.response.status_code == 429
    return isinstance(exc, httpx.TransportError)


class HttpConnector:
    def __init__(self, spec: HttpSource, *, backoff_s: float = 1.0) -> None:
        self.spec = spec
        self._get = retry(retry=retry_if_exception(_transient), stop=stop_after_attempt(ATTEMPTS), reraise=True,
                          wait=wait_exponential(multiplier=backoff_s, max=30 * backoff_s))(self._get_once)

    def _get_once(self, client: httpx.Client, position: Any) -> httpx.Response:
        params = {} if position is None else {self.spec.cursor_param: str(position)}
        response = client.get(self.spec.url, params=params)
        response.raise_for_status()
        return response

    def _rows(self, response: httpx.Response) -> list[Row]:
        if self.spec.format == "csv":
            from services.ingest import parse_table

            return list(parse_table(response.content, "text/csv"))
        items: Any = response.json()
        for key in (self.spec.items or "").split(".") if self.spec.items else ():
            items = items.get(key) if isinstance(items, dict) else None
        if not isinstance(items, list):
            raise ValueError(f"the answer of {self.spec.url} has no list at {self.spec.items or 'its top'}")
        return [(number, dict(item)) for number, item in enumerate(items, start=1)]

    def batches(self, cursor: str | None) -> Iterator[Batch]:
        position = decode_cursor(cursor) if cursor is not None else self.spec.start
        with httpx.Client(headers=self.spec.headers, timeout=self.spec.timeout, follow_redirects=True) as client:
            while rows := self._rows(self._get(client, position)):
                last = rows[-1][1].get(self.spec.cursor_field)
                if last is None:
                    raise ValueError(f"row {rows[-1][0]} of {self.spec.url} has no {self.spec.cursor_field}")
                if last == position:
                    return
                yield Batch(rows, encode_cursor(last))
                position = last

    def settle(self, batch: Batch, report: Any | None, error: Exception | None) -> bool:
        return error is None

