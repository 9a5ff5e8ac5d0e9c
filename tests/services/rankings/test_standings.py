"""Rankings: Wilson bounds, the minimum volume, the red list and honour roll, the change since last week, and the
counts they judge equal to a pandas recomputation on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from services.approvals.rollup import OPEN_STATUSES
from services.rankings import RankingRule, standings, unit_measures, wilson_lower, wilson_upper
from services.store import Application, Event, EventDispatch
from tests.services.approvals.data import DISTRICTS, NOW, applications, epoch, install_catalog, load
from tests.services.rankings.data import events


def test_wilson_bounds_are_the_textbook_values():
    assert wilson_lower([1], [1])[0] == pytest.approx(0.2065, abs=1e-4)
    assert wilson_upper([0], [1])[0] == pytest.approx(0.7935, abs=1e-4)
    assert wilson_lower([460], [500])[0] == pytest.approx(0.8929, abs=1e-4)
    assert np.isnan(wilson_lower([0], [0])[0])
    low, high = wilson_lower([30], [100])[0], wilson_upper([30], [100])[0]
    assert low < 0.3 < high


def _department(session: Session, code: str, done: int, on_time: int, now: datetime) -> None:
    """`done` applications of department `code`'s matter completed in the last days, `on_time` of them in time."""
    matter = {"d1": "P1", "d2": "P3", "d3": "N1"}[code]
    for i in range(done):
        submitted = now - timedelta(days=3, minutes=i)
        completed = submitted + timedelta(days=1)
        due = completed + (timedelta(hours=1) if i < on_time else -timedelta(hours=1))
        session.add(Application(matter_code=matter, applicant_kind="citizen", district="350203", channel="online",
                                submitted_at=submitted, accepted_at=submitted, completed_at=completed, due_at=due,
                                status="approved", visits=0))
    session.commit()


def test_one_application_at_100_percent_never_outranks_500_at_92(session):
    install_catalog(session)
    _department(session, "d1", 1, 1, NOW)
    _department(session, "d2", 500, 460, NOW)
    for min_volume in (1, 30):
        honour = standings(session=session, by="department", now=NOW, rule=RankingRule("honour", min_volume))
        red = standings(session=session, by="department", now=NOW, rule=RankingRule("red", min_volume))
        assert list(honour["key"]) == ["d2", "d1"]  # 92 % of 500 proves more than 100 % of one
        assert list(red["key"]) == ["d2", "d1"]  # 40 late of 500 is a record; one on-time case proves nothing
        assert honour["place"].iloc[0] == 1 and red["place"].iloc[0] == 1
    shown = standings(session=session, by="department", now=NOW, rule=RankingRule("honour", 30))
    assert shown.set_index("key").loc["d1", "ranked"] == False  # noqa: E712 (numpy bool)
    assert pd.isna(shown.set_index("key").loc["d1", "place"])
    assert shown.set_index("key").loc["d2", "late_rate"] == pytest.approx(0.08)


def test_early_in_the_day_the_red_list_is_not_all_ties(session):
    """At 00:30 today holds nothing; the rolling week still tells the departments apart."""
    install_catalog(session)
    early = NOW.replace(hour=0, minute=30)
    for code, late in (("d1", 2), ("d2", 9), ("d3", 20)):
        _department(session, code, 60, 60 - late, early)
    red = standings(session=session, by="department", now=early, rule=RankingRule("red"))
    assert list(red["key"]) == ["d3", "d2", "d1"]
    assert list(red["place"]) == [1, 2, 3]


def test_the_change_is_against_the_week_before(session):
    install_catalog(session)
    _department(session, "d1", 40, 10, NOW - timedelta(days=7))  # last week d1 was the worst
    _department(session, "d2", 40, 38, NOW - timedelta(days=7))
    _department(session, "d1", 40, 39, NOW)  # this week d2 is
    _department(session, "d2", 40, 20, NOW)
    red = standings(session=session, by="department", now=NOW, rule=RankingRule("red")).set_index("key")
    assert (red.loc["d2", "place"], red.loc["d2", "previous_place"], red.loc["d2", "change"]) == (1, 2, 1)
    assert (red.loc["d1", "place"], red.loc["d1", "previous_place"], red.loc["d1", "change"]) == (2, 1, -1)


