"""The demo city: a seeded history and a live feed of the city pack's city, so the dashboards have a realistic
city to show (any pack: its districts, categories, departments, indicators, matters and time zone).

Everything is drawn from one numpy Generator with a fixed seed, vectorized and bulk-loaded (no ORM objects), so the
default 90 days (~100 k events, ~300 k applications, ~6 M readings) load in well under a minute on SQLite.
Realism that the screens rely on: daily and weekly rhythms, rush hours, multi-day weather episodes driving air
quality and waterlogging, department backlogs that stretch dispatch delays, and open / overdue work near `end`.
"""

from __future__ import annotations

import argparse
import json
import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Engine, func, select, text, update
from sqlalchemy.orm import Session, sessionmaker
from tqdm import tqdm

from services.alerts.stream import publish
from services.approvals import rollup as approval_rollup
from services.citypack import CityPack, load_pack
from services.config import DEFAULT_PACK, Settings
from services.demo import hotline_traffic
from services.demo.simcity import (
    APPLICATIONS_PER_DAY,
    DAY,
    EVENTS_PER_DAY,
    SOURCE_P,
    SOURCES,
    STAGE_MOVES_PER_DAY,
    SimCity,
    application_rows,
    event_rows,
    points_in,
    reading_rows,
    sim_city,
)
from services.events import rollup as dispatch_rollup
from services.events import touch as event_touch
from services.hotline import ingest_calls, posted_request, submit
from services.hotline import readings as hotline_readings
from services.hotline import rollup as hotline_rollup
from services.indicators.readings import load_rules, record_readings
from services.indicators.rules import ThresholdRules
from services.platform.redis import make_redis
from services.sources import Counted, SourceInfo, record_delivery, register_sources
from services.store import (
    Application,
    District,
    Event,
    EventDispatch,
    HotlineCall,
    Indicator,
    IndicatorReading,
    Matter,
    Supervision,
    WorkOrder,
    bulkload,
    make_engine,
    make_sessionmaker,
    migrate,
    rollups,
)
from services.store.cache import cache_of
from services.store.models.base import Base

logger = logging.getLogger(__name__)
SEED = 20261123  # the default seed: the live feed's weather and bursts follow the seeded history's
HOTLINE_SHARE = float(SOURCE_P[list(SOURCES).index("hotline")])  # of the events: the hotline's work orders

@dataclass(frozen=True)
class SeedReport:
    counts: dict[str, int]
    seconds: float
    store_bytes: int


def _city(engine: Engine, sim: SimCity) -> tuple[list[str], list[Any], list[tuple[str | None, float]]]:
    with engine.connect() as conn:
        rows = conn.execute(select(District.adcode, District.geometry).order_by(District.adcode)).all()
    if not rows:
        raise RuntimeError("no districts in the store: run services.store.catalog.install_catalog first")
    codes = [r[0] for r in rows]
    geoms = [shapely.geometry.shape(json.loads(r[1])) for r in rows]
    return codes, geoms, [(None, 1.0), *zip(codes, sim.weights(codes).tolist(), strict=True)]


def _pack(pack: CityPack | None) -> SimCity:
    """The simulator's view of `pack`, or of the default pack (the demo city) when none is given."""
    return sim_city(pack or load_pack(DEFAULT_PACK))


def store_bytes(engine: Engine) -> int:
    """The size of the store on disk: the SQLite file (with its WAL) or pg_database_size."""
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            return int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one())
        pages = conn.execute(text("PRAGMA page_count")).scalar_one()
        return int(pages) * int(conn.execute(text("PRAGMA page_size")).scalar_one())


