"""The demo city's 12345 hotline: who calls, how, about what, and what becomes of their work orders (工单).

Pure numpy/pandas generators (no store access), shared by the seeded history and the live feed:
- calls follow the day (a morning and an afternoon peak, quieter weekends and nights); at busy hours callers wait
  longer and more of them hang up, so the answer rate dips when the lines are full;
- orders come mostly by phone, then web, app, mini-program, the provincial platform and Open311;
- repeat callers: a share of orders is the same caller about the same place and problem within days;
- one burst a week: for one local day, one district calls about one problem (a water outage where the pack has
  停水), enough to top that week's hot topics;
- the lifecycle as it stands at `end`: reply (回复), close, follow-up (回访: reached or not; satisfied, basic,
  dissatisfied; a dissatisfied one reopens the order), and 督办 for orders that ran past their time limit.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from services.demo.hotline_texts import ASKS, ROADS, SPOTS, WHY
from services.demo.simcity import DAY, SimCity, event_rows, local_hours, optional_timestamps, timestamps
from services.hotline.readings import ORDER_COLUMNS, HotlineRows, epoch_seconds
from services.hotline.terms import cut_all

CALLS_PER_DAY = 2600  # calls reaching the queue; about one in seven becomes a work order
CHANNELS = np.array(["phone", "web", "app", "mini_program", "province", "open311"], dtype=object)
CHANNEL_P = [0.7, 0.08, 0.08, 0.08, 0.04, 0.02]
REPEAT_SHARE = 0.08  # orders that are a caller's second call about the same thing
REPEAT_DAYS = 10
BURST_ORDERS = 240  # extra orders on a burst day, all in one district
# What bursts, week by week in turn, of the problems the pack has (else any of its subcategories)
BURST_PROBLEMS = ("停水", "停电", "噪声扰民", "道路积水", "路灯不亮", "异味扰民", "夜间施工扰民")
SATISFACTION = np.array(["satisfied", "basic", "dissatisfied"], dtype=object)
SOURCE = "demo-simulator"  # the telephone system's name on the calls (the simulator's source id)
AGENTS = 60
KNOWN_CALLERS = 0.4  # calls from a number that also reported an order


@dataclass(frozen=True)
class Burst:
    """One district calling about one problem for one local day starting at `start` (epoch seconds)."""

    start: float
    district: str
    category: str
    problem: str


def bursts(start: float, end: float, codes: list[str], sim: SimCity, seed: int) -> list[Burst]:
    """The bursts overlapping [start, end]: one per 7-day block, its day, district and problem fixed by the block
    number, so the seeded history and the live feed agree; two weeks running burst about different problems."""
    problem_of = {sub: c.code for c in sim.categories for sub in c.subcategories}
    problems = [p for p in BURST_PROBLEMS if p in problem_of] or sorted(problem_of)
    offset = float(pd.Timestamp(0, tz=sim.zone).utcoffset().total_seconds())  # local midnight in epoch seconds
    found = []
    for block in range(int((start + offset) // (7 * DAY)) - 1, int((end + offset) // (7 * DAY)) + 1):
        pick = np.random.default_rng([seed, block, 7])
        day = block * 7 * DAY + int(pick.integers(0, 7)) * DAY - offset
        problem = problems[block % len(problems)]
        if day + DAY > start and day < end:
            found.append(Burst(day, codes[int(pick.integers(0, len(codes)))], problem_of[problem], problem))
    return found


def caller_keys(phones: np.ndarray, secret_key: str) -> np.ndarray:
    """The keyed hash of each number (services.ingest.applicant_key's), so a repeat caller is recognised."""
    key = secret_key.encode()
    return np.array([hmac.new(key, str(p).strip().encode(), hashlib.sha256).hexdigest()[:24] for p in phones],
                    dtype=object)


def texts(rng: np.random.Generator, problems: np.ndarray, district_names: np.ndarray) -> np.ndarray:
    """Complaint texts (hotline_texts.complaint's shape), vectorised: where, what, why, what is asked."""
    n = len(problems)

    def pick(words: tuple[str, ...]) -> np.ndarray:
        return np.array(words, dtype=object)[rng.integers(0, len(words), n)]

    said: np.ndarray = (district_names.astype(object) + pick(ROADS) + pick(SPOTS) + problems.astype(object) + "，"
                        + pick(WHY) + "，" + pick(ASKS) + "。")
    return said


def burst_events(rng: np.random.Generator, burst: Burst, start: float, end: float, codes: list[str],
                 geoms: list[Any], first_id: int, sim: SimCity) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The burst's extra orders (events and dispatches) within [start, end]: its problem, its district."""
    lo, hi = max(burst.start, start), min(burst.start + DAY, end)
    n = int(rng.poisson(BURST_ORDERS * (hi - lo) / DAY)) if hi > lo else 0
    category = next(c for c in sim.categories if c.code == burst.category)
    only = replace(sim, categories=(replace(category, subcategories=(burst.problem,), weight=1.0),),
                   district_weight={code: float(code == burst.district) for code in codes})
    events, dispatches = event_rows(rng, lo, hi, n, codes, geoms, first_id, only) if n else (
        pd.DataFrame(), pd.DataFrame())
    if n:
        events["source"] = "hotline"
    return events, dispatches


def make_orders(rng: np.random.Generator, events: pd.DataFrame, dispatches: pd.DataFrame, end: float,
                names: dict[str, str], sim: SimCity, secret_key: str) -> pd.DataFrame:
    """Work orders for the hotline's events (source `hotline`), as they stand at `end`, their texts' terms cut
    (services/hotline/terms). Changes `events` in place: the orders' texts, the repeats' caller, place and
    problem, the reopened ones' status."""
    rows = np.flatnonzero((events["source"] == "hotline").to_numpy() & (events["status"] != "cancelled").to_numpy())
    n = len(rows)
    # repeats copy an earlier order's caller, place and problem (same category, within REPEAT_DAYS): rows in
    # (category, time) order, categories 1e10 s apart, so one search finds each order's window in its category
    key = (pd.factorize(events["category"].to_numpy()[rows])[0] * 1e10
           + epoch_seconds(events["reported_at"].iloc[rows]))
    order = np.argsort(key, kind="stable")
    rows, key = rows[order], key[order]
    lo = np.searchsorted(key, key - REPEAT_DAYS * DAY)
    hi = np.searchsorted(key, key - 3600)
    repeat = (rng.random(n) < REPEAT_SHARE) & (hi > lo)
    earlier = np.where(repeat, lo + (rng.random(n) * (hi - lo)).astype(np.int64), -1)
    earlier = np.where(repeat, np.minimum(earlier, np.maximum(hi - 1, 0)), -1)
    copied = ["subcategory", "district", "grid", "lat", "lon", "reporter_name", "reporter_phone"]
    root = earlier.copy()  # a repeat of a repeat copies the first call of the chain
    while (chained := repeat & (root >= 0) & repeat[np.maximum(root, 0)]).any():
        root[chained] = earlier[root[chained]]
    source_rows, target_rows = rows[root[repeat]], rows[repeat]
    for column in copied:
        col = events.columns.get_loc(column)
        events.iloc[target_rows, col] = events.iloc[source_rows, col].to_numpy()
    problems = events["subcategory"].to_numpy(dtype=object)[rows]
    district_names = pd.Series(events["district"].to_numpy(dtype=object)[rows]).map(names).fillna("").to_numpy()
    said = texts(rng, problems, district_names)
    said[repeat] = said[root[repeat]]  # the same words, and a second call says so
    said[repeat] = np.array([s[:-1] + "，之前反映过还没解决。" for s in said[repeat]], dtype=object)
    # fresh columns: event_rows's description may share its array with the subcategory
    description = events["description"].to_numpy(dtype=object).copy()
    title = events["title"].to_numpy(dtype=object).copy() if "title" in events else np.full(len(events), None)
    description[rows], title[rows] = said, np.array([s[:60] for s in said], dtype=object)
    events["description"], events["title"] = description, title

    limit = pd.Series({c.code: c.time_limit_hours for c in sim.categories})
    hours = events["category"].map(limit).fillna(24).to_numpy(float)[rows]
    urgent = (hours <= 2) | (rng.random(n) < 0.05)
    due = epoch_seconds(events["sla_due_at"].iloc[rows])
    status = events["status"].to_numpy(dtype=object)[rows]
    closed = epoch_seconds(events["closed_at"].iloc[rows])
    ids = events["id"].to_numpy()[rows]
    finished = dispatches.groupby("event_id")["finished_at"].max()
    fin_s = epoch_seconds(finished.reindex(ids))
    replied_state = np.isin(status, ["feedback", "checking", "closed", "rework"])
    replied = np.where(replied_state, np.fmin(fin_s + rng.exponential(1800, n), end), np.nan)
    followed = closed + rng.exponential(0.6 * DAY, n)
    followed = np.where(followed <= end, followed, np.nan)
    reached = ~np.isnan(followed) & (rng.random(n) < 0.86)
    late = ~np.isnan(closed) & (closed > due)
    p_good = np.where(late, 0.55, 0.8)
    p_basic = np.where(late, 0.2, 0.13)
    draw = rng.random(n)
    verdict = np.where(draw < p_good, 0, np.where(draw < p_good + p_basic, 1, 2))
    satisfaction = pd.Series(SATISFACTION[verdict], dtype=object).where(reached)
    reopened = reached & (verdict == 2)
    # a dissatisfied 回访 in the last three days: the order is being reworked, no longer closed
    reworking = reopened & (followed > end - 3 * DAY)
    events.iloc[rows[reworking], events.columns.get_loc("status")] = "rework"
    events.iloc[rows[reworking], events.columns.get_loc("closed_at")] = pd.NaT
    phones = events["reporter_phone"].to_numpy(dtype=object)[rows]
    terms, cut_with = cut_all(said)
    tokens = np.frombuffer(rng.bytes(16 * n), dtype=np.uint8).reshape(n, 16) if n else np.empty((0, 16), np.uint8)
    return pd.DataFrame({
        "event_id": ids, "channel": CHANNELS[rng.choice(len(CHANNELS), n, p=CHANNEL_P)],
        "token": np.array([row.tobytes().hex() for row in tokens], dtype=object),
        "urgency": np.where(urgent, "urgent", "ordinary").astype(object), "reply_due_at": timestamps(due),
        "replied_at": optional_timestamps(replied, end),
        "reply": pd.Series("已安排人员现场处置，问题已处理。", index=range(n), dtype=object).where(replied_state),
        "followed_up_at": optional_timestamps(followed, end),
        "reached": pd.Series(reached, dtype=object).where(~np.isnan(followed)),
        "satisfaction": satisfaction, "reopened": reopened.astype(int),
        "caller_key": caller_keys(phones, secret_key),
        "repeat_of": pd.Series(ids[np.maximum(earlier, 0)], dtype=object).where(repeat),
        "terms": np.array(terms, dtype=object), "terms_cut": cut_with,
    })


def supervisions(rng: np.random.Generator, orders: pd.DataFrame, events: pd.DataFrame,
                 dispatches: pd.DataFrame, end: float) -> pd.DataFrame:
    """督办 of a third of the orders that ran past their time limit: issued some hours after the limit to the lead
    department, open while the order is, replied when it closed."""
    frame = orders[["event_id"]].merge(events[["id", "sla_due_at", "closed_at", "status"]], left_on="event_id",
                                       right_on="id")
    lead = dispatches.sort_values("dispatched_at").drop_duplicates("event_id").set_index("event_id")["department"]
    frame["department"] = frame["event_id"].map(lead)
    due = epoch_seconds(frame["sla_due_at"])
    closed = np.nan_to_num(epoch_seconds(frame["closed_at"]), nan=np.inf)
    created = due + rng.exponential(6 * 3600, len(frame))
    picked = (created < np.minimum(closed, end)) & (rng.random(len(frame)) < 0.35) & frame["department"].notna()
    frame, created, closed = frame[picked], created[picked], closed[picked]
    done = np.isfinite(closed)
    return pd.DataFrame({
        "subject": "event", "subject_id": frame["event_id"].astype(str).to_numpy(dtype=object),
        "department": frame["department"].to_numpy(dtype=object), "instruction": "该工单已超期，请于今日内办结并答复市民。",
        "deadline": timestamps(created + DAY), "created_by": "12345督办", "created_at": timestamps(created),
        "status": np.where(done, "replied", "open").astype(object),
        "replied_at": optional_timestamps(np.where(done, closed, np.nan), end),
        "reply": pd.Series("已办结并答复市民。", index=range(len(done)), dtype=object).where(done),
    })


def call_rhythm(t: np.ndarray, zone: str) -> np.ndarray:
    """How busy the lines are at `t` (epoch seconds), about 0.07 at night … 0.98 at the morning peak: office
    hours' two peaks, weekends at half."""
    h, weekend = local_hours(t, zone)
    busy = np.where(weekend, 0.45, 1.0) * (np.exp(-(((h - 10) / 1.8) ** 2)) + 0.85 * np.exp(-(((h - 15.5) / 2) ** 2)))
    level: np.ndarray = (0.08 + busy) / 1.1
    return level


@cache
def mean_rhythm(zone: str) -> float:
    """call_rhythm's average over a week: what a rate per day is divided by to give the rate at one moment."""
    return float(call_rhythm(np.arange(0, 7 * DAY, 300.0), zone).mean())


def call_times(rng: np.random.Generator, start: float, end: float, n: int, zone: str) -> np.ndarray:
    """About `n` moments in [start, end] following call_rhythm (rejection sampling)."""
    t = np.sort(rng.uniform(start, end, int(n / mean_rhythm(zone)) + 1))
    kept: np.ndarray = t[rng.random(len(t)) < call_rhythm(t, zone)]
    return kept


def call_rows(rng: np.random.Generator, t: np.ndarray, zone: str, first: int,
              callers: np.ndarray | None = None) -> pd.DataFrame:
    """Calls reaching the queue at `t`: waits grow and hang-ups rise when the lines are busy. `callers` (phone
    numbers): some calls are theirs (the orders' reporters); the rest come without one on record."""
    m = len(t)
    busy = call_rhythm(t, zone)
    wait = rng.exponential(5 + 24 * busy ** 2, m)
    patience = rng.exponential(240, m)
    answered = wait <= patience
    wait = np.where(answered, wait, patience).round(1)
    phones = np.full(m, None, dtype=object)
    if callers is not None and len(callers):
        known = rng.random(m) < KNOWN_CALLERS
        phones[known] = callers[rng.integers(0, len(callers), int(known.sum()))]
    return pd.DataFrame({
        "source": SOURCE, "external_id": np.char.add(f"call-{first}-", np.arange(m).astype(str)).astype(object),
        "started_at": timestamps(t), "wait_s": wait, "answered": answered,
        "talk_s": pd.Series(np.where(answered, rng.gamma(2.0, 110, m).round(1), np.nan)),
        "agent": np.char.add("A", (rng.integers(1, AGENTS + 1, m)).astype(str)).astype(object),
        "queue": "12345", "caller": phones,
    })


def measured_rows(events: pd.DataFrame, orders: pd.DataFrame, sups: pd.DataFrame, calls: pd.DataFrame) -> HotlineRows:
    """The generated rows as services.hotline.readings measures them (the seed's hotline indicators)."""
    frame = orders[["event_id", "followed_up_at", "reached", "satisfaction"]].merge(
        events[["id", "district", "reported_at", "sla_due_at", "closed_at", "status"]], left_on="event_id",
        right_on="id")
    frame = frame.rename(columns={"sla_due_at": "due_at"})
    frame["closed_at"] = frame["closed_at"].where(frame["status"] == "closed")
    frame["verdict"] = frame["satisfaction"].where(frame["reached"].fillna(False).astype(bool))
    ended = sups["replied_at"].where(sups["status"] != "open")
    return HotlineRows(frame[ORDER_COLUMNS], calls[["started_at", "answered"]],
                       pd.DataFrame({"event_id": sups["subject_id"].astype("int64"),
                                     "created_at": sups["created_at"], "ended_at": ended}))
