"""Reformers' findings and the drill-down list against pandas, on both backends: idle matters, high return rates,
overdue cards (including a store where everything is overdue), masking of personal data."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd

from services.access import Scope
from services.approvals.findings import application_list, high_return_matters, idle_matters, overdue
from services.approvals.queries import Slice
from services.sla import sla_card
from tests.services.approvals.data import NOW, applications, load, window


def test_idle_matters_are_those_without_recent_applications(session):
    frame = applications()
    frame = frame[~((frame["matter_code"] == "P3") & (frame["submitted_at"] > NOW - timedelta(days=4)))]
    frame = frame[frame["matter_code"] != "N1"]
    load(session, frame)

    idle = idle_matters(session=session, now=NOW, days=4)
    scoped = idle_matters(session=session, now=NOW, days=4, scope=Scope.of(departments=["d2"]))

    assert idle["code"].tolist() == ["N1", "P3"]  # never applied for first, then the longest idle
    assert pd.isna(idle["last_submitted"].iloc[0])
    assert idle["last_submitted"].iloc[1] == frame[frame["matter_code"] == "P3"]["submitted_at"].max()
    assert scoped["code"].tolist() == ["P3"]


def test_high_return_matters_match_pandas(session):
    frame = applications()
    rng = np.random.default_rng(3)
    p1 = frame["matter_code"] == "P1"
    frame.loc[p1, "return_reason"] = np.where(rng.random(p1.sum()) < 0.6, "证件已过期", None)
    frame = load(session, frame)
    start, end = window()

    found = high_return_matters(session=session, start=start, end=end, threshold=0.3, min_received=5)

    rec = frame[(frame["submitted_at"] >= start) & (frame["submitted_at"] < end)]
    rates = rec.groupby("matter_code")["return_reason"].agg(lambda s: s.notna().mean())
    assert found["matter"].tolist() == rates[rates > 0.3].sort_values(ascending=False).index.tolist() == ["P1"]
    assert np.isclose(found["return_rate"].item(), rates["P1"])
    assert found["reasons"].item()[0][0] == "证件已过期" and found["reasons"].item()[0][1] == 1.0


def _open(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["completed_at"].isna() & frame["due_at"].notna()]


def test_overdue_cards_match_sla_card(session):
    frame = load(session, applications())

    counts, rows = overdue(session=session, now=NOW, limit=1000)

    open_ = _open(frame)
    cards = [sla_card(a if pd.notna(a) else s, d, NOW) for a, s, d in
             zip(open_["accepted_at"], open_["submitted_at"], open_["due_at"], strict=True)]
    want = pd.Series(cards).value_counts()
    assert counts == {"red": want.get("red", 0), "yellow": want.get("yellow", 0)} and counts["red"] > 0
    assert set(rows["card"]) <= {"red", "yellow"} and len(rows) == sum(counts.values())
    assert rows["due_at"].is_monotonic_increasing
    assert set(rows["applicant_name"]) <= {"张*", "李**"} and set(rows["applicant_phone"]) == {"138****1234"}


def test_all_overdue(session):
    frame = applications()
    frame["completed_at"] = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[us, UTC]")
    frame["status"] = "in_review"
    frame["due_at"] = frame["due_at"].where(frame["due_at"].isna(), NOW - timedelta(minutes=5))
    load(session, frame)

    counts, rows = overdue(session=session, now=NOW, limit=10, reveal_pii=True,
                           where=Slice(department="d1"))

    assert counts == {"red": int(((frame["matter_code"].isin(["I1", "P1"])) & frame["due_at"].notna()).sum()),
                      "yellow": 0}
    assert len(rows) == 10 and set(rows["card"]) == {"red"}
    assert set(rows["applicant_name"]) <= {"张三", "李四五"}
    assert set(rows["applicant_phone"]) == {"13812341234"}


def test_application_list_is_the_newest_of_the_slice(session):
    frame = load(session, applications())
    start, end = window()

    rows = application_list(session=session, start=start, end=end, now=NOW, limit=20,
                            where=Slice(department="d2", matter="P3"), scope=Scope.of(districts=["350206"]))

    want = frame[(frame["matter_code"] == "P3") & (frame["district"] == "350206")
                 & (frame["submitted_at"] >= start)].sort_values("submitted_at", ascending=False).head(20)
    assert rows["submitted_at"].tolist() == want["submitted_at"].tolist() and len(rows) > 0
    assert set(rows["card"]) <= {"none", "yellow", "red"}
    assert all("*" in name for name in rows["applicant_name"])