def seed(engine: Engine, *, pack: CityPack | None = None, days: float = 90, end: datetime | None = None,
         rng_seed: int = SEED, progress: bool = True, events_per_day: float = EVENTS_PER_DAY,
         applications_per_day: float = APPLICATIONS_PER_DAY, secret_key: str | None = None) -> SeedReport:
    """Write `days` of `pack`'s city (default: the default pack) ending at `end` (default now); the pack's catalog
    must be installed already. `secret_key` keys the callers' hashes (default: the settings')."""
    began = time.perf_counter()
    rng = np.random.default_rng(rng_seed)
    sim = _pack(pack)
    stop = (end or datetime.now(UTC)).astimezone(UTC).timestamp()
    start = stop - days * DAY
    codes, geoms, areas = _city(engine, sim)
    with engine.connect() as conn:
        indicators = conn.execute(select(Indicator.code, Indicator.cadence_minutes).order_by(Indicator.code)).all()
        matters = pd.read_sql(select(Matter.code, Matter.kind, Matter.promised_days, Matter.department)
                              .order_by(Matter.code), conn)
    counts: dict[str, int] = {}
    bar = tqdm(desc="seeding demo city", disable=not progress, unit=" rows", unit_scale=True)
    tables = ["events", "event_dispatches", "work_orders", "supervisions", "hotline_calls", "applications",
              "indicator_readings"]
    computed = {code for code, _ in indicators} & set(hotline_readings.INDICATORS)
    with bulkload.prepared_for_load(engine, tables):
        events, dispatches = event_rows(rng, start, stop, int(days * events_per_day), codes, geoms,
                                     bulkload.next_id(engine, "events"), sim)
        events, dispatches, hotline = _hotline(engine, rng, events, dispatches, start, stop, codes, geoms, sim,
                                               rng_seed, secret_key or Settings().secret_key)
        # one rebuild of each rollup after the load, as for the applications below, not a refresh per row
        with rollups.suspended(engine, dispatch_rollup.ROLLUP, hotline_rollup.ROLLUP):
            with event_touch.suspended_for_load(engine):
                counts["events"] = bulkload.bulk_insert(engine, Event, list(events.columns), events, bar.update)
            bulkload.sync_id_sequence(engine, Event)
            counts["event_dispatches"] = bulkload.bulk_insert(engine, EventDispatch, list(dispatches.columns),
                                                              dispatches, bar.update)
            for model, frame in hotline.items():
                counts[model.__tablename__] = bulkload.bulk_insert(engine, model, list(frame.columns), frame,
                                                                   bar.update)
        rows = hotline_traffic.measured_rows(events, hotline[WorkOrder], hotline[Supervision],
                                              hotline[HotlineCall])
        del events, dispatches, hotline  # at ten million rows, the frames are gigabytes
        apps = application_rows(rng, start, stop, int(days * applications_per_day), matters, codes, sim)
        # one rebuild after the load, not the triggers' work per row
        with rollups.suspended(engine, approval_rollup.ROLLUP):
            counts["applications"] = bulkload.bulk_insert(engine, Application, list(apps.columns), apps,
                                                          bar.update)
        del apps
        counts["indicator_readings"] = 0
        for code, cadence in indicators:
            frame = (hotline_readings.readings_at(rows, _boundaries(cadence, start, stop), [code], codes)
                     if code in computed else reading_rows(code, cadence, start, stop, areas, rng, rng_seed, sim))
            counts["indicator_readings"] += bulkload.bulk_insert(engine, IndicatorReading, list(frame.columns),
                                                                 frame, bar.update)
    bar.close()
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    report = SeedReport(counts, round(time.perf_counter() - began, 2), store_bytes(engine))
    logger.info("seeded %s in %.1f s (%d bytes)", counts, report.seconds, report.store_bytes)
    return report


