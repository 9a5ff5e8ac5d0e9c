"""Bounds on a share that account for how much evidence a unit has: the Wilson score interval.

A department with one application completed on time has an on-time rate of 100 %, one with 500 at 92 % has less;
but the first proves almost nothing. Ranking by the raw share puts tiny units at both ends of every list and makes
early-day lists all ties. The Wilson interval's bound is the share the record supports with 95 % confidence: one
on-time completion supports only "at least 21 % on time", 460 of 500 support "at least 89 %". Red lists order by the
lower bound of the *bad* share (how bad a unit is shown to be), honour rolls by the lower bound of the good share.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

Z95 = 1.959963984540054  # two-sided 95 %


def wilson_lower(hits: ArrayLike, n: ArrayLike, z: float = Z95) -> NDArray[np.float64]:
    """The lower Wilson bound of `hits` / `n`, element-wise; NaN where `n` is 0 (nothing to judge)."""
    return _bound(hits, n, z, -1.0)


def wilson_upper(hits: ArrayLike, n: ArrayLike, z: float = Z95) -> NDArray[np.float64]:
    """The upper Wilson bound of `hits` / `n`, element-wise; NaN where `n` is 0."""
    return _bound(hits, n, z, 1.0)


def _bound(hits: ArrayLike, n: ArrayLike, z: float, sign: float) -> NDArray[np.float64]:
    k, total = np.asarray(hits, dtype=float), np.asarray(n, dtype=float)
    safe = np.where(total > 0, total, 1.0)
    p = k / safe
    z2 = z * z
    centre = p + z2 / (2 * safe)
    spread = z * np.sqrt(np.maximum(p * (1 - p) / safe + z2 / (4 * safe * safe), 0.0))
    bound = (centre + sign * spread) / (1 + z2 / safe)
    return np.where(total > 0, np.clip(bound, 0.0, 1.0), np.nan)
