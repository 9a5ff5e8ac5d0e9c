"""The daily briefing: its figures on both backends against a pandas reference computed from the generated
rows, within the city and within one district; and its PDF and PNG, which must carry the Chinese text in the
shipped font (this machine has no CJK font installed: what renders is what we ship)."""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from fontTools.ttLib import TTFont
from PIL import Image, ImageStat
from pypdf import PdfReader
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from components.briefing import FONT_DIR, png_size, render_pdf, render_png
from components.i18n import translator
from dashboards._leader_briefing import briefing_sheet
from services import briefing, events
from services.access import Scope
from services.citypack import load_pack
from services.config import DEFAULT_CITY, DEFAULT_PACK
from services.demo.simulator import seed
from services.geo import load_city
from services.indicators.queries import status_of
from services.store import (
    Alert,
    Application,
    Event,
    EventDispatch,
    Indicator,
    IndicatorReading,
    make_engine,
    make_sessionmaker,
    migrate,
)
from services.store.catalog import install_catalog

ZONE = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 11, 19)
START, END = datetime(2026, 11, 18, 16, tzinfo=UTC), datetime(2026, 11, 19, 16, tzinfo=UTC)
CODES = ("traffic_congestion_index", "aqi", "metro_ridership", "gov_ontime_rate")
SIMING = "350203"
SEVERITIES = ("extreme", "severe", "moderate", "minor", "unknown")
ROOT = Path(__file__).resolve().parents[2]


def _generate(engine: Engine) -> None:
    """Two days of the simulated city around DAY, and 60 alerts written by hand around the day's edges."""
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        install_catalog(session, districts=load_city(DEFAULT_CITY).rows())
        session.commit()
    seed(engine, days=2, end=END + timedelta(hours=14), progress=False, events_per_day=800,
         applications_per_day=1500)
    rng = np.random.default_rng(11)
    with sessions() as session:
        for n in range(60):
            sent = START + timedelta(hours=float(rng.uniform(-6, 30)))
            session.add(Alert(stream_id=f"{n}-0", alert_id=f"a{n}", source="test", sent_at=sent,
                              severity=str(rng.choice(SEVERITIES)), urgency="immediate", certainty="observed",
                              category="met", event="暴雨", headline=f"预警{n}",
                              district=str(rng.choice([SIMING, "350206", "350211"])), msg_type="alert"))
        session.commit()


@pytest.fixture
def store(engine: Engine) -> Iterator[Session]:
    """The generated city on each backend."""
    _generate(engine)
    with make_sessionmaker(engine)() as session:
        yield session