def _boundaries(cadence: int, start: float, end: float) -> pd.DatetimeIndex:
    """Every cadence boundary in (start, end], as reading_rows stamps them."""
    step = cadence * 60
    return pd.DatetimeIndex(pd.to_datetime(np.arange((start // step + 1) * step, end + 1e-6, step), unit="s",
                                           utc=True))


def _hotline(engine: Engine, rng: np.random.Generator, events: pd.DataFrame, dispatches: pd.DataFrame,
             start: float, stop: float, codes: list[str], geoms: list[Any], sim: SimCity, rng_seed: int,
             secret_key: str) -> tuple[pd.DataFrame, pd.DataFrame, dict[type[Base], pd.DataFrame]]:
    """The hotline's part of the seed: each week's burst added to the events, then the work orders of the
    hotline's events, their 督办 and the calls (frames by model, in insert order)."""
    first = int(events["id"].max()) + 1 if len(events) else bulkload.next_id(engine, "events")
    for burst in hotline_traffic.bursts(start, stop, codes, sim, rng_seed):
        more, parts = hotline_traffic.burst_events(rng, burst, start, stop, codes, geoms, first, sim)
        if len(more):
            events = pd.concat([events, more], ignore_index=True)
            dispatches = pd.concat([dispatches, parts], ignore_index=True)
            first += len(more)
    with engine.connect() as conn:
        names = dict(conn.execute(select(District.adcode, District.name_zh)).all())
    orders = hotline_traffic.make_orders(rng, events, dispatches, stop, names, sim, secret_key)
    sups = hotline_traffic.supervisions(rng, orders, events, dispatches, stop)
    moments = hotline_traffic.call_times(rng, start, stop, int((stop - start) / DAY * hotline_traffic.CALLS_PER_DAY),
                                         sim.zone)
    calls = hotline_traffic.call_rows(rng, moments, sim.zone, 0, events["reporter_phone"].to_numpy(dtype=object)[
        events["id"].isin(orders["event_id"]).to_numpy()])
    known = calls["caller"].notna().to_numpy()
    calls["caller_key"] = None
    calls.loc[known, "caller_key"] = hotline_traffic.caller_keys(calls["caller"].to_numpy()[known], secret_key)
    return events, dispatches, {WorkOrder: orders, Supervision: sups, HotlineCall: calls.drop(columns="caller")}


def seed_if_empty(engine: Engine, **kw: Any) -> SeedReport | None:
    """Seed a store that has no events yet (first start of the demo); leave any other store alone."""
    with engine.connect() as conn:
        if conn.execute(select(Event.id).limit(1)).first() is not None:
            return None
    return seed(engine, **kw)


_NEXT = {"reported": "registered", "registered": "dispatched", "dispatched": "in_progress",
         "in_progress": "feedback", "feedback": "checking", "checking": "closed", "rework": "in_progress"}
_ALERTS = [("met", "暴雨预警", "moderate", "expected"), ("transport", "交通拥堵", "minor", "immediate"),
           ("fire", "火情", "severe", "immediate"), ("infra", "供水爆管", "moderate", "immediate"),
           ("env", "空气污染", "minor", "expected"), ("safety", "人员聚集", "moderate", "immediate"),
           ("infra", "内涝积水", "severe", "immediate"), ("health", "突发公共卫生事件", "moderate", "expected")]


def alert_fields(now: datetime, category: str, event: str, severity: str, urgency: str, district: str,
                 name_zh: str, lat: float, lon: float, description: str = "") -> dict[str, str]:
    """One alert in the stream contract of DESIGN.md (all values strings)."""
    return {"id": f"simulator:{now:%Y%m%dT%H%M%S%f}:{event}:{district}", "source": "simulator",
            "sent": now.astimezone(UTC).isoformat(timespec="seconds"), "severity": severity, "urgency": urgency,
            "certainty": "observed" if urgency == "immediate" else "likely", "category": category,
            "event": event, "headline": f"{name_zh} {event} 超过警戒", "description": description or event,
            "district": district, "lat": f"{lat:.6f}", "lon": f"{lon:.6f}", "area": "", "msg_type": "alert",
            "references": ""}


# The simulator is one more source on /sources: registered, and each step's rows counted as its deliveries.
SIMULATOR = SourceInfo("demo-simulator", "演示城市模拟器", "Demo city simulator", None, "simulator",
                       "events readings applications", cadence_s=300)


class Live:
    """Keeps the demo city moving: new events and applications, lifecycle progress, readings, alerts.

    `rate` is the pace: 1 = the seeded history's volumes in real time (about 46 events and 139 applications an
    hour), 60 = a day's volume every 24 minutes.
    """

    def __init__(self, settings: Settings, engine: Engine, redis_client: Any, rate: float = 1.0,
                 rng_seed: int | None = None, sessions: sessionmaker[Session] | None = None,
                 pack: CityPack | None = None) -> None:
        self.settings, self.engine, self.redis, self.rate = settings, engine, redis_client, rate
        self.pack = pack or load_pack(DEFAULT_PACK)
        self.sim = sim_city(self.pack)
        self.rng = np.random.default_rng(rng_seed)
        self.last: float | None = None
        self.sessions = sessions or make_sessionmaker(engine)  # the runtime's invalidate the cache on commit
        self.rules: ThresholdRules | None = None
        self.registered = False

    def step(self, now: datetime | None = None) -> dict[str, int]:
        """Advance the city to `now`; returns how many rows / alerts this step wrote."""
        at = (now or datetime.now(UTC)).astimezone(UTC)
        t = at.timestamp()
        dt = 1.0 if self.last is None else float(np.clip(t - self.last, 0.0, 60.0))
        self.last = t
        codes, geoms, areas = _city(self.engine, self.sim)
        done = {"events": self._new_events(t, dt, codes, geoms), "advanced": self._advance(at, dt)}
        done["work_orders"], done["calls"] = self._hotline(at, dt, codes, geoms)
        with self.engine.connect() as conn:
            matters = pd.read_sql(select(Matter.code, Matter.kind, Matter.promised_days, Matter.department)
                                  .order_by(Matter.code), conn)
        arrivals = int(self.rng.poisson(self.rate * dt * APPLICATIONS_PER_DAY / DAY))
        apps = application_rows(self.rng, t - dt, t, arrivals, matters, codes, self.sim)
        done["applications"] = bulkload.bulk_insert(self.engine, Application, list(apps.columns), apps)
        done["readings"], done["threshold_alerts"] = self._readings(t, areas)
        done["alerts"] = self._alerts(at, dt, codes, geoms)
        self._record_deliveries(done, at)
        return done

    def _hotline(self, at: datetime, dt: float, codes: list[str], geoms: list[Any]) -> tuple[int, int]:
        """The hotline's traffic of the last `dt` seconds, through the intake the endpoints use: orders as posted
        Open311 requests (posted_request + submit; a share repeats a recent caller), calls through ingest_calls.
        Returns (orders, calls)."""
        t = at.timestamp()
        busy = float(hotline_traffic.call_rhythm(np.array([t]), self.sim.zone)[0])
        pace = self.rate * dt / DAY * busy / hotline_traffic.mean_rhythm(self.sim.zone)
        n = int(self.rng.poisson(pace * EVENTS_PER_DAY * HOTLINE_SHARE))
        events, _ = event_rows(self.rng, t - dt, t, n, codes, geoms, 0, self.sim)
        for burst in hotline_traffic.bursts(t - dt, t, codes, self.sim, SEED):
            more, _ = hotline_traffic.burst_events(self.rng, burst, t - dt, t, codes, geoms, 0, self.sim)
            events = pd.concat([events, more], ignore_index=True) if len(more) else events
        names = dict(zip(codes, self._names(), strict=True))
        said = hotline_traffic.texts(self.rng, events["subcategory"].to_numpy(dtype=object),
                                     events["district"].map(names).to_numpy(dtype=object))
        categories = self.pack.catalogs.categories
        places = {code: (self.pack.city.names("zh-CN")[code], self.pack.city.names("en")[code]) for code in codes}
        with self.sessions() as session:
            for row, text in zip(events.to_dict("records"), said, strict=True):
                fields = self._repeat_or(session, at, {
                    "service_code": row["category"], "attribute[subcategory]": row["subcategory"],
                    "lat": str(row["lat"]), "long": str(row["lon"]), "description": text,
                    "last_name": row["reporter_name"][:1], "first_name": row["reporter_name"][1:],
                    "phone": row["reporter_phone"]})
                posted = posted_request(fields, categories=categories, districts=places, now=at)
                order_id = submit(session, posted, source=hotline_traffic.SOURCE, city=self.pack.city,
                                  categories=categories, limits=self.pack.hotline_limits,
                                  secret_key=self.settings.secret_key)
                order = session.get(WorkOrder, order_id)
                assert order is not None, "the order just submitted is there"
                # the intake files it as Open311; the demo's orders came by every channel
                order.channel = str(self.rng.choice(hotline_traffic.CHANNELS, p=hotline_traffic.CHANNEL_P))
            moments = np.sort(self.rng.uniform(t - dt, t, int(self.rng.poisson(pace * hotline_traffic.CALLS_PER_DAY))))
            calls = hotline_traffic.call_rows(self.rng, moments, self.sim.zone, int(t * 1e6),
                                              events["reporter_phone"].to_numpy(dtype=object))
            calls["started_at"] = [stamp.isoformat() for stamp in calls["started_at"]]
            calls = calls.rename(columns={"external_id": "call_id"}).drop(columns="source")
            report = ingest_calls(session, calls.astype(object).where(calls.notna(), None).to_dict("records"),
                                  source=hotline_traffic.SOURCE, secret_key=self.settings.secret_key,
                                  zone=self.settings.zone)
            session.commit()
        return len(events), report.accepted

    def _repeat_or(self, session: Session, at: datetime, fields: dict[str, str]) -> dict[str, str]:
        """Now and then the caller is one who called about the same thing within days: their call's fields (the
        intake's repeat finder flags it); else `fields`."""
        if self.rng.random() >= hotline_traffic.REPEAT_SHARE:
            return fields
        earlier = session.execute(
            select(Event.category, Event.subcategory, Event.lat, Event.lon, Event.description,
                   Event.reporter_name, Event.reporter_phone).join(WorkOrder, WorkOrder.event_id == Event.id)
            .where(Event.reported_at > at - timedelta(days=hotline_traffic.REPEAT_DAYS),
                   Event.reported_at < at - timedelta(hours=1), Event.reporter_phone.is_not(None),
                   Event.lat.is_not(None)).order_by(func.random()).limit(1)).first()
        if earlier is None:
            return fields
        name = earlier.reporter_name or ""
        return {**fields, "service_code": earlier.category, "attribute[subcategory]": earlier.subcategory or "",
                "lat": str(earlier.lat), "long": str(earlier.lon), "last_name": name[:1], "first_name": name[1:],
                "phone": earlier.reporter_phone,
                "description": (earlier.description or "").rstrip("。") + "，之前反映过还没解决。"}

    def _record_deliveries(self, done: dict[str, int], at: datetime) -> None:
        with self.sessions() as session:
            if not self.registered:
                register_sources(session, [SIMULATOR])
                self.registered = True
            for target in ("events", "readings", "applications"):
                if done[target]:
                    record_delivery(session, SIMULATOR.id, target, Counted(done[target]), at=at)
            session.commit()

    def _new_events(self, t: float, dt: float, codes: list[str], geoms: list[Any]) -> int:
        n = int(self.rng.poisson(self.rate * dt * EVENTS_PER_DAY / DAY))
        if n == 0:
            return 0
        events, dispatches = event_rows(self.rng, t - dt, t, n, codes, geoms, 0, self.sim)
        hotline = events["source"] == "hotline"  # the hotline's come through its intake (_hotline)
        events, dispatches = events[~hotline], dispatches[~dispatches["event_id"].isin(events.index[hotline])]
        with self.sessions() as session:
            rows = [Event(**{k: (v.to_pydatetime() if isinstance(v, pd.Timestamp) else None if v is pd.NaT else v)
                             for k, v in rec.items() if k != "id"}) for rec in events.to_dict("records")]
            session.add_all(rows)
            session.flush()
            made = dict(zip(events["id"].tolist(), rows, strict=True))  # the frame's ids → the stored events
            for rec in dispatches.to_dict("records"):
                fields = {k: (v.to_pydatetime() if isinstance(v, pd.Timestamp) else None if pd.isna(v) else v)
                          for k, v in rec.items() if k != "event_id"}
                session.add(EventDispatch(event_id=made[int(rec["event_id"])].id, **fields))
            session.commit()
        return len(rows)

    def _advance(self, at: datetime, dt: float) -> int:
        """Move some open events one lifecycle stage on, and some open applications towards completion."""
        k = int(self.rng.poisson(self.rate * dt * STAGE_MOVES_PER_DAY / DAY))
        with self.sessions() as session:
            events = session.scalars(select(Event).where(Event.status.in_(list(_NEXT)))
                                     .order_by(Event.reported_at).limit(k)).all()
            for ev in events:
                nxt = _NEXT[ev.status]
                if nxt == "closed" and self.rng.random() < 0.1:
                    nxt = "rework"
                if nxt == "dispatched" and not session.scalar(select(func.count()).where(
                        EventDispatch.event_id == ev.id)):
                    session.add(EventDispatch(event_id=ev.id, department=self.sim.lead(ev.category), dispatched_at=at,
                                              status="dispatched"))
                open_parts = (EventDispatch.event_id == ev.id) & EventDispatch.finished_at.is_(None)
                if nxt == "in_progress":
                    session.execute(update(EventDispatch).where(open_parts).values(
                        accepted_at=func.coalesce(EventDispatch.accepted_at, at), status="arrived",
                        arrived_at=func.coalesce(EventDispatch.arrived_at, at)))
                if nxt == "feedback":
                    session.execute(update(EventDispatch).where(open_parts).values(
                        accepted_at=func.coalesce(EventDispatch.accepted_at, at), status="finished",
                        arrived_at=func.coalesce(EventDispatch.arrived_at, at), finished_at=at))
                ev.status, ev.closed_at = nxt, (at if nxt == "closed" else ev.closed_at)
            apps = session.scalars(select(Application).where(Application.status.in_(["submitted", "in_review",
                                   "returned"])).order_by(Application.submitted_at).limit(k)).all()
            for app in apps:
                if app.status == "in_review":
                    app.status, app.completed_at = "approved", at
                else:
                    app.status, app.accepted_at = "in_review", app.accepted_at or at
            session.commit()
        return len(events) + len(apps)

    def _readings(self, t: float, areas: list[tuple[str | None, float]]) -> tuple[int, int]:
        """Readings at every cadence boundary since the last stored one (at most a day back), recorded through
        `services.indicators.readings` (store, invalidate, rules on the newest): returns (written, threshold alerts)."""
        with self.sessions() as session:
            inds = session.scalars(select(Indicator)).all()
            last = {ind.code: session.scalar(select(func.max(IndicatorReading.ts)).where(  # one index seek each
                IndicatorReading.indicator_code == ind.code, IndicatorReading.district.is_(None))) for ind in inds}
        if self.rules is None:
            self.rules = load_rules(self.engine, self.settings)
        frames = []
        for ind in inds:
            if ind.code in hotline_readings.INDICATORS:  # measured from the orders and calls (HotlineReadingsJob)
                continue
            stamp = last[ind.code]
            since = max(stamp.timestamp() if stamp is not None else 0.0, t - DAY)
            frames.append(reading_rows(ind.code, ind.cadence_minutes, since, t, areas, self.rng, SEED, self.sim))
        frames = [frame for frame in frames if not frame.empty]
        if not frames:
            return 0, 0
        done = record_readings(pd.concat(frames, ignore_index=True), engine=self.engine, redis_client=self.redis,
                               settings=self.settings, rules=self.rules, newest_only=True,
                               cache=cache_of(self.sessions))
        return done.stored, len(done.alert_ids)

    def _alerts(self, at: datetime, dt: float, codes: list[str], geoms: list[Any]) -> int:
        """Now and then a random incident alert (about one a minute at rate 1); thresholds are the rules' job."""
        names = dict(zip(codes, self._names(), strict=True))
        picked: list[tuple[str, str, str, str, str, str]] = []
        if self.rng.random() < 1 - np.exp(-dt * self.rate / 60):
            cat, event, sev, urg = _ALERTS[int(self.rng.integers(len(_ALERTS)))]
            picked.append((cat, event, sev, urg, codes[int(self.rng.integers(len(codes)))], ""))
        for cat, event, sev, urg, district, desc in picked:
            d = codes.index(district)
            lon, lat = points_in(self.rng, [geoms[d]], np.zeros(1, int))
            publish(self.redis, self.settings.alerts_stream,
                    alert_fields(at, cat, event, sev, urg, district, names[district], float(lat[0]), float(lon[0]),
                                 desc), self.settings.stream_maxlen)
        return len(picked)

    def _names(self) -> list[str]:
        with self.engine.connect() as conn:
            return list(conn.execute(select(District.name_zh).order_by(District.adcode)).scalars())

    def run_forever(self, stop: threading.Event, interval: float = 1.0) -> None:
        """Step until `stop` is set; an error is logged and the loop goes on (the demo must never die)."""
        while not stop.is_set():
            try:
                self.step()
            except Exception:
                logger.exception("simulator step failed; continuing")
            stop.wait(interval)


def city_districts(settings: Settings) -> list[dict[str, Any]]:
    """The districts of the city GeoJSON as `install_catalog` takes them."""
    features = json.loads(settings.city.read_text(encoding="utf-8"))["features"]
    return [{"adcode": str(f["properties"]["adcode"]), "name_zh": f["properties"]["name_zh"],
             "name_en": f["properties"]["name_en"], "geometry": f["geometry"]} for f in features]


def main(argv: list[str] | None = None) -> None:
    """`python -m services.demo.simulator seed [--days N] [--database-url URL]` or `live [--rate R]`."""
    from services.store.catalog import install_catalog

    parser = argparse.ArgumentParser(prog="python -m services.demo.simulator")
    parser.add_argument("command", choices=["seed", "live"])
    parser.add_argument("--days", type=float, default=90)
    parser.add_argument("--rate", type=float, default=None)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = Settings()
    pack = load_pack(settings.city_pack, districts=settings.city)
    engine = make_engine(args.database_url or settings.database_url)
    migrate(engine)
    with make_sessionmaker(engine)() as session:
        install_catalog(session, districts=pack.city.rows(), catalogs=pack.catalogs)
    if args.command == "seed":
        logger.info("%s", seed(engine, pack=pack, days=args.days))
        return
    stop = threading.Event()
    try:
        Live(settings, engine, make_redis(settings), rate=args.rate or settings.simulate_rate,
             pack=pack).run_forever(stop)
    except KeyboardInterrupt:
        stop.set()


if __name__ == "__main__":
    main()
