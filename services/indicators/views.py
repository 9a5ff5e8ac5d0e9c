"""The analyst's view of one indicator (/indicators): trend, district map and comparison in one cached call, and the
catalog for the indicator picker. Built on `services.indicators.queries`; cached in its namespace, so new readings
invalidate these results too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.access import CITY_WIDE, Scope
from services.indicators.queries import (
    CACHE,
    Bucket,
    compare_districts,
    latest_by_district,
    series,
)
from services.store import Indicator
from services.store.cache import cached


@dataclass(frozen=True)
class DrillDown:
    """What the analyst sees of one indicator, area and range: the trend, the map's latest values, the comparison.

    The frames are shared with the cache: read them, do not modify them.
    """

    code: str
    name_zh: str
    name_en: str
    unit: str
    direction: str
    warn: float | None
    alarm: float | None
    trend: pd.DataFrame
    latest: pd.DataFrame
    comparison: pd.DataFrame


def drill_down(
    *,
    session: Session,
    code: str,
    district: str | None,
    start: datetime,
    end: datetime,
    bucket: Bucket,
    tz: str = "Asia/Shanghai",
    scope: Scope = CITY_WIDE,
) -> DrillDown:
    """`series` of the area, `latest_by_district` (stale as of `end`) and `compare_districts`, in one cached call:
    an analyst's click costs one query round only the first time, until new readings arrive."""

    def compute() -> DrillDown:
        ind = session.get(Indicator, code)
        if ind is None:
            raise ValueError(f"unknown indicator code {code!r}")
        return DrillDown(
            code, ind.name_zh, ind.name_en, ind.unit, ind.direction, ind.warn, ind.alarm,
            trend=series(session=session, code=code, district=district, start=start, end=end, bucket=bucket,
                         tz=tz, scope=scope),
            latest=latest_by_district(session=session, code=code, now=end, scope=scope),
            comparison=compare_districts(session=session, code=code, start=start, end=end, scope=scope),
        )  # fmt: skip

    return cached(session, CACHE, "drill_down", (scope.key, district), (code, start, end, bucket, tz), compute)


def indicator_choices(*, session: Session) -> pd.DataFrame:
    """The catalog for pickers: code, name_zh, name_en, domain, unit, ordered by domain then code."""
    stmt = select(Indicator.code, Indicator.name_zh, Indicator.name_en, Indicator.domain, Indicator.unit)
    rows = session.execute(stmt.order_by(Indicator.domain, Indicator.code)).all()
    return pd.DataFrame(rows, columns=["code", "name_zh", "name_en", "domain", "unit"])
