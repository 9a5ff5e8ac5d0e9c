"""The synthetic city behind the simulator: how a city pack's indicators, events and applications behave over time.

Pure numpy/pandas generators with no store access, so the seeded history and the live feed draw from one model:
daily and weekly rhythms in the pack's time zone, rush hours, multi-day weather episodes, department backlogs,
synthetic PII. Everything city-specific (districts and their weights, categories, departments, indicators and
their thresholds, matters and bundles) comes from the pack (`sim_city`).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import shapely

from services.citypack import CityPack
from services.geo import cells_of, grid_origin
from services.store.catalog import CategoryRow

DAY = 86_400.0
EVENTS_PER_DAY = 1111  # about 100 k events in the default 90 days
APPLICATIONS_PER_DAY = 3333  # about 300 k applications in 90 days
STAGE_MOVES_PER_DAY = 6 * EVENTS_PER_DAY  # each event passes about six lifecycle stages
SOURCES = np.array(["hotline", "patrol", "video", "sensor", "app", "110"])
SOURCE_P = [0.34, 0.26, 0.14, 0.06, 0.12, 0.08]
SEVERITIES = np.array(["minor", "moderate", "severe", "extreme"])
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许")
GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志文辉")
RETURN_REASONS = np.array(["材料不齐全", "证件已过期", "信息填写有误", "缺少签字盖章", "材料扫描不清晰"])
CHANNELS, CHANNEL_P = np.array(["online", "mobile", "window", "kiosk"]), [0.42, 0.33, 0.2, 0.05]
# The digital divide (数字鸿沟) the approvals lens looks for: the city's quietest district (least activity, the pack's
# weights; the last adcode among equals) files most of its applications at the window.
LAGGING_CHANNEL_P = [0.2, 0.15, 0.55, 0.1]


def lagging_district(codes: list[str], sim: SimCity) -> str | None:
    """The district the demo makes lag online: the one with the smallest weight (the last adcode among equals)."""
    if not codes:
        return None
    weights = sim.weights(codes)
    return max(zip(codes, weights, strict=True), key=lambda cw: (-cw[1], cw[0]))[0]
# Units whose city value is a sum over its districts (a district shows its share); the rest are levels or rates.
ADDITIVE_UNITS = frozenset({"persons/h", "persons", "households", "MW", "count", "calls", "items", "t", "m³/h"})


@dataclass(frozen=True)
class IndicatorModel:
    """How the simulator draws one of the pack's indicators: a named profile, or the generic model from its
    unit, direction and thresholds."""

    code: str
    domain: str
    unit: str
    direction: str
    warn: float
    alarm: float
    profile: str | None


@dataclass(frozen=True)
class SimCity:
    """One city pack as the generators see it: categories, district weights, indicators, bundles and time zone."""

    zone: str
    categories: tuple[CategoryRow, ...]
    district_weight: dict[str, float]
    indicators: dict[str, IndicatorModel]
    bundles: dict[str, str]
    fallback_department: str

    def weights(self, codes: list[str]) -> np.ndarray:
        """Each district's share of the city's activity (1 for a district the pack does not weigh)."""
        raw = np.array([self.district_weight.get(code, 1.0) for code in codes], float)
        share: np.ndarray = raw / raw.sum()
        return share

    def lead(self, category: str) -> str:
        """The department that takes a case of `category` first (the pack's catch-all one for a category it does not
        list: an event stored before its category left the pack)."""
        row = next((c for c in self.categories if c.code == category), None)
        return row.departments[0] if row else self.fallback_department


def sim_city(pack: CityPack) -> SimCity:
    """The simulator's view of `pack`: district weights from a feature's `weight` property or else its area,
    indicator profiles from the optional `profile` column of indicators.csv (a blank one: the generic model)."""
    weights: dict[str, float] = {}
    for feature in pack.city.geojson["features"]:
        props = feature["properties"]
        given = props.get("weight")
        area = float(shapely.area(shapely.geometry.shape(feature["geometry"])))
        weights[str(props["adcode"])] = float(given) if isinstance(given, int | float) else area
    if not any(isinstance(f["properties"].get("weight"), int | float) for f in pack.city.geojson["features"]):
        mean = float(np.mean(list(weights.values())))
        weights = {code: value / mean for code, value in weights.items()}
    profiles = _profiles(pack.root / "indicators.csv")
    indicators = {i.code: IndicatorModel(i.code, i.domain, i.unit, i.direction, i.warn, i.alarm,
                                         profiles.get(i.code)) for i in pack.catalogs.indicators}
    return SimCity(pack.timezone, pack.catalogs.categories, weights, indicators,
                   {m.code: m.bundle for m in pack.catalogs.matters if m.bundle},
                   pack.emergency.department_for("other"))


def _profiles(path: Path) -> dict[str, str]:
    """indicator code -> profile from the optional `profile` column; an unknown profile is an error naming its line."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        found: dict[str, str] = {}
        for row in reader:
            profile = (row.get("profile") or "").strip()
            if profile and profile not in PROFILES:
                raise ValueError(f"{path}:{reader.line_num}: profile: unknown profile {profile!r} "
                                 f"(known: {', '.join(sorted(PROFILES))}, or leave it blank)")
            if profile:
                found[row["code"].strip()] = profile
    return found