def _reference(apps: pd.DataFrame, evs: pd.DataFrame, dis: pd.DataFrame, by: str, start: datetime, end: datetime,
               now: datetime) -> pd.DataFrame:
    s, e, t = start.timestamp(), end.timestamp(), now.timestamp()
    sub, done, due = epoch(apps["submitted_at"]), apps["completed_at"], apps["due_at"]
    completed = done.notna() & (epoch(done) >= s) & (epoch(done) < e)
    received = (sub >= s) & (sub < e)
    key = apps["department"] if by == "department" else apps["district"]
    is_open = apps["status"].isin(OPEN_STATUSES) & done.isna() & due.notna()
    parts = {"completed": completed & due.notna(), "late": completed & due.notna() & (done > due),
             "received": received, "returned": received & apps["return_reason"].notna(),
             "rated": completed & apps["rating"].notna(), "bad": completed & (apps["rating"] <= 2).fillna(False),
             "overdue_apps": is_open & (due < pd.Timestamp(now))}
    frames = [pd.DataFrame(parts).astype(int).groupby(key.fillna("")).sum()]
    live = evs[evs["sla_due_at"].notna() & (evs["status"] != "cancelled")]
    finished = live["status"].isin(["closed", "cancelled"])
    if by == "district":
        late = (live["closed_at"] > live["sla_due_at"]) | (~finished & (live["sla_due_at"] < t))
        inside = (live["reported_at"] >= s) & (live["reported_at"] < e)
        frames.append(pd.DataFrame({"cases": inside, "cases_late": inside & late,
                                    "overdue_events": ~finished & (live["sla_due_at"] < t)}).astype(int)
                      .groupby(live["district"].fillna("")).sum())
    else:
        d = dis.merge(live, left_on="event_id", right_on="id")
        open_event = ~d["status"].isin(["closed", "cancelled"])
        late = (d["finished_at"] > d["sla_due_at"]) | (d["finished_at"].isna() & open_event & (d["sla_due_at"] < t))
        inside = (d["dispatched_at"] >= s) & (d["dispatched_at"] < e)
        frames.append(pd.DataFrame({"cases": inside, "cases_late": inside & late,
                                    "overdue_events": open_event & (d["sla_due_at"] < t) & d["finished_at"].isna()})
                      .astype(int).groupby(d["department"]).sum())
    out = pd.concat(frames, axis=1).fillna(0).astype("int64")
    out.index.name = "key"
    return out[out.sum(axis=1) > 0].sort_index()


def test_last_weeks_places_are_kept_through_writes_for_the_hour(engine, monkeypatch):
    """The current week is recomputed after a write; last week's places only when the hour moves on."""
    from importlib import import_module

    from services.store import make_sessionmaker
    from services.store.cache import LocalQueryCache

    module = import_module("services.rankings.standings")  # the package's `standings` is the function
    cache = LocalQueryCache()
    sessions = make_sessionmaker(engine, cache)
    with sessions() as session:
        install_catalog(session)
        _department(session, "d1", 40, 10, NOW - timedelta(days=7))  # last week d1 was the worst
        _department(session, "d2", 40, 38, NOW - timedelta(days=7))
        _department(session, "d1", 40, 39, NOW)
    read = []
    monkeypatch.setattr(module, "unit_measures", lambda **kw: read.append(kw["overdue"] if "overdue" in kw else
                                                                          "current") or unit_measures(**kw))
    for moment in (NOW, NOW + timedelta(minutes=1), NOW + timedelta(hours=1)):
        cache.invalidate(["applications", "events"])  # a write, as in a live city every few seconds
        with sessions() as session:
            table = standings(session=session, by="department", now=moment).set_index("key")
        assert table.loc["d1", "previous_place"] == 1
    assert read == ["current", False, "current", "current", False]


@pytest.mark.parametrize("by", ["department", "district"])
def test_the_measures_equal_a_pandas_recomputation(session, by):
    apps = load(session, applications(n=600))
    evs, dis = events(session, NOW)
    start, end = NOW - timedelta(days=7), NOW.replace(minute=0, second=0, microsecond=0)
    got = unit_measures(session=session, by=by, start=start, end=end, now=NOW)
    want = _reference(apps, evs, dis, by, start, end, NOW)[got.columns]
    assert got["cases"].sum() > 0 and got["late"].sum() > 0 and got["overdue_apps"].sum() > 0
    pd.testing.assert_frame_equal(got, want, check_dtype=False)


