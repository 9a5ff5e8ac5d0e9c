"""Files a browser test downloads: waited for, not timed."""

from __future__ import annotations

import time
from pathlib import Path


def downloaded(folder: Path, suffix: str, timeout: float = 10.0) -> Path:
    """The finished download ending in `suffix` (Chromium writes .crdownload until it is complete)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [p for p in folder.glob(f"*{suffix}") if p.stat().st_size > 0]
        if done:
            return done[0]
        time.sleep(0.1)
    raise AssertionError(f"no *{suffix} download in {folder}: {list(folder.iterdir())}")
