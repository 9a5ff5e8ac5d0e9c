"""Generated applications for the approvals tests, and the frame the pandas references compute from.

Five matters over three departments: an instant one, two promised ones forming a one-thing bundle across two
departments, a promised one, and one with no statutory or promised time at all (no due time either).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from services.store import Application, Department, District, Matter, bulkload

NOW = datetime(2026, 11, 23, 12, 25, 17, tzinfo=UTC)
DISTRICTS = ("350203", "350206")
CHANNELS = ("online", "mobile", "window", "kiosk")
REASONS = ("材料不齐全", "证件已过期", "信息填写有误")
MATTERS = pd.DataFrame(
    [("I1", "d1", "instant", 0, 0, None), ("P1", "d1", "promised", 20, 5, "b1"),
     ("P2", "d2", "promised", 10, 10, "b1"), ("P3", "d2", "promised", 30, 3, None),
     ("N1", "d3", "promised", None, None, None)],
    columns=["code", "department", "kind", "statutory_days", "promised_days", "bundle"])


def install_catalog(session: Session) -> None:
    for code in ("d1", "d2", "d3"):
        session.add(Department(code=code, name_zh=f"部门{code}", name_en=f"Dept {code}", kind="test"))
    for adcode in DISTRICTS:
        session.add(District(adcode=adcode, name_zh=adcode, name_en=adcode, geometry="{}"))
    session.flush()
    for row in MATTERS.itertuples():
        session.add(Matter(code=row.code, name_zh=row.code, name_en=row.code, department=row.department,
                           kind=row.kind, statutory_days=None if pd.isna(row.statutory_days) else int(row.statutory_days),
                           promised_days=None if pd.isna(row.promised_days) else int(row.promised_days),
                           bundle=row.bundle))
    session.commit()


def _stamp(seconds: np.ndarray) -> pd.Series:
    return pd.Series(pd.to_datetime(np.round(seconds * 1e6).astype("int64"), unit="us", utc=True))


def applications(n: int = 800, seed: int = 5, now: datetime = NOW, days: float = 10) -> pd.DataFrame:
    """`n` single applications and some bundle cases over the `days` before `now`, as they stand at `now`."""
    rng = np.random.default_rng(seed)
    end = now.timestamp()
    m = rng.integers(0, len(MATTERS), n)
    sub = end - rng.uniform(0, days * 86400, n)
    cases = rng.integers(0, 40, n // 10)  # bundle cases: P1 and P2 filed together
    m = np.concatenate([m, np.full(len(cases), 1), np.full(len(cases), 2)])
    case_sub = end - rng.uniform(0, days * 86400, len(cases))
    sub = np.concatenate([sub, case_sub, case_sub + rng.uniform(0, 300, len(cases))])
    case_id = np.concatenate([np.full(n, None), *[np.array([f"b1:{i}:{k}" for k, i in enumerate(cases)],
                                                           dtype=object)] * 2])
    total = len(m)
    matter = MATTERS.iloc[m].reset_index(drop=True)
    accepted = np.where(rng.random(total) < 0.9, sub + rng.uniform(0, 3 * 3600, total), np.nan)
    begin = np.where(np.isnan(accepted), sub, accepted)
    days_p = matter["promised_days"].to_numpy(float)
    took = rng.exponential(np.where(matter["kind"] == "instant", 0.5, np.nan_to_num(days_p, nan=4) * 0.8) * 86400)
    completed = np.where(rng.random(total) < 0.85, begin + took, np.nan)
    completed[completed > end] = np.nan
    due = np.where(matter["kind"] == "instant", begin + 3600,
                   np.where(np.isnan(days_p), np.nan, begin + np.nan_to_num(days_p) * 86400))
    done = ~np.isnan(completed)
    rating = np.where(done & (rng.random(total) < 0.7), rng.integers(1, 6, total), np.nan)
    bad = rating <= 2
    followup = np.where(bad, rng.choice(np.array(["pending", "contacted", "closed", ""], dtype=object), total), None)
    frame = pd.DataFrame({
        "matter_code": matter["code"].to_numpy(object), "applicant_kind": "citizen",
        "applicant_name": rng.choice(np.array(["张三", "李四五"], dtype=object), total),
        "applicant_phone": "13812341234", "district": rng.choice(np.array(DISTRICTS, dtype=object), total),
        "channel": rng.choice(np.array(CHANNELS, dtype=object), total), "submitted_at": _stamp(sub),
        "accepted_at": _stamp(np.nan_to_num(accepted)).where(~np.isnan(accepted)),
        "completed_at": _stamp(np.nan_to_num(completed)).where(done),
        "due_at": _stamp(np.nan_to_num(due)).where(~np.isnan(due)),
        "status": np.where(done, "approved", np.where(np.isnan(accepted), "submitted", "in_review")).astype(object),
        "return_reason": pd.Series(rng.choice(np.array(REASONS, dtype=object), total)).where(
            rng.random(total) < 0.15),
        "visits": rng.integers(0, 4, total), "rating": pd.Series(rating).astype("Int64"),
        "rating_followup": pd.Series(followup, dtype=object).replace("", None),
        "applicant_id": rng.integers(0, 60, total).astype(str).astype(object), "bundle_case": case_id,
    })
    return frame


def load(session: Session, frame: pd.DataFrame) -> pd.DataFrame:
    """Install the catalog, store `frame`, and return it joined to its matters (what the references use)."""
    install_catalog(session)
    bulkload.bulk_insert(session.get_bind(), Application, list(frame.columns), frame)  # type: ignore[arg-type]
    return frame.merge(MATTERS, left_on="matter_code", right_on="code", how="left")


def epoch(stamps: pd.Series) -> pd.Series:
    """Whole epoch seconds, floored, as the database computes them (NaN for missing)."""
    return (stamps - pd.Timestamp(0, tz="UTC")).dt.total_seconds().floordiv(1)


def window(now: datetime = NOW, days: int = 7) -> tuple[datetime, datetime]:
    return now - timedelta(days=days), now
