"""The connector worker: runs each pull source on its schedule (`python -m services.workers sources`).

A run that fails is retried with exponential backoff (30 s, 1 min, 2 min … up to 15 min), never later than the
schedule's next run. Sources run one after the
other in this thread; several worker processes may run side by side, each source's lock keeps them apart.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from services.sources.connectors import Connector, connector_for
from services.sources.runner import SourceRunner
from services.sources.spec import PullSpec

log = logging.getLogger("onescreen.sources")

BACKOFF_FIRST_S = 30.0
BACKOFF_MAX_S = 900.0


class SourcesLoop:
    def __init__(self, specs: Sequence[PullSpec], runner: SourceRunner) -> None:
        self.specs = list(specs)
        self.runner = runner
        self.connectors: dict[str, Connector] = {spec.id: connector_for(spec) for spec in self.specs}
        self.due: dict[str, datetime] = {}
        self.failures: dict[str, int] = {}

    def _run_one(self, spec: PullSpec, now: datetime) -> None:
        scheduled = spec.schedule.next_after(now)
        try:
            result = self.runner.run(spec, self.connectors[spec.id])
        except Exception:
            failures = self.failures[spec.id] = self.failures.get(spec.id, 0) + 1
            backoff = timedelta(seconds=min(BACKOFF_FIRST_S * 2 ** (failures - 1), BACKOFF_MAX_S))
            self.due[spec.id] = min(now + backoff, scheduled)
            log.exception("source %s failed (%d in a row); next try at %s", spec.id, failures, self.due[spec.id])
            return
        self.failures[spec.id] = 0
        self.due[spec.id] = scheduled
        if result.batches:
            log.info("source %s: %d batches, %d new, %d updated, %d refused", spec.id, result.batches,
                     result.accepted, result.updated, result.refused)

    def tick(self, now: datetime | None = None) -> None:
        """Run every source that is due at `now` (all of them on the first tick)."""
        now = now or datetime.now(UTC)
        for spec in self.specs:
            if self.due.get(spec.id, now) <= now:
                self._run_one(spec, now)

    def run_forever(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self.tick()
            stop.wait(1.0)