@pytest.fixture(scope="module")
def city_day(tmp_path_factory: pytest.TempPathFactory) -> briefing.Briefing:
    """The generated city's briefing of DAY (on SQLite, once: the renderers only read the dataclass)."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('briefing') / 'store.db'}")
    migrate(engine)
    _generate(engine)
    with make_sessionmaker(engine)() as session:
        figures = briefing.gather(session=session, zone=ZONE, kpi_codes=CODES, day=DAY)
    engine.dispose()
    return figures


def _frame(session: Session, *columns) -> pd.DataFrame:
    rows = session.execute(select(*columns)).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=[c.key for c in columns])


def _in_day(stamps: pd.Series) -> pd.Series:
    stamps = pd.to_datetime(stamps, utc=True)
    return (stamps >= START) & (stamps < END)


def _top(values: pd.Series) -> list[tuple[str, int]]:
    counts = values.dropna().value_counts().rename_axis("key").reset_index(name="n")
    counts = counts.sort_values(["n", "key"], ascending=[False, True]).head(briefing.TOP)
    return [(str(k), int(n)) for k, n in zip(counts["key"], counts["n"], strict=True)]


def _reference(session: Session, district: str | None) -> dict[str, object]:
    """The day's figures by hand from the raw rows, optionally for one district's rows only."""
    ev = _frame(session, Event.id, Event.category, Event.district, Event.status, Event.reported_at,
                Event.sla_due_at, Event.closed_at)
    if district:
        ev = ev[ev["district"] == district]
    reported = ev[_in_day(ev["reported_at"])]
    closed_at = pd.to_datetime(ev["closed_at"], utc=True)
    overdue = ((pd.to_datetime(ev["reported_at"], utc=True) < END)
               & (pd.to_datetime(ev["sla_due_at"], utc=True) < END)
               & (ev["status"] != "cancelled") & (closed_at.isna() | (closed_at >= END)))
    dispatches = _frame(session, EventDispatch.event_id, EventDispatch.department,
                        EventDispatch.dispatched_at, EventDispatch.accepted_at)
    dispatches = dispatches[dispatches["event_id"].isin(reported["id"])]
    accept = (pd.to_datetime(dispatches["accepted_at"], utc=True)
              - pd.to_datetime(dispatches["dispatched_at"], utc=True)).dt.total_seconds() / 60
    p90 = accept.groupby(dispatches["department"]).quantile(0.9).rename("p90").reset_index()
    p90 = p90.sort_values(["p90", "department"], ascending=[False, True], na_position="last")
    apps = _frame(session, Application.district, Application.submitted_at, Application.completed_at,
                  Application.due_at, Application.rating)
    if district:
        apps = apps[apps["district"] == district]
    done = apps[_in_day(apps["completed_at"])]
    due = done[done["due_at"].notna()]
    alerts = _frame(session, Alert.severity, Alert.sent_at, Alert.district, Alert.headline)
    if district:
        alerts = alerts[alerts["district"] == district]
    alerts = alerts[_in_day(alerts["sent_at"])]
    newest = alerts.sort_values("sent_at", ascending=False)
    notable = pd.concat([newest[newest["severity"] == s].head(briefing.TOP)
                         for s in briefing.NOTABLE_SEVERITIES]).head(briefing.TOP)
    return {
        "events_reported": len(reported),
        "events_closed": int(((ev["status"] == "closed") & _in_day(ev["closed_at"])).sum()),
        "events_overdue": int(overdue.sum()),
        "top_categories": _top(reported["category"]),
        "top_districts": _top(reported["district"]),
        "slow_departments": list(p90["department"].head(briefing.SLOW_DEPARTMENTS)),
        "slow_p90": list(p90["p90"].head(briefing.SLOW_DEPARTMENTS)),
        "approvals_received": int(_in_day(apps["submitted_at"]).sum()),
        "approvals_completed": len(done),
        "approvals_on_time_rate": float((pd.to_datetime(due["completed_at"], utc=True)
                                         <= pd.to_datetime(due["due_at"], utc=True)).mean()),
        "approvals_bad_reviews": int((done["rating"] <= 2).sum()),
        "alerts_by_severity": tuple((s, int((alerts["severity"] == s).sum())) for s in SEVERITIES),
        "notable": list(notable["headline"]),
    }


def _kpi_reference(session: Session) -> list[tuple[str, float, float, str]]:
    readings = _frame(session, IndicatorReading.indicator_code, IndicatorReading.district,
                      IndicatorReading.ts, IndicatorReading.value)
    readings = readings[readings["district"].isna() & _in_day(readings["ts"])]
    out = []
    for code in CODES:
        ind = session.get(Indicator, code)
        values = readings.loc[readings["indicator_code"] == code, "value"]
        worst = values.max() if ind.direction == "lower" else values.min()
        status = status_of(worst, ind.warn, ind.alarm, ind.direction)
        out.append((code, float(values.mean()), float(worst), status))
    return out


@pytest.mark.parametrize("district", [None, SIMING])
def test_the_day_figures_match_a_reference_from_the_rows(store: Session, district: str | None) -> None:
    scope = Scope.of(districts=[district]) if district else Scope()
    got = briefing.gather(session=store, zone=ZONE, kpi_codes=CODES, day=DAY, scope=scope)
    want = _reference(store, district)

    assert (got.start, got.end) == (START, END)
    assert got.events_reported > 0 and got.approvals_completed > 0
    for name in ("events_reported", "events_closed", "events_overdue", "approvals_received",
                 "approvals_completed", "approvals_bad_reviews", "alerts_by_severity"):
        assert getattr(got, name) == want[name], name
    assert got.approvals_on_time_rate == pytest.approx(want["approvals_on_time_rate"])
    assert [(c.key, c.count) for c in got.top_categories] == want["top_categories"]
    assert [(d.key, d.count) for d in got.top_districts] == want["top_districts"]
    assert [d.code for d in got.slow_departments] == want["slow_departments"]
    assert [d.accept_p90 for d in got.slow_departments] == pytest.approx(want["slow_p90"], rel=1e-6)
    assert [a.headline for a in got.notable_alerts] == want["notable"]
    assert all(a.severity in briefing.NOTABLE_SEVERITIES for a in got.notable_alerts)
    if district:
        assert {d.key for d in got.top_districts} == {SIMING}
        assert {a.district_zh for a in got.notable_alerts} <= {"思明区"}
        assert all(k.mean is None and k.status == "nodata" for k in got.kpis), "city readings leak"
    else:
        assert [(k.code, k.mean, k.worst, k.status) for k in got.kpis] == [
            (code, pytest.approx(mean), pytest.approx(worst), status)
            for code, mean, worst, status in _kpi_reference(store)]


def test_the_default_day_is_yesterday_in_the_display_zone() -> None:
    late = datetime(2026, 11, 19, 17, tzinfo=UTC)  # 01:00 on the 20th in Shanghai
    assert briefing.yesterday(ZONE, late) == date(2026, 11, 19)
    assert briefing.day_window(date(2026, 3, 8), ZoneInfo("America/New_York"))[1] - briefing.day_window(
        date(2026, 3, 8), ZoneInfo("America/New_York"))[0] == timedelta(hours=23)


def _sheet(got: briefing.Briefing, lang: str):
    return briefing_sheet(got, lang=lang, city="厦门市" if lang == "zh-CN" else "Xiamen",
                          scope_label=translator(lang)["brief.city_wide"], text=translator(lang),
                          category_names=events.category_names(load_pack(DEFAULT_PACK), lang),
                          generated=datetime(2026, 11, 20, 1, tzinfo=UTC))


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_the_pdf_carries_the_text_in_an_embedded_font(city_day: briefing.Briefing, lang: str) -> None:
    got = city_day
    data = render_pdf(_sheet(got, lang))
    reader = PdfReader(io.BytesIO(data))
    text = "".join(page.extract_text() for page in reader.pages)
    fonts = {str(font.get_object()["/BaseFont"]) for page in reader.pages
             for font in page["/Resources"]["/Font"].get_object().values()}  # type: ignore[union-attr]
    assert all("NotoSansSC" in name for name in fonts), fonts
    assert "2026-11-19" in text and f"{got.events_reported:,}" in text
    if lang == "zh-CN":
        for words in ("厦门市", "城市运行每日简报", "新报事件", "办件受理", "事件最多的区", got.top_districts[0].name_zh,
                      "响应最慢的部门", "重要预警"):
            assert words in text, words
    else:
        assert "Daily city briefing" in text and got.top_districts[0].name_en in text


def test_the_kpi_units_are_written_in_the_reader_language(city_day: briefing.Briefing) -> None:
    """The Chinese briefing wrote "index", "persons/h": units come from the catalog in the reader's language."""
    units = {lang: [row[3] for row in _sheet(city_day, lang).tables[0].rows] for lang in ("zh-CN", "en")}
    english_words = {"index", "persons/h", "count", "calls", "households", "items", "persons", "min"}
    assert english_words & set(units["en"]), units["en"]
    assert not english_words & set(units["zh-CN"]), units["zh-CN"]
    assert "指数" in units["zh-CN"] or "人次/时" in units["zh-CN"]


