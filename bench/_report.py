"""What every benchmark writes (DESIGN.md "Benchmarks (contract)"): the machine it ran on, and the JSON file."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path
from typing import Any


def machine(**extra: Any) -> dict[str, Any]:
    """Cores, memory and Python of this machine, plus what the bench adds (database, redis, browser versions)."""
    memory_gb = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30)
    return {"cpus": os.cpu_count(), "memory_gb": memory_gb, "python": platform.python_version(), **extra}


def write(out: Path, result: dict[str, Any]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {out}")