def _progress(session: Session, evs: pd.DataFrame, dis: pd.DataFrame) -> None:
    """Late and out-of-order progress written after the hours it lands in, mirrored in the frames: dispatches
    finished late, closed-late events reopened (closed_at kept), events cancelled, moved in time and district."""
    stamp = lambda s: datetime.fromtimestamp(float(s), UTC)  # noqa: E731
    for i in dis.index[dis["finished_at"].isna()][:12]:
        dis.loc[i, "finished_at"] = min(dis.loc[i, "dispatched_at"] + 90 * 3600, NOW.timestamp() - 1)
        session.execute(update(EventDispatch).where(EventDispatch.event_id == int(dis.loc[i, "event_id"]),
                                                    EventDispatch.department == dis.loc[i, "department"])
                        .values(finished_at=stamp(dis.loc[i, "finished_at"])))
    late_closed = evs.index[(evs["status"] == "closed") & (evs["closed_at"] > evs["sla_due_at"])][:3]
    changes = [(late_closed, {"status": "in_progress"}), (evs.index[evs["status"] == "reported"][:3],
                                                          {"status": "cancelled"})]
    changes += [(evs.index[[10, 11]], {"district": DISTRICTS[0]}), (evs.index[[12, 13]], {"shift": -2 * 86400.0})]
    for rows, values in changes:
        for i in rows:
            if "shift" in values:
                evs.loc[i, "reported_at"] += values["shift"]
                update_values = {"reported_at": stamp(evs.loc[i, "reported_at"])}
            else:
                evs.loc[i, list(values)] = list(values.values())
                update_values = values
            session.execute(update(Event).where(Event.id == int(evs.loc[i, "id"])).values(**update_values))
    session.commit()


@pytest.mark.parametrize("by", ["department", "district"])
@pytest.mark.parametrize("edges", [timedelta(0), timedelta(minutes=35)])
def test_the_measures_after_late_progress_equal_a_pandas_recomputation(session, by, edges):
    """The rollup's whole hours, the raw edges of a window not on the hour and the open events' lateness at `now`
    add up to what pandas counts from the stored rows."""
    apps = load(session, applications(n=200))
    evs, dis = events(session, NOW)
    _progress(session, evs, dis)
    start, end = NOW - timedelta(days=7) + edges, NOW.replace(minute=0) - edges
    got = unit_measures(session=session, by=by, start=start, end=end, now=NOW)
    want = _reference(apps, evs, dis, by, start, end, NOW)[got.columns]
    assert got["cases"].sum() > 0 and got["cases_late"].sum() > 0
    pd.testing.assert_frame_equal(got, want, check_dtype=False)


@pytest.mark.parametrize("by", ["department", "district"])
def test_a_past_window_is_counted_without_its_overdue_work(session, by):
    """The previous week's places depend on its shares and volume only: its overdue work is not read."""
    load(session, applications(n=300))
    events(session, NOW)
    window = {"by": by, "start": NOW - timedelta(days=9), "end": NOW - timedelta(days=2), "now": NOW}
    full = unit_measures(session=session, **window)
    past = unit_measures(session=session, **window, overdue=False)
    assert full["overdue_apps"].sum() > 0 and full["overdue_events"].sum() > 0
    want = full.assign(overdue_apps=0, overdue_events=0)
    pd.testing.assert_frame_equal(past, want[want.sum(axis=1) > 0])


def test_a_scoped_caller_sees_only_its_units(session):
    from services.access import Scope

    apps = load(session, applications(n=300))
    evs, dis = events(session, NOW, n=80)
    start = NOW - timedelta(days=7)
    got = unit_measures(session=session, by="department", start=start, end=NOW, now=NOW,
                        scope=Scope.of(departments={"d2"}))
    assert list(got.index) == ["d2"]
    # a scope of departments is read raw, not from the rollup: the same counts
    want = _reference(apps, evs, dis, "department", start, NOW, NOW).loc[["d2"], got.columns]
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    with pytest.raises(ValueError, match="by must be"):
        unit_measures(session=session, by="matter", start=NOW, end=NOW, now=NOW)


def test_a_rule_refuses_what_it_cannot_rank_by():
    with pytest.raises(ValueError, match="mode"):
        RankingRule("best")
    with pytest.raises(ValueError, match="min_volume"):
        RankingRule("red", 0)
    assert RankingRule().mode == "red" and UTC
