"""Association between matters, for push suggestions: applicants who completed A applied for B within N days.

Mined as a background job (`AssociationJob.run_forever` in a thread beside the web server) over the last
`lookback_days` of applications, keyed by the pseudonymous `applicant_id`; each run replaces the rows of
`approval_associations`, and pages read the last run with `latest_rules`, never waiting for a mining.

For a rule A → B, over the applicants seen in the lookback (the "transactions"):
- pairs: applicants who completed A and submitted B within `window_days` after (B ≠ A);
- support = pairs / applicants; confidence = pairs / applicants who completed A; lift = confidence / (applicants
  who applied for B / applicants).
Only completions of A at least `window_days` before `now` count (numerator and denominator), so a completion
whose window is still open does not dilute the confidence.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pandas as pd
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session, sessionmaker

from services.access import CITY_WIDE, Scope
from services.approvals.queries import AnySelect, epoch
from services.store import Application, ApprovalAssociation, Matter

log = logging.getLogger(__name__)

RULE_COLUMNS = ["antecedent", "consequent", "pairs", "support", "confidence", "lift"]


@dataclass(frozen=True)
class MiningReport:
    rules: int
    applicants: int
    seconds: float
    cpu_seconds: float  # this process's CPU (SQLite's work included): the figure a loaded machine distorts least
    computed_at: datetime


def _covered(stmt: AnySelect) -> AnySelect:
    """SQLite has no statistics to prefer the covering applicant index over the submitted-at one: name it."""
    return stmt.with_hint(Application, "INDEXED BY ix_applications_applicant", dialect_name="sqlite")


def _tuples(session: Session, stmt: AnySelect) -> pd.DataFrame:
    """A query's rows as a frame, read from the DBAPI cursor: at a few hundred thousand rows SQLAlchemy's Row
    objects cost several times the scan itself (the columns need no result processing: text and integers)."""
    result = session.connection().execute(stmt)
    try:
        return pd.DataFrame(result.cursor.fetchall(), columns=list(result.keys()))
    finally:
        result.close()


def _distinct_applicants(apps: pd.DataFrame) -> dict[str, int]:
    return {str(k): int(v) for k, v in apps.groupby("matter")["who"].nunique().items()}


def mine(*, session: Session, now: datetime, lookback_days: int = 90, window_days: int = 30, min_pairs: int = 10,
         min_confidence: float = 0.05) -> tuple[pd.DataFrame, int]:
    """(rules with at least `min_pairs` pairs and `min_confidence`, strongest lift first; applicants seen).

    One scan of the covering applicant index brings the lookback's (applicant, matter, submitted, completed) to
    pandas, which counts the distinct applicants and pairs the applications of those who applied more than once
    (the only ones who can form a pair): one pass over the store instead of one per count."""
    since, horizon = now - timedelta(days=lookback_days), (now - timedelta(days=window_days)).timestamp()
    apps = _tuples(session, _covered(select(
        Application.applicant_id.label("who"), Application.matter_code.label("matter"),
        epoch(session, Application.submitted_at).label("submitted"),
        epoch(session, Application.completed_at).label("completed")).where(
        Application.submitted_at >= since, Application.submitted_at < now, Application.applicant_id.is_not(None))))
    if apps.empty:
        return pd.DataFrame(columns=RULE_COLUMNS), 0
    apps["who"] = pd.factorize(apps["who"])[0]  # integer keys: the merge below is several times faster on them
    applicants = int(apps["who"].max()) + 1
    done = apps[apps["completed"].notna() & (apps["completed"] <= horizon)]
    applied, completed_by = _distinct_applicants(apps), _distinct_applicants(done)
    repeaters = apps[apps["who"].duplicated(keep=False)]
    pairs = done[["who", "matter", "completed"]][done["who"].isin(repeaters["who"])].merge(
        repeaters[["who", "matter", "submitted"]], on="who", suffixes=("_a", "_b"))
    gap = pairs["submitted"] - pairs["completed"]
    pairs = pairs[(pairs["matter_a"] != pairs["matter_b"]) & (gap >= 0) & (gap <= window_days * 86_400)]
    rules = (pairs.drop_duplicates(["who", "matter_a", "matter_b"]).groupby(["matter_a", "matter_b"]).size()
             .rename("pairs").reset_index().rename(columns={"matter_a": "antecedent", "matter_b": "consequent"}))
    if rules.empty:
        return pd.DataFrame(columns=RULE_COLUMNS), applicants
    rules["support"] = rules["pairs"] / applicants
    rules["confidence"] = rules["pairs"] / rules["antecedent"].map(completed_by).astype(float)
    rules["lift"] = rules["confidence"] / (rules["consequent"].map(applied).astype(float) / applicants)
    rules = rules[(rules["pairs"] >= min_pairs) & (rules["confidence"] >= min_confidence)]
    return rules.sort_values(["lift", "pairs"], ascending=False, ignore_index=True)[RULE_COLUMNS], applicants


def refresh(sessions: sessionmaker[Session], *, now: datetime | None = None, lookback_days: int = 90,
            window_days: int = 30, min_pairs: int = 10, min_confidence: float = 0.05) -> MiningReport:
    """One run: mine, then replace the stored rules in one transaction (readers see the old or the new set)."""
    began, cpu = time.perf_counter(), time.process_time()
    now = now or datetime.now(UTC)
    with sessions() as session:
        rules, applicants = mine(session=session, now=now, lookback_days=lookback_days, window_days=window_days,
                                 min_pairs=min_pairs, min_confidence=min_confidence)
        session.execute(delete(ApprovalAssociation))
        if not rules.empty:
            session.execute(insert(ApprovalAssociation), [
                {**{k: (v.item() if hasattr(v, "item") else v) for k, v in rule.items()}, "computed_at": now,
                 "window_days": window_days} for rule in rules.to_dict("records")])
        session.commit()
    return MiningReport(len(rules), applicants, round(time.perf_counter() - began, 3),
                        round(time.process_time() - cpu, 3), now)


def latest_rules(*, session: Session, limit: int = 20, scope: Scope = CITY_WIDE) -> pd.DataFrame:
    """The last run's rules whose suggested matter (B) a department scope owns; a district scope sees the city's
    rules (they are counts over all applicants, no row of anyone): columns of RULE_COLUMNS + computed_at."""
    stmt = (select(ApprovalAssociation.antecedent, ApprovalAssociation.consequent, ApprovalAssociation.pairs,
                   ApprovalAssociation.support, ApprovalAssociation.confidence, ApprovalAssociation.lift,
                   ApprovalAssociation.computed_at)
            .join(Matter, Matter.code == ApprovalAssociation.consequent)
            .where(scope.department_filter(Matter.department))
            .order_by(ApprovalAssociation.lift.desc(), ApprovalAssociation.pairs.desc()).limit(limit))
    return pd.DataFrame(session.execute(stmt).all(), columns=[*RULE_COLUMNS, "computed_at"])


class AssociationJob:
    """Re-mines every `every_seconds` until `stop` is set; a failed run is logged and retried next time."""

    def __init__(self, sessions: sessionmaker[Session], every_seconds: float = 3600.0, min_pairs: int = 10) -> None:
        self.sessions, self.every_seconds, self.min_pairs = sessions, every_seconds, min_pairs

    def run_forever(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                report = refresh(self.sessions, min_pairs=self.min_pairs)
                log.info("association rules: %d from %d applicants in %.1f s", report.rules, report.applicants,
                         report.seconds)
            except Exception:  # the job must outlive a bad run (a locked store, a dropped connection)
                log.exception("association mining failed; retrying in %.0f s", self.every_seconds)
            stop.wait(self.every_seconds)
