"""The digital-divide lens (数字鸿沟): approval measures by district × channel × applicant kind, and the districts
that lag the city.

Measures (window [start, end)):
- over applications *received* in the window: `received`, and `online` (received by the online or mobile channel);
  a district's online share is online / received;
- over applications *completed* in the window with a time limit: `with_due`, `on_time` (completed by the limit);
  the on-time rate is on_time / with_due.
A district lags when its online share or its on-time rate is more than `gap_points` percentage points below the
city's (over every district the caller may see). Both read the rollup (`services.approvals.cells`): the table its
cells by district and channel, with the enterprise part of each count (`enterprise_*`; citizens are the rest), the
daily trend of the gap its day cells (UTC days, level 3: matter, district, channel), so each costs a few thousand
cells whatever the volume, and only a window's partial days read applications.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from services.access import CITY_WIDE, Scope
from services.approvals.cells import cell_filters, window_sums
from services.approvals.queries import ALL, CACHE, ONLINE_CHANNELS, rows
from services.approvals.rollup import DAY
from services.store import ApprovalRollup
from services.store.cache import cached_query

CHANNELS = ("online", "mobile", "kiosk", "window")  # kiosk: self-service terminals (自助)
KINDS = ("citizen", "enterprise")
DEFAULT_GAP_POINTS = 10.0
KEYS = ["district", "channel", "applicant_kind"]
SUMS = ["received", "online", "with_due", "on_time"]
# what the table reads from the rollup: the totals and the enterprise part (citizens are the rest)
READ = ("received", "with_due", "on_time", "enterprise_received", "enterprise_with_due", "enterprise_on_time")


def _ratio(part: pd.Series, whole: pd.Series) -> pd.Series:
    return part / whole.where(whole > 0)


@cached_query(CACHE)
def channel_table(*, session: Session, start: datetime, end: datetime, scope: Scope = CITY_WIDE) -> pd.DataFrame:
    """The sums of the module docstring per district ('' for none) × channel × applicant kind (columns `KEYS` and
    `SUMS`), with `online_share` and `on_time_rate`; only the combinations with something received or completed."""
    cells = window_sums(session=session, start=start, end=end, by=("district", "channel"), scope=scope, where=ALL,
                        measures=READ)
    sums = cells.groupby(["district", "channel"])[list(READ)].sum()
    enterprise = pd.DataFrame({"received": sums["enterprise_received"], "with_due": sums["enterprise_with_due"],
                               "on_time": sums["enterprise_on_time"]})
    citizen = sums[["received", "with_due", "on_time"]] - enterprise.to_numpy()
    frame = pd.concat([citizen.assign(applicant_kind=KINDS[0]), enterprise.assign(applicant_kind=KINDS[1])]
                      ).reset_index()
    frame["online"] = frame["received"].where(frame["channel"].isin(ONLINE_CHANNELS), 0)
    frame = frame[(frame["received"] > 0) | (frame["with_due"] > 0)].reindex(columns=[*KEYS, *SUMS])
    frame[SUMS] = frame[SUMS].astype("int64")
    frame["online_share"] = _ratio(frame["online"], frame["received"])
    frame["on_time_rate"] = _ratio(frame["on_time"], frame["with_due"])
    return frame.sort_values(KEYS, ignore_index=True)


def district_gaps(table: pd.DataFrame, gap_points: float = DEFAULT_GAP_POINTS) -> pd.DataFrame:
    """Per district of `channel_table`'s rows: the sums, online share and on-time rate, their gaps to the city in
    percentage points (negative: below the city) and `lagging` (a gap below −`gap_points`), laggards first."""
    sums = table.groupby("district")[SUMS].sum()
    city = table[SUMS].sum()
    out = sums.assign(online_share=_ratio(sums["online"], sums["received"]),
                      on_time_rate=_ratio(sums["on_time"], sums["with_due"]))
    city_online = city["online"] / city["received"] if city["received"] else np.nan
    city_on_time = city["on_time"] / city["with_due"] if city["with_due"] else np.nan
    out["online_gap"] = (out["online_share"] - city_online) * 100
    out["on_time_gap"] = (out["on_time_rate"] - city_on_time) * 100
    out["lagging"] = (out["online_gap"] < -gap_points) | (out["on_time_gap"] < -gap_points)
    out.attrs.update(city_online_share=city_online, city_on_time_rate=city_on_time, gap_points=gap_points)
    order = out[["online_gap", "on_time_gap"]].min(axis=1)
    return out.assign(order=order).sort_values(["lagging", "order"], ascending=[False, True]).drop(
        columns="order").reset_index()


@cached_query(CACHE)
def gap_trend(*, session: Session, start: datetime, end: datetime, scope: Scope = CITY_WIDE) -> pd.DataFrame:
    """Per whole UTC day of [start, end) and district: online share and on-time rate, and their gaps to the city's
    of the same day in points (columns day, district, online_share, on_time_rate, online_gap, on_time_gap), read
    from the rollup's day cells by district and channel."""
    cell = ApprovalRollup.__table__.c
    first, last = -(-int(start.timestamp()) // DAY) * DAY, int(end.timestamp()) // DAY * DAY
    online = func.sum(case((cell.channel.in_(ONLINE_CHANNELS), cell.received), else_=0))
    stmt = select(cell.bucket.label("bucket"), cell.district.label("district"), func.sum(cell.received).label(
        "received"), online.label("online"), func.sum(cell.with_due).label("with_due"), func.sum(cell.on_time).label(
        "on_time")).where(cell.level == 3, cell.bucket >= first, cell.bucket < last,
                          *cell_filters(session, scope, ALL, cell)).group_by(cell.bucket, cell.district)
    frame = rows(session, stmt)
    if frame.empty:
        return pd.DataFrame(columns=["day", "district", "online_share", "on_time_rate", "online_gap", "on_time_gap"])
    frame[SUMS] = frame[SUMS].astype("int64")
    frame["day"] = pd.to_datetime(frame["bucket"].astype("int64"), unit="s").dt.date
    city = frame.groupby("day")[SUMS].sum()
    frame["online_share"] = _ratio(frame["online"], frame["received"])
    frame["on_time_rate"] = _ratio(frame["on_time"], frame["with_due"])
    frame["online_gap"] = (frame["online_share"] - frame["day"].map(_ratio(city["online"], city["received"]))) * 100
    frame["on_time_gap"] = (frame["on_time_rate"] - frame["day"].map(_ratio(city["on_time"], city["with_due"]))) * 100
    columns = ["day", "district", "online_share", "on_time_rate", "online_gap", "on_time_gap"]
    return frame.sort_values(["day", "district"], ignore_index=True)[columns]
