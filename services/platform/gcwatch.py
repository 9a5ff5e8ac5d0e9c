"""How long this process's garbage collector stops it, from `gc.callbacks`.

Why: issue 17 saw ~1 % of wall callbacks take 150–380 ms while their queries took 3–33 ms, in web workers that also
run push loops. A collection holds the GIL, so it pauses every request of the worker; counting the pause time that
falls inside a request (api/slowlog.py) tells a collector pause from a slow query in the log.
"""

from __future__ import annotations

import gc
import time
from typing import Any


class GcPauses:
    """Running totals of the collector's pauses: seconds, collections, and the longest (with its generation)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.collections = 0
        self.longest = 0.0
        self.longest_generation = -1
        self._started = 0.0

    def install(self) -> None:
        if self._on_phase not in gc.callbacks:
            gc.callbacks.append(self._on_phase)

    def uninstall(self) -> None:
        if self._on_phase in gc.callbacks:
            gc.callbacks.remove(self._on_phase)

    def _on_phase(self, phase: str, info: dict[str, Any]) -> None:
        now = time.perf_counter()
        if phase == "start":
            self._started = now
            return
        spent = now - self._started
        self.seconds += spent
        self.collections += 1
        if spent > self.longest:
            self.longest, self.longest_generation = spent, int(info.get("generation", -1))


def freeze_after_start() -> None:
    """Move everything alive after start-up (modules, the app, its callbacks and layouts) out of the collector's
    sight, so a full collection walks only what requests create, not the whole app each time. Called once the app
    is built and serving, never at import (a frozen half-built app would never be collected)."""
    gc.collect()
    gc.freeze()
