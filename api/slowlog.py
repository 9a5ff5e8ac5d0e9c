"""A log line for each slow HTTP request, with the collector pause time that fell inside it (issue 17's tail)."""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Receive, Scope, Send

from services.platform import GcPauses

log = logging.getLogger("onescreen.slow")
SLOW_MS = 150.0  # the wall's callback budget (issue 9)


class SlowRequestLog:
    """Logs `method path ms (gc ms in n collections)` for every request over `slow_ms`: when gc ms is most of it,
    the tail is the collector, not the store."""

    def __init__(self, app: ASGIApp, pauses: GcPauses, slow_ms: float = SLOW_MS) -> None:
        self.app, self.pauses, self.slow_ms = app, pauses, slow_ms

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, gc_before, collections_before = time.perf_counter(), self.pauses.seconds, self.pauses.collections
        try:
            await self.app(scope, receive, send)
        finally:
            spent_ms = (time.perf_counter() - started) * 1000
            if spent_ms > self.slow_ms:
                log.warning("slow request %s %s %.0f ms (gc %.0f ms in %d collections)", scope.get("method", ""),
                            scope.get("path", ""), spent_ms, (self.pauses.seconds - gc_before) * 1000,
                            self.pauses.collections - collections_before)
