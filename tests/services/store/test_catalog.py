"""The shipped catalogs load with their minimum sizes; every bad row names its file, line and reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.store import Department, District, Indicator, Matter
from services.store.catalog import (
    CatalogError,
    band_of,
    install_catalog,
    load_bands,
    load_departments,
    load_indicators,
    load_matters,
)

IND_HEADER = "code,name_zh,name_en,domain,unit,direction,warn,alarm,source_department,cadence_minutes\n"
MAT_HEADER = "code,name_zh,name_en,department,kind,statutory_days,promised_days,bundle\n"
GOOD_IND = "aqi,空气质量指数,AQI,environment,AQI,lower,100,200,ecology,5\n"


def test_shipped_catalogs_meet_the_minimums() -> None:
    departments, indicators, matters = load_departments(), load_indicators(), load_matters()
    assert len(departments) >= 20
    assert len(indicators) >= 32
    assert len(matters) >= 60
    assert len({m.department for m in matters}) >= 15
    bundles: dict[str, set[str]] = {}
    for m in matters:
        if m.bundle:
            bundles.setdefault(m.bundle, set()).add(m.department)
    assert len([b for b, depts in bundles.items() if len(depts) > 1]) >= 5
    assert all(m.statutory_days == m.promised_days == 0 for m in matters if m.kind == "instant")
    by_code = {i.code: i for i in indicators}
    assert (by_code["aqi"].warn, by_code["aqi"].alarm) == (100, 200)
    assert by_code["hotline_connection_rate"].alarm < by_code["hotline_connection_rate"].warn


def _write(tmp_path: Path, header: str, *rows: str) -> Path:
    path = tmp_path / "catalog.csv"
    path.write_text(header + "".join(rows), encoding="utf-8")
    return path


@pytest.mark.parametrize(("row", "reason"), [
    ("aqi,x,x,environment,AQI,lower,100,200,ecology,5\n", "duplicate code 'aqi'"),
    ("pm,x,x,environment,furlongs,lower,1,2,ecology,5\n", "unknown unit 'furlongs'"),
    ("pm,x,x,environment,dB,sideways,1,2,ecology,5\n", "unknown direction 'sideways'"),
    ("pm,x,x,environment,dB,lower,70,60,ecology,5\n", "warn 70.0 must be below alarm 60.0"),
    ("pm,x,x,hotline,%,higher,80,90,ecology,5\n", "warn 80.0 must be above alarm 90.0"),
    ("pm,,x,environment,dB,lower,1,2,ecology,5\n", "missing required field 'name_zh'"),
    ("pm,x,x,environment,dB,lower,1,2,nobody,5\n", "unknown source_department 'nobody'"),
    ("pm,x,x,environment,dB,lower,one,2,ecology,5\n", "field 'warn' is not a number: 'one'"),
    ("pm,x,x,environment,dB,lower,1,2,ecology,5.5\n", "field 'cadence_minutes' is not a number"),
])
def test_bad_indicator_rows_name_line_and_reason(tmp_path: Path, row: str, reason: str) -> None:
    path = _write(tmp_path, IND_HEADER, GOOD_IND, row)
    with pytest.raises(CatalogError) as caught:
        load_indicators(path, departments=["ecology"])
    assert f"{path}:3: " in str(caught.value)
    assert reason in str(caught.value)


def test_decimals_are_optional_and_counts_are_whole_without_them(tmp_path: Path) -> None:
    """Without the column a count is shown whole and a concentration by its size; with it, the catalog decides."""
    bare = load_indicators(_write(tmp_path, IND_HEADER, GOOD_IND, "calls,x,x,hotline,calls,lower,1,2,ecology,5\n"),
                           departments=["ecology"])
    assert [(i.decimals, i.shown_decimals) for i in bare] == [(None, None), (None, 0)]
    with_column = _write(tmp_path, IND_HEADER.rstrip() + ",decimals\n", GOOD_IND.rstrip() + ",1\n",
                         "calls,x,x,hotline,calls,lower,1,2,ecology,5,\n")
    assert [i.shown_decimals for i in load_indicators(with_column, departments=["ecology"])] == [1, 0]
    shipped = {i.code: i.shown_decimals for i in load_indicators()}
    assert shipped["police_incidents"] == shipped["hotline_calls"] == 0 and shipped["water_pressure"] == 2


@pytest.mark.parametrize(("decimals", "reason"), [
    ("4", "decimals must be between 0 and 3, got 4"),
    ("-1", "decimals must be between 0 and 3, got -1"),
    ("1.5", "field 'decimals' is not a number: '1.5'"),
])
def test_bad_decimals_name_line_and_reason(tmp_path: Path, decimals: str, reason: str) -> None:
    path = _write(tmp_path, IND_HEADER.rstrip() + ",decimals\n", GOOD_IND.rstrip() + ",0\n",
                  f"pm,x,x,environment,dB,lower,1,2,ecology,5,{decimals}\n")
    with pytest.raises(CatalogError) as caught:
        load_indicators(path, departments=["ecology"])
    assert f"{path}:3: {reason}" in str(caught.value)


@pytest.mark.parametrize(("row", "reason"), [
    ("m1,x,x,police,instant,0,0,\n", "duplicate code 'm1'"),
    ("m2,x,x,nobody,instant,0,0,\n", "unknown department 'nobody'"),
    ("m2,x,x,police,someday,0,0,\n", "unknown kind 'someday'"),
    ("m2,x,x,police,instant,3,0,\n", "an instant matter takes 0"),
    ("m2,x,x,police,promised,5,9,\n", "promised_days 9 must be between 1 and statutory_days 5"),
    ("m2,x,x,police,promised,five,1,\n", "field 'statutory_days' is not a number"),
    ("m2,x,x,,promised,5,1,\n", "missing required field 'department'"),
])
def test_bad_matter_rows_name_line_and_reason(tmp_path: Path, row: str, reason: str) -> None:
    path = _write(tmp_path, MAT_HEADER, "m1,x,x,police,instant,0,0,b\n", row)
    with pytest.raises(CatalogError, match=f"{path}:3: .*") as caught:
        load_matters(path, departments=["police"])
    assert reason in str(caught.value)


def test_duplicate_department_and_missing_header(tmp_path: Path) -> None:
    path = _write(tmp_path, "code,name_zh,name_en,kind\n", "a,甲,A,x\n", "a,乙,B,y\n")
    with pytest.raises(CatalogError, match=r":3: duplicate code 'a'"):
        load_departments(path)
    path = _write(tmp_path, "code,name_zh\n", "a,甲\n")
    with pytest.raises(CatalogError, match=r":1: header lacks column\(s\) name_en, kind"):
        load_departments(path)


def test_install_catalog_upserts_everything(session: Session) -> None:
    districts = [{"adcode": "350203", "name_zh": "思明区", "name_en": "Siming",
                  "geometry": {"type": "Point", "coordinates": [118.08, 24.45]}}]
    first = install_catalog(session, districts=districts)
    again = install_catalog(session, districts=districts)
    assert first == again
    assert session.scalar(select(func.count()).select_from(District)) == 1
    assert session.scalar(select(func.count()).select_from(Department)) == len(load_departments())
    assert session.scalar(select(func.count()).select_from(Indicator)) == len(load_indicators())
    assert session.scalar(select(func.count()).select_from(Matter)) == len(load_matters())


def test_shipped_grading_scales_are_the_national_ones() -> None:
    bands = load_bands()
    aqi, congestion = bands["aqi"], bands["traffic_congestion_index"]
    assert [b.name_zh for b in aqi] == ["优", "良", "轻度污染", "中度污染", "重度污染", "严重污染"]
    assert [b.colour for b in aqi] == ["#00e400", "#ffff00", "#ff7e00", "#ff0000", "#99004c", "#7e0023"]
    assert [b.name_zh for b in congestion] == ["畅通", "基本畅通", "轻度拥堵", "中度拥堵", "严重拥堵"]
    assert [(v, band_of(aqi, v).level) for v in (0, 50, 50.5, 150, 300, 301, 999)] == [
        (0, 1), (50, 1), (50.5, 2), (150, 3), (300, 5), (301, 6), (999, 6)]  # fmt: skip
    assert [band_of(congestion, v).name_en for v in (2.0, 2.1, 6.5, 10)] == [
        "Free flow", "Basically free flow", "Moderate congestion", "Severe congestion"]  # fmt: skip
    assert band_of(congestion, 10.5) is None and band_of(aqi, None) is None and band_of(aqi, float("nan")) is None


BAND_HEADER = "code,level,upper,name_zh,name_en,colour\n"


@pytest.mark.parametrize(("row", "reason"), [
    ("aqi,2,40,良,Good,#ffff00\n", "upper 40.0 must exceed the previous level's 50.0"),
    ("aqi,1,90,良,Good,#ffff00\n", "duplicate code 'aqi level 1'"),
    ("pm,2,90,良,Good,#ffff00\n", "unknown indicator code 'pm'"),
    ("aqi,2,90,良,Good,yellow\n", "colour must be #rrggbb"),
    ("aqi,2,lots,良,Good,#ffff00\n", "field 'upper' is not a number"),
])
def test_bad_band_rows_name_line_and_reason(tmp_path: Path, row: str, reason: str) -> None:
    path = _write(tmp_path, BAND_HEADER, "aqi,1,50,优,Excellent,#00e400\n", row)
    with pytest.raises(CatalogError, match=f"{path}:3: .*") as caught:
        load_bands(path, indicators=["aqi"])
    assert reason in str(caught.value)
