"""The demo city: its model (simcity) and the simulator that seeds and drives it."""

from __future__ import annotations

from services.demo.simulator import seed_if_empty

__all__ = ["seed_if_empty"]
