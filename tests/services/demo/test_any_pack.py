"""The simulator drives any city pack: seeded and live rows of the tests' second city (lanshan) belong to it."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import redis
from sqlalchemy import Engine, select

from services.citypack import CityPack, load_pack
from services.config import DEFAULT_PACK, Settings
from services.demo.simcity import local_hours, reading_rows, sim_city
from services.demo.simulator import Live, seed
from services.store import Application, Event, EventDispatch, IndicatorReading, make_sessionmaker
from services.store.catalog import install_catalog

LANSHAN = Path(__file__).resolve().parents[2] / "citypacks" / "lanshan"
END = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def lanshan() -> CityPack:
    return load_pack(LANSHAN)


@pytest.fixture
def city(engine: Engine, lanshan: CityPack) -> Engine:
    with make_sessionmaker(engine)() as session:
        install_catalog(session, districts=lanshan.city.rows(), catalogs=lanshan.catalogs)
    return engine


def _frame(engine: Engine, *columns: object) -> pd.DataFrame:
    with engine.connect() as conn:
        result = conn.execute(select(*columns))  # type: ignore[call-overload]
        return pd.DataFrame(result.all(), columns=list(result.keys()))


def _belongs_to(engine: Engine, pack: CityPack) -> None:
    """Every event, dispatch, application and reading in the store names only the pack's codes."""
    adcodes = set(pack.city.adcodes)
    categories = {c.code: c for c in pack.catalogs.categories}
    events = _frame(engine, Event.id, Event.district, Event.category, Event.subcategory)
    assert len(events) and set(events["district"]) <= adcodes and set(events["category"]) <= set(categories)
    assert set(events["category"]) == set(categories)  # every category drawn, by its weight
    for row in events.itertuples():
        assert row.subcategory in categories[row.category].subcategories, row
    parts = _frame(engine, EventDispatch.event_id, EventDispatch.department).merge(
        events, left_on="event_id", right_on="id")
    for row in parts.itertuples():
        assert row.department in categories[row.category].departments, row
    apps = _frame(engine, Application.matter_code, Application.district)
    assert len(apps) and set(apps["matter_code"]) <= {m.code for m in pack.catalogs.matters}
    assert set(apps["district"]) <= adcodes
    readings = _frame(engine, IndicatorReading.indicator_code, IndicatorReading.district)
    assert set(readings["indicator_code"]) == {i.code for i in pack.catalogs.indicators}
    assert set(readings["district"].dropna()) == adcodes


def test_seed_and_live_write_only_the_packs_city(city: Engine, lanshan: CityPack, settings: Settings,
                                                 redis_client: redis.Redis) -> None:
    report = seed(city, pack=lanshan, days=1, end=END, progress=False, events_per_day=600,
                  applications_per_day=600)
    assert report.counts["events"] >= 600 and report.counts["indicator_readings"] > 0  # and a burst's, if any
    _belongs_to(city, lanshan)
    live = Live(settings, city, redis_client, rate=20.0, rng_seed=7, pack=lanshan)
    for i in range(4):
        live.step(END + timedelta(minutes=10, seconds=60 * i))
    _belongs_to(city, lanshan)
    with city.connect() as conn:
        assert conn.scalar(select(Event.reported_at).order_by(Event.reported_at.desc()).limit(1)) > END
    simulated = [f for _, f in redis_client.xrange(settings.alerts_stream) if f["source"] == "simulator"]
    assert simulated and {f["district"] for f in simulated} <= set(lanshan.city.adcodes)


def test_generic_indicators_sit_below_warn_and_cross_it_now_and_then(lanshan: CityPack) -> None:
    """A pack's indicator without a profile follows its thresholds: mostly on the good side, some crossings."""
    sim = sim_city(lanshan)
    generic = [m for m in sim.indicators.values() if m.profile is None]
    assert generic and sim.indicators["aqi"].profile == "aqi"  # the pack's profile column picks a tuned model
    rng, end = np.random.default_rng(3), END.timestamp()
    crossings = 0.0
    for model in generic:
        values = reading_rows(model.code, 5, end - 14 * 86_400, end, [(None, 1.0)], rng, 5, sim)["value"]
        beyond = values > model.warn if model.direction == "lower" else values < model.warn
        assert beyond.mean() < 0.05, model.code
        crossings += beyond.sum()
    assert crossings > 0


def test_an_unknown_profile_names_its_line(tmp_path: Path) -> None:
    pack_dir = Path(shutil.copytree(LANSHAN, tmp_path / "lanshan"))
    path = pack_dir / "indicators.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",5,aqi,", ",5,smog,"), encoding="utf-8")  # its profile
    with pytest.raises(ValueError, match=r"indicators.csv:3: profile: unknown profile 'smog'"):
        sim_city(load_pack(pack_dir))


@pytest.mark.parametrize(("zone", "hour"), [("Asia/Shanghai", 14.0), ("Europe/Berlin", 7.0),
                                            ("America/New_York", 1.0)])
def test_local_hours_follow_the_packs_time_zone(zone: str, hour: float) -> None:
    """06:00 UTC on a Monday (winter time) is each zone's own hour, on a weekday."""
    h, weekend = local_hours(np.array([END.timestamp()]), zone)
    assert h[0] == hour and not weekend[0]


def test_district_weights_and_lead_departments_come_from_the_pack(lanshan: CityPack) -> None:
    """Without a `weight` property a district draws by its area; a category's first department leads, and an
    event of a category the pack no longer lists goes to the emergency routing's catch-all department."""
    sim = sim_city(lanshan)
    codes = lanshan.city.adcodes
    areas = np.array([lanshan.city.districts.loc[code].geometry.area for code in codes])
    assert np.allclose(sim.weights(codes), areas / areas.sum())
    assert (sim.lead("flooding"), sim.lead("no-longer-listed")) == ("water", "urban_mgmt")
    default = sim_city(load_pack(DEFAULT_PACK))  # the demo city weighs its districts by population
    weighted = dict(zip(default.district_weight, default.weights(list(default.district_weight)), strict=True))
    assert max(weighted, key=weighted.__getitem__) == load_pack(DEFAULT_PACK).city.adcodes[0]
