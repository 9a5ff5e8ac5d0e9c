"""Association mining (completed A → applied for B within 30 days) against a brute-force pandas reference, on both
backends; the stored last run, its scope filter, and the background job."""

from __future__ import annotations

import threading
from datetime import timedelta

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select

from services.access import Scope
from services.approvals.association import AssociationJob, latest_rules, mine, refresh
from services.store import ApprovalAssociation, make_sessionmaker
from tests.services.approvals.data import NOW, applications, epoch, load


def _planted() -> pd.DataFrame:
    """Random applications, plus applicants who, after completing P1, apply for P3 a few days later."""
    frame = applications(n=1500, days=60)
    rng = np.random.default_rng(11)
    frame["applicant_id"] = rng.integers(0, 2000, len(frame)).astype(str).astype(object)
    source = frame[(frame["matter_code"] == "P1") & frame["completed_at"].notna()].sample(frac=0.7, random_state=1)
    follow = source.copy()
    follow["matter_code"] = "P3"
    follow["submitted_at"] = source["completed_at"] + pd.to_timedelta(rng.uniform(1, 20, len(source)), unit="D")
    follow["bundle_case"] = None
    follow = follow[follow["submitted_at"] < NOW]
    return pd.concat([frame, follow], ignore_index=True)


def _reference(frame: pd.DataFrame, window_days: int = 30, lookback_days: int = 90) -> pd.DataFrame:
    apps = frame[(frame["submitted_at"] >= NOW - timedelta(days=lookback_days)) & (frame["submitted_at"] < NOW)]
    apps = apps.assign(s=epoch(apps["submitted_at"]), c=epoch(apps["completed_at"]))
    applicants = apps["applicant_id"].nunique()
    horizon = NOW.timestamp() - window_days * 86400
    pairs: set[tuple[str, str, str]] = set()
    for who, mine_ in apps.groupby("applicant_id"):
        for a in mine_.itertuples():
            if pd.isna(a.c) or a.c > horizon:
                continue
            for b in mine_.itertuples():
                if b.matter_code != a.matter_code and 0 <= b.s - a.c <= window_days * 86400:
                    pairs.add((who, a.matter_code, b.matter_code))
    counts = pd.Series([(a, b) for _, a, b in pairs]).value_counts()
    done = apps[apps["c"] <= horizon].groupby("matter_code")["applicant_id"].nunique()
    applied = apps.groupby("matter_code")["applicant_id"].nunique()
    rows = [{"antecedent": a, "consequent": b, "pairs": n, "support": n / applicants, "confidence": n / done[a],
             "lift": n / done[a] / (applied[b] / applicants)} for (a, b), n in counts.items()]
    return pd.DataFrame(rows).set_index(["antecedent", "consequent"]).sort_index()


def test_mined_rules_match_brute_force(session):
    frame = load(session, _planted())

    rules, applicants = mine(session=session, now=NOW, min_pairs=1, min_confidence=0.0)

    want = _reference(frame)
    got = rules.set_index(["antecedent", "consequent"]).sort_index()
    assert applicants == frame["applicant_id"].nunique()
    assert list(got.index) == list(want.index)
    for column in ("pairs", "support", "confidence", "lift"):
        assert np.allclose(got[column].astype(float), want[column].astype(float)), column
    planted = got.loc[("P1", "P3")]
    assert planted["pairs"] == got["pairs"].max() and planted["confidence"] > 0.3 and planted["lift"] > 1


def test_refresh_replaces_the_stored_run_and_scope_filters_it(engine):
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        load(session, _planted())

    first = refresh(sessions, now=NOW - timedelta(days=1), min_pairs=3)
    second = refresh(sessions, now=NOW, min_pairs=3)

    with sessions() as session:
        stored = session.scalar(select(func.count()).select_from(ApprovalAssociation))
        rules = latest_rules(session=session)
        d2 = latest_rules(session=session, scope=Scope.of(departments=["d2"]))
    assert first.rules > 0 and stored == second.rules == len(rules)
    assert set(rules["computed_at"]) == {second.computed_at}
    assert (rules.iloc[0]["antecedent"], rules.iloc[0]["consequent"]) == ("P1", "P3")
    assert set(d2["consequent"]) <= {"P2", "P3"} and len(d2) > 0


def test_empty_store_mines_nothing(session):
    load(session, applications(n=10).iloc[0:0])
    rules, applicants = mine(session=session, now=NOW)
    assert rules.empty and applicants == 0


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_background_job_stores_rules_until_stopped(engine):
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        load(session, _planted())
    stop = threading.Event()
    job = threading.Thread(target=AssociationJob(sessions, every_seconds=0.05, min_pairs=3).run_forever, args=(stop,))
    job.start()
    try:
        for _ in range(600):
            with sessions() as session:
                if session.scalar(select(func.count()).select_from(ApprovalAssociation)):
                    break
            stop.wait(0.05)
    finally:
        stop.set()
        job.join(timeout=30)
    assert not job.is_alive()
    with sessions() as session:
        assert len(latest_rules(session=session)) > 0