def local_hours(ts: np.ndarray, zone: str) -> tuple[np.ndarray, np.ndarray]:
    """(local hour as float, weekend flag) in the city's time zone for UTC epoch seconds."""
    stamps = pd.DatetimeIndex(pd.to_datetime(np.asarray(ts, float), unit="s", utc=True)).tz_convert(zone)
    hours = stamps.hour + stamps.minute / 60 + (stamps.second + stamps.microsecond / 1e6) / 3600
    return np.asarray(hours, float), np.asarray(stamps.day_of_week >= 5)


def _bell(h: np.ndarray, mid: float, width: float) -> np.ndarray:
    return np.exp(-(((h - mid) / width) ** 2))


def _weather(ts: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(pollution factor ~1, rain mm/h) from 3-day episodes, deterministic in time so seed and live agree."""
    blocks = np.arange(int(ts.min() // (3 * DAY)) - 1, int(ts.max() // (3 * DAY)) + 2)
    pollution = np.array([np.random.default_rng([seed, int(b)]).lognormal(0.0, 0.45) for b in blocks])
    wet = np.array([np.random.default_rng([seed, int(b), 1]).random() for b in blocks]) < 0.25
    centres = (blocks + 0.5) * 3 * DAY
    rain_level = np.interp(ts, centres, wet * 1.0)
    hour_wave = 0.5 + 0.5 * np.sin(ts / 7200.0 + np.sin(ts / 20_000.0))
    return np.interp(ts, centres, pollution), np.clip(rain_level * hour_wave * 35 - 4, 0, None)


@dataclass(frozen=True)
class Rhythms:
    """The city's shared drivers at some moments: every indicator is drawn from these, so they move together."""

    h: np.ndarray
    weekend: np.ndarray
    rush: np.ndarray
    day: np.ndarray
    office: np.ndarray
    tourist: np.ndarray
    pollution: np.ndarray
    rain: np.ndarray
    noise: np.ndarray


def rhythms(ts: np.ndarray, zone: str, seed: int) -> Rhythms:
    """The drivers at `ts` (UTC epoch seconds); `noise` is zero until an area draws its own."""
    h, weekend = local_hours(ts, zone)
    pollution, rain = _weather(ts, seed)
    return Rhythms(
        h, weekend, rush=np.where(weekend, 0.45 * _bell(h, 15, 3), _bell(h, 8.3, 1.1) + 0.9 * _bell(h, 18, 1.4)),
        day=np.clip(np.sin(np.pi * (h - 6) / 16), 0, 1),
        office=np.where(weekend, 0.25, 1.0) * (_bell(h, 10, 1.6) + 0.8 * _bell(h, 15.5, 1.6)),
        tourist=np.where(weekend, 1.5, 1.0) * _bell(h, 14, 3.5), pollution=pollution, rain=rain,
        noise=np.zeros(len(ts)))


Shape = tuple[np.ndarray, float, float, float]  # (level, noise sd, lowest, highest)
# Profiles: models tuned on a real city's indicators, for a pack to pick by name in indicators.csv's `profile`.
PROFILES: dict[str, Callable[[Rhythms], Shape]] = {
    "traffic_congestion_index": lambda r: (1.8 + 6.2 * r.rush + 0.04 * r.rain, 0.35, 0, 10),
    "traffic_avg_speed": lambda r: (44 - 22 * r.rush - 0.2 * r.rain, 1.5, 5, 80),
    "metro_ridership": lambda r: (2000 + 80_000 * r.rush + 30_000 * r.day, 3000, 0, 200_000),
    "parking_occupancy": lambda r: (45 + 40 * r.office + 15 * r.rush, 3, 0, 100),
    "traffic_accidents": lambda r: (2 + 9 * r.rush + 0.2 * r.rain, 1.2, 0, 40),
    "bus_on_time_rate": lambda r: (93 - 10 * r.rush - 0.2 * r.rain, 1.5, 50, 100),
    "aqi": lambda r: (38 + 30 * r.pollution ** 1.6 + 6 * r.rush, 4, 10, 500),
    "pm25": lambda r: (14 + 22 * r.pollution ** 1.7 + 4 * r.rush, 3, 2, 500),
    "pm10": lambda r: (30 + 40 * r.pollution ** 1.6 + 8 * r.rush, 5, 5, 600),
    "o3": lambda r: (40 + 90 * _bell(r.h, 14.5, 3) * r.pollution, 6, 2, 400),
    "no2": lambda r: (18 + 35 * r.rush + 10 * r.pollution, 4, 1, 400),
    "noise": lambda r: (47 + 12 * r.day + 3 * r.rush, 1.2, 30, 95),
    "rainfall": lambda r: (r.rain, 0.0, 0, 150),
    "temperature": lambda r: (19 + 5 * np.sin(np.pi * (r.h - 9) / 12), 0.4, -5, 42),
    "water_pressure": lambda r: (0.32 - 0.06 * r.day - 0.03 * r.rush, 0.008, 0.05, 0.6),
    "power_load": lambda r: (2300 + 1500 * r.day + 400 * r.office, 60, 500, 7000),
    "power_outage_households": lambda r: (20 + 25 * r.rain + 40 * np.clip(r.noise - 2.2, 0, None), 0, 0, 20_000),
    "gas_pressure": lambda r: (0.31 - 0.05 * _bell(r.h, 11.5, 1.2) - 0.05 * _bell(r.h, 18, 1.2), 0.008, 0.05, 0.5),
    "waterlogging_points": lambda r: (np.floor(r.rain / 6), 0.0, 0, 60),
    "police_incidents": lambda r: (12 + 35 * r.day + 10 * _bell(r.h, 22, 2), 4, 0, 200),
    "fire_incidents": lambda r: (0.5 + 2.5 * r.day, 0.8, 0, 30),
    "ems_dispatches": lambda r: (8 + 22 * r.day, 3, 0, 120),
    "gov_applications_today": lambda r: (np.where(r.weekend, 1800, 9500) * np.clip((r.h - 7.5) / 10, 0, 1), 60, 0,
                                         30_000),
    "gov_ontime_rate": lambda r: (99.3 - 0.6 * r.office, 0.25, 80, 100),
    "gov_good_review_rate": lambda r: (98.2 - 0.8 * r.office, 0.5, 70, 100),
    "gov_window_wait": lambda r: (3 + 16 * r.office, 2, 0, 120),
    "tourist_crowd": lambda r: (300 + 9500 * r.tourist, 500, 0, 30_000),
    "street_crowd": lambda r: (2000 + 30_000 * r.tourist + 8000 * _bell(r.h, 20.5, 1.5), 1500, 0, 90_000),
    "scenic_visitors": lambda r: (500 + 42_000 * r.tourist, 1500, 0, 120_000),
    "hotel_occupancy": lambda r: (62 + 18 * np.where(r.weekend, 1, 0) + 6 * _bell(r.h, 22, 3), 2, 0, 100),
    "urban_cases_open": lambda r: (150 + 60 * r.day, 8, 0, 2000),
    "garbage_clearance_rate": lambda r: (97 + 2 * (1 - r.day), 0.7, 60, 100),
}


# The rhythm of a domain's indicators without a profile, scaled to about 0 (quiet) … 1 (the daily peak); other
# domains follow daylight.
DOMAIN_WAVE: dict[str, Callable[[Rhythms], np.ndarray]] = {
    "traffic": lambda r: np.clip(r.rush, 0, 1),
    "environment": lambda r: np.clip((r.pollution - 0.3) / 1.7 + 0.2 * r.rush, 0, 1.3),
    "weather": lambda r: np.clip(r.rain / 30, 0, 1.3),
    "hotline": lambda r: np.clip(r.office, 0, 1),
    "government": lambda r: np.clip(r.office, 0, 1),
    "tourism": lambda r: np.clip(r.tourist / 1.5, 0, 1),
}


def _generic(model: IndicatorModel, r: Rhythms) -> Shape:
    """A level that follows its domain's rhythm and stays mostly on the good side of `warn`, its peaks and noise
    crossing it now and then (alarm more rarely)."""
    wave = DOMAIN_WAVE[model.domain](r) if model.domain in DOMAIN_WAVE else r.day
    percent = model.unit == "%"
    if model.direction == "lower":  # lower is better: peaks reach about 85 % of warn
        level = model.warn * (0.35 + 0.5 * wave)
        return level, 0.1 * abs(model.warn), min(0.0, model.warn), (100 if percent else 3 * model.alarm)
    good = model.warn + 1.5 * (model.warn - model.alarm)  # higher is better: dips reach 3/4 of the way to warn
    good = min(good, 99.5) if percent else good
    level = good - 0.75 * (good - model.warn) * wave
    return level, 0.25 * (good - model.warn), min(0.0, model.alarm), (100 if percent else 3 * good)


def indicator_values(model: IndicatorModel, r: Rhythms, share: float) -> np.ndarray:
    """Plausible values of one indicator at the moments of `r` for an area with activity `share` (city 1)."""
    base, sd, lo, hi = PROFILES[model.profile](r) if model.profile else _generic(model, r)
    scale = share if model.unit in ADDITIVE_UNITS else 1.0
    values: np.ndarray = np.clip((base + sd * r.noise) * scale, lo * scale, hi * scale).round(3)
    return values


def sample_times(rng: np.random.Generator, start: float, end: float, n: int, kind: str, zone: str) -> np.ndarray:
    """Epoch seconds following the city's rhythm (rejection sampling on the local-time profile)."""
    out: list[np.ndarray] = [np.empty(0)]
    need = n
    while need > 0:
        cand = rng.uniform(start, end, max(need * 3, 16))
        h, weekend = local_hours(cand, zone)
        if kind == "office":
            p = np.where(weekend, 0.18, 1.0) * (0.04 + _bell(h, 10, 1.8) + 0.85 * _bell(h, 15.5, 1.8)) / 1.1
        else:
            p = (0.15 + 0.85 * np.clip(np.sin(np.pi * (h - 5) / 18), 0, 1)) * np.where(weekend, 0.9, 1.0)
        keep = cand[rng.random(len(cand)) < p][:need]
        out.append(keep)
        need -= len(keep)
    return np.sort(np.concatenate(out))


def points_in(rng: np.random.Generator, geoms: list[Any], which: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Points inside each district's polygon, clustered around its centre (rejection sampling with contains_xy)."""
    lon, lat = np.empty(len(which)), np.empty(len(which))
    for d, geom in enumerate(geoms):
        idx = np.flatnonzero(which == d)
        minx, miny, maxx, maxy = geom.bounds
        cx, cy = shapely.get_coordinates(geom.representative_point())[0]
        got: list[np.ndarray] = []
        need = len(idx)
        while need > 0:
            m = max(need * 4, 32)
            near = rng.random(m) < 0.6
            xs = np.where(near, rng.normal(cx, (maxx - minx) / 6, m), rng.uniform(minx, maxx, m))
            ys = np.where(near, rng.normal(cy, (maxy - miny) / 6, m), rng.uniform(miny, maxy, m))
            inside = shapely.contains_xy(geom, xs, ys)
            got.append(np.column_stack([xs[inside], ys[inside]])[:need])
            need -= len(got[-1])
        pts = np.concatenate(got) if got else np.empty((0, 2))
        lon[idx], lat[idx] = pts[:, 0], pts[:, 1]
    return lon.round(6), lat.round(6)


def people(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Synthetic names (张伟 style) and mobile numbers (PII columns in the demo only)."""
    names = (np.array(SURNAMES)[rng.integers(0, len(SURNAMES), n)].astype(object)
             + np.array(GIVEN)[rng.integers(0, len(GIVEN), n)].astype(object))
    two = rng.random(n) < 0.6
    names[two] += np.array(GIVEN)[rng.integers(0, len(GIVEN), int(two.sum()))].astype(object)
    prefix = np.array(["138", "139", "158", "159", "186", "187", "188", "135", "136", "137", "177", "199"])
    numbers = np.array([f"{v:08d}" for v in rng.integers(0, 100_000_000, n)], dtype=object)
    phones = prefix[rng.integers(0, len(prefix), n)].astype(object) + numbers
    return names, phones


def timestamps(seconds: np.ndarray) -> pd.Series:
    return pd.Series(pd.to_datetime(np.round(seconds * 1e6).astype("int64"), unit="us", utc=True))


def optional_timestamps(seconds: np.ndarray, end: float) -> pd.Series:
    """Timestamps that have not happened yet by `end` become NULL."""
    stamps = timestamps(np.where(np.isnan(seconds) | (seconds > end), 0, seconds))
    return stamps.where(~(np.isnan(seconds) | (seconds > end)))


def event_rows(rng: np.random.Generator, start: float, end: float, n: int, codes: list[str], geoms: list[Any],
            first_id: int, sim: SimCity) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Events of the pack's categories and their dispatches over [start, end], with lifecycle statuses as they
    stand at `end`."""
    categories = sim.categories
    t0 = sample_times(rng, start, end, n, "day", sim.zone)
    weights = np.array([c.weight for c in categories], float)
    cat = rng.choice(len(categories), n, p=weights / weights.sum())
    sla_h = np.array([c.time_limit_hours for c in categories])[cat]
    where = rng.choice(len(codes), n, p=sim.weights(codes))
    lon, lat = points_in(rng, geoms, where)
    cancelled = rng.random(n) < 0.03
    registered = t0 + rng.exponential(0.03, n) * sla_h * 3600
    dispatched = registered + rng.exponential(0.03, n) * sla_h * 3600
    n_depts = np.array([len(c.departments) for c in categories])[cat]
    k = np.where(cancelled, 0, np.minimum(n_depts, 1 + rng.poisson(0.7, n)))
    ev = np.repeat(np.arange(n), k)
    slot = np.arange(len(ev)) - np.repeat(np.cumsum(k) - k, k)
    dept = np.array([categories[c].departments[s] for c, s in zip(cat[ev], slot, strict=True)], dtype=object)
    d_at = dispatched[ev] + slot * rng.exponential(120, len(ev))
    # department load: dispatches per department-hour against its usual peak stretch every delay (backlogs)
    dept_codes, dept_idx = np.unique(dept.astype(str), return_inverse=True)
    hour = ((d_at - start) // 3600).astype(np.int64)
    hours = int(hour.max()) + 1 if len(hour) else 1
    load = np.bincount(dept_idx * hours + hour, minlength=len(dept_codes) * hours).reshape(len(dept_codes), hours)
    load = pd.DataFrame(load.T).rolling(4, min_periods=1).sum().to_numpy().T
    cap = np.maximum(np.quantile(load, 0.8, axis=1, keepdims=True), 1)
    mult = np.clip(1 + 0.5 * (load / cap) ** 2, 1, 4)[dept_idx, hour]
    sla_ev = sla_h[ev] * 3600
    accepted = d_at + rng.exponential(0.02, len(ev)) * sla_ev * mult
    arrived = accepted + rng.exponential(0.08, len(ev)) * sla_ev * mult
    finished = arrived + rng.gamma(2.0, 0.1, len(ev)) * sla_ev * mult
    fin_all = np.full(n, np.nan)
    np.fmax.at(fin_all, ev, finished)
    rework = rng.random(n) < 0.06
    checked = fin_all + rng.exponential(0.05, n) * sla_h * 3600
    closed = checked + np.where(rework, rng.exponential(0.3, n) * sla_h * 3600, rng.exponential(0.04, n) * sla_h * 3600)
    first_accept = np.full(n, np.inf)
    np.fmin.at(first_accept, ev, accepted)
    status = np.select(
        [cancelled & (registered <= end), cancelled, closed <= end, checked <= end, fin_all <= end,
         first_accept <= end, dispatched <= end, registered <= end],
        ["cancelled", "reported", "closed", np.where(rework, "rework", "checking"), "feedback", "in_progress",
         "dispatched", "registered"], "reported").astype(object)
    sub = np.array([categories[c].subcategories[i % len(categories[c].subcategories)] for c, i in
                    zip(cat, rng.integers(0, 12, n), strict=True)], dtype=object)
    sev_p = np.where(sla_h[:, None] <= 2, [0.35, 0.4, 0.2, 0.05], [0.7, 0.25, 0.05, 0.0])
    severity = SEVERITIES[(rng.random(n)[:, None] > np.cumsum(sev_p, axis=1)).sum(axis=1).clip(0, 3)]
    names, phones = people(rng, n)
    ids = np.arange(first_id, first_id + n)
    events = pd.DataFrame({
        "id": ids, "category": np.array([c.code for c in categories], dtype=object)[cat], "subcategory": sub,
        "source": SOURCES[rng.choice(len(SOURCES), n, p=SOURCE_P)].astype(object),
        "severity": severity.astype(object), "description": sub, "district": np.array(codes, dtype=object)[where],
        "grid": cells_of(grid_origin(tuple(shapely.total_bounds(geoms))), lon, lat,
                         np.array(codes, dtype=object)[where]),
        "out_of_city": False, "lat": lat, "lon": lon, "reported_at": timestamps(t0), "status": status,
        "sla_due_at": timestamps(t0 + sla_h * 3600), "closed_at": optional_timestamps(np.where(status == "closed", closed, np.nan), end),
        "reporter_name": names, "reporter_phone": phones,
    })
    keep = d_at <= end
    stage = (accepted <= end).astype(int) + (arrived <= end) + (finished <= end)
    dispatches = pd.DataFrame({
        "event_id": ids[ev], "department": dept, "dispatched_at": timestamps(d_at), "accepted_at": optional_timestamps(accepted, end),
        "arrived_at": optional_timestamps(arrived, end), "finished_at": optional_timestamps(finished, end),
        "status": np.array(["dispatched", "accepted", "arrived", "finished"], dtype=object)[stage],
    })[keep]
    return events, dispatches.reset_index(drop=True)


# Applications: what makes the approvals findings real rather than noise.
BUNDLE_SHARE = 0.06  # share of applications filed as part of a one-thing (一件事) case, approved in parallel
CITIZEN_POOL, ENTERPRISE_POOL = 600_000, 60_000  # pseudonymous applicants: some apply again by chance
# Applicants who completed A go on to apply for B within weeks (association mining finds these), with probability.
FOLLOW_ONS: dict[str, tuple[tuple[str, float], ...]] = {
    "civil_marriage_registration": (("police_hukou_move", 0.35), ("fund_purchase_withdrawal", 0.15)),
    "re_first_registration": (("water_new_connection", 0.4), ("power_new_connection", 0.4),
                              ("gas_new_connection", 0.3)),
    "fund_purchase_withdrawal": (("re_mortgage_registration", 0.3),),
    "nr_land_use_permit": (("nr_planning_permit", 0.6),),
    "nr_planning_permit": (("housing_construction_permit", 0.5),),
    "housing_construction_permit": (("housing_completion_filing", 0.5),),
    "ecology_eia_approval": (("ecology_pollutant_permit", 0.45),),
    "market_deregistration": (("tax_vat_declaration", 0.3),),
    "hrss_unemployment_benefit": (("hrss_insurance_certificate", 0.25),),
}
# Matters whose applicants often must correct their papers (补正), with the reason that dominates.
HIGH_RETURN = {"re_transfer_registration": (0.36, 0), "civil_minimum_living": (0.42, 1),
               "ecology_eia_approval": (0.33, 3), "emergency_hazchem_permit": (0.38, 0)}
DORMANT = ("commerce_prepaid_card_filing", "culture_travel_agency")  # no application in the last 45 days
DORMANT_DAYS = 45


def _lifecycle(rng: np.random.Generator, t0: np.ndarray, m: np.ndarray, matters: pd.DataFrame,
               end: float, lagging: np.ndarray) -> dict[str, Any]:
    """Acceptance, correction (补正), completion, due time, status, visits and review of each application; those
    where `lagging` is true choose their channel as the lagging district does."""
    n = len(t0)
    codes = matters["code"].to_numpy(dtype=object)
    instant = (matters["kind"].to_numpy() == "instant")[m]
    days = matters["promised_days"].fillna(0).to_numpy(float)[m]
    channel = np.where(lagging, CHANNELS[rng.choice(4, n, p=LAGGING_CHANNEL_P)], CHANNELS[rng.choice(4, n, p=CHANNEL_P)])
    accepted = t0 + np.where(instant, rng.exponential(300, n), rng.exponential(7200, n))
    high = np.array([HIGH_RETURN.get(c, (0.08, -1)) for c in codes], dtype=float)[m] if n else np.empty((0, 2))
    returned = rng.random(n) < high[:, 0]
    reason = np.where((high[:, 1] >= 0) & (rng.random(n) < 0.6), high[:, 1], rng.integers(0, 5, n)).astype(int)
    ret_delay = np.where(returned, rng.exponential(2 * DAY, n), 0)
    took = np.where(instant, rng.exponential(1200, n), days * DAY * rng.beta(2, 3, n) * 1.45)
    completed = accepted + ret_delay + took
    due = accepted + np.where(instant, 3600, days * DAY * 7 / 5)
    rejected = rng.random(n) < 0.02
    status = np.select(
        [completed <= end, returned & (accepted <= end) & (end < accepted + ret_delay), accepted <= end],
        [np.where(rejected, "rejected", "approved"), "returned", "in_review"], "submitted").astype(object)
    done = completed <= end
    rated = done & (rng.random(n) < 0.75)
    rating = rng.choice([5, 4, 3, 2, 1], n, p=[0.78, 0.15, 0.04, 0.018, 0.012]).astype(float)
    bad = rated & (rating <= 2)
    follow = np.where(end - completed < 2 * DAY, "pending", rng.choice(["contacted", "rectified", "closed"], n))
    visits = np.isin(channel, ["window", "kiosk"]).astype(int) + (returned & (rng.random(n) < 0.4))
    return {
        "channel": channel.astype(object), "submitted_at": timestamps(t0), "accepted_at": optional_timestamps(accepted, end),
        "completed_at": optional_timestamps(np.where(done, completed, np.nan), end), "due_at": timestamps(due),
        "status": status, "return_reason": pd.Series(RETURN_REASONS[reason], dtype=object).where(returned),
        "visits": visits, "rating": pd.Series(rating).where(rated).astype("Int64"),
        "rating_followup": pd.Series(follow, dtype=object).where(bad), "_completed": completed,
    }


def _applicants(rng: np.random.Generator, enterprise: np.ndarray) -> np.ndarray:
    """Pseudonymous applicant keys: 8 digits, enterprises from 2xxxxxxx, citizens from 1xxxxxxx."""
    ids = np.where(enterprise, 20_000_000 + rng.integers(0, ENTERPRISE_POOL, len(enterprise)),
                   10_000_000 + rng.integers(0, CITIZEN_POOL, len(enterprise)))
    return ids.astype(str).astype(object)


def application_rows(rng: np.random.Generator, start: float, end: float, n: int, matters: pd.DataFrame,
                  codes: list[str], sim: SimCity) -> pd.DataFrame:
    """About `n` applications over [start, end] as they stand at `end`: in review, returned for correction (补正),
    done; some filed together as one-thing cases (same applicant and time, approved in parallel), some followed
    by the matter that usually comes next (same applicant, within weeks). `matters` is ordered by code."""
    code_arr = matters["code"].to_numpy(dtype=object)
    bundle_of = (matters["bundle"] if "bundle" in matters else matters["code"].map(sim.bundles)).to_numpy(
        dtype=object)
    bundles = sorted({b for b in bundle_of if isinstance(b, str)})
    members = [np.flatnonzero(bundle_of == b) for b in bundles]
    n_cases = int(round(n * BUNDLE_SHARE / np.mean([len(x) for x in members]))) if bundles else 0
    which = rng.integers(0, len(bundles), n_cases) if n_cases else np.empty(0, int)
    sizes = np.array([len(members[i]) for i in which], dtype=int)
    # single applications, by popularity; dormant matters stop receiving them DORMANT_DAYS before `end`; their
    # number leaves room for the bundle cases and the follow-ons they will bring, so the total stays about `n`
    rank = rng.permutation(len(matters))
    popularity = np.zeros(len(matters))
    popularity[rank] = 1.0 / np.arange(1, len(matters) + 1) ** 0.8
    popularity /= popularity.sum()
    follow_rate = sum(popularity[i] * sum(p for _, p in FOLLOW_ONS.get(c, ())) for i, c in enumerate(code_arr))
    n_base = max(int(round((n - int(sizes.sum())) / (1 + follow_rate))), 0)
    t0 = sample_times(rng, start, end, n_base, "office", sim.zone)
    m = rng.choice(len(matters), n_base, p=popularity)
    keep = ~(np.isin(code_arr[m], DORMANT) & (t0 > end - DORMANT_DAYS * DAY))
    t0, m = t0[keep], m[keep]
    case = np.full(len(t0), None, dtype=object)
    # one-thing cases: every matter of the bundle, filed within minutes of each other
    if n_cases:
        case_t = sample_times(rng, start, end, n_cases, "office", sim.zone)
        rows_case = np.repeat(np.arange(n_cases), sizes)
        m_case = np.concatenate([members[i] for i in which])
        ids = rng.integers(0, 2**62, n_cases).astype(str)  # one id per case (≤ 19 digits; the bundle is the matters')
        t0 = np.concatenate([t0, case_t[rows_case] + rng.uniform(0, 600, len(rows_case))])
        m = np.concatenate([m, m_case])
        case = np.concatenate([case, ids.astype(object)[rows_case]])
    enterprise_dept = np.isin(matters["department"].to_numpy(), ["market", "tax", "commerce", "housing", "ecology",
                                                                 "natural_resources", "emergency"])
    enterprise = enterprise_dept[m] & (rng.random(len(m)) < 0.85)
    applicant = _applicants(rng, enterprise)
    names, phones = people(rng, len(m))
    district = np.array(codes, dtype=object)[rng.choice(len(codes), len(m), p=sim.weights(codes))]
    if n_cases:  # one case, one applicant
        first = np.r_[True, case[1:] != case[:-1]] | pd.isna(case)
        lead = np.maximum.accumulate(np.where(first, np.arange(len(m)), 0))
        applicant, names, phones, district, enterprise = (a[lead] for a in (applicant, names, phones, district,
                                                                            enterprise))
    behind = district == lagging_district(list(codes), sim)
    life = _lifecycle(rng, t0, m, matters, end, behind)
    # follow-on applications by the same applicant, weeks after the first is completed
    index = {c: i for i, c in enumerate(code_arr)}
    src, nxt = [], []
    for a, follows in FOLLOW_ONS.items():
        rows = np.flatnonzero(m == index[a]) if a in index else np.empty(0, int)
        for b, p in follows:
            if b in index and len(rows):
                hit = rows[rng.random(len(rows)) < p]
                src.append(hit)
                nxt.append(np.full(len(hit), index[b]))
    src_i = np.concatenate(src) if src else np.empty(0, int)
    m2 = np.concatenate(nxt) if nxt else np.empty(0, int)
    t2 = life["_completed"][src_i] + rng.uniform(0.5, 28, len(src_i)) * DAY
    ok = (t2 >= start) & (t2 <= end)
    src_i, m2, t2 = src_i[ok], m2[ok], t2[ok]
    frames = []
    for rows, mm, lc, cases in ((np.arange(len(m)), m, life, case),
                                (src_i, m2, _lifecycle(rng, t2, m2, matters, end, behind[src_i]),
                                 np.full(len(src_i), None))):
        lc.pop("_completed")
        frames.append(pd.DataFrame({
            "matter_code": code_arr[mm], "applicant_kind": np.where(enterprise[rows], "enterprise", "citizen").astype(
                object), "applicant_name": names[rows], "applicant_phone": phones[rows], "district": district[rows],
            **lc, "applicant_id": applicant[rows], "bundle_case": cases.astype(object),
        }))
    return pd.concat(frames, ignore_index=True)


def reading_rows(code: str, cadence: int, start: float, end: float, areas: list[tuple[str | None, float]],
              rng: np.random.Generator, seed: int, sim: SimCity) -> pd.DataFrame:
    """One indicator at every cadence boundary in (start, end] for each area (None = the whole city); an indicator
    the pack does not list (installed by an older catalog) gets none."""
    step = cadence * 60
    ts = np.arange((start // step + 1) * step, end + 1e-6, step)
    model = sim.indicators.get(code)
    if len(ts) == 0 or model is None:
        return pd.DataFrame()
    moments = rhythms(ts, sim.zone, seed)
    frames = [pd.DataFrame({"indicator_code": code, "district": area, "ts": timestamps(ts),
                            "value": indicator_values(model, replace(moments, noise=rng.standard_normal(len(ts))),
                                                      share)}) for area, share in areas]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