def test_the_png_has_its_size_and_is_drawn_without_missing_glyphs(city_day: briefing.Briefing) -> None:
    sheet = _sheet(city_day, "zh-CN")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = render_png(sheet)
    assert not [w for w in caught if "missing from font" in str(w.message)], [str(w.message) for w in caught]
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and image.size == png_size(sheet) and image.width == 1080
    grey = image.convert("L")
    assert ImageStat.Stat(grey).stddev[0] > 20, "the image is blank"
    title_band = grey.crop((0, 0, image.width, 150))
    assert ImageStat.Stat(title_band).mean[0] < 160, "no title band"
    inked = sum(grey.histogram()[:128])
    assert inked > 0.02 * image.width * image.height, "almost nothing drawn"


def test_the_shipped_font_covers_every_character_of_the_interface_and_the_catalogs() -> None:
    sources = [*ROOT.glob("components/locales/*.toml"), *ROOT.glob("citypacks/*/*.csv"),
               *ROOT.glob("citypacks/*/*.geojson"), *ROOT.glob("citypacks/*/*.toml")]
    needed = {c for path in sources for c in path.read_text(encoding="utf-8") if ord(c) > 0x2E80}
    assert needed, "no Chinese text found: the check would pass vacuously"
    for name in ("NotoSansSC-Regular.ttf", "NotoSansSC-Bold.ttf"):
        font = TTFont(FONT_DIR / name)
        cmap = font.getBestCmap()
        missing = sorted(c for c in needed if ord(c) not in cmap)
        assert not missing, f"{name} lacks {''.join(missing)}: rerun scripts/build_briefing_font.py"
        assert re.search("Open Font License", (FONT_DIR / "LICENSE-OFL.txt").read_text(encoding="utf-8"))
        assert "glyf" in font and (FONT_DIR / name).stat().st_size < 3_000_000
