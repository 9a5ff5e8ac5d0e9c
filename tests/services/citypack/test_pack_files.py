"""A pack's NGSI mapping and sources file are checked against its indicators: every mapped or listed indicator must
be in indicators.csv, and each mistake is one `file:line: field: reason` line from `check_pack`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from services.citypack import check_pack, load_pack

ROOT = Path(__file__).resolve().parents[3]
LANSHAN = ROOT / "tests" / "citypacks" / "lanshan"

SOURCES = """\
sources:
  - id: water-gauges
    name_zh: 澜江水文站
    name_en: Lan River gauges
    department: water
    kind: push
    target: readings
    cadence: 5m
    indicators:
      - river_level
      - tide_level
"""


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    copy = tmp_path / "lanshan"
    shutil.copytree(LANSHAN, copy)
    return copy


def test_the_shipped_packs_wiring_names_only_their_own_indicators() -> None:
    assert check_pack(ROOT / "citypacks" / "xiamen") == []
    assert check_pack(LANSHAN) == []


def test_a_mapping_to_an_unknown_indicator_is_one_line_at_its_line(pack: Path) -> None:
    mapping = pack / "ngsi_mapping.toml"
    text = mapping.read_text(encoding="utf-8").replace('indicator = "river_level"', 'indicator = "tide_level"')
    mapping.write_text(text + '\n[[map]]\nentity_type = "TrafficFlowObserved"\n', encoding="utf-8")
    lines = text.splitlines()
    tide = lines.index('indicator = "tide_level"') + 1
    assert check_pack(pack) == [
        f"{mapping}:{tide}: map[2].indicator: unknown indicator 'tide_level' (not in indicators.csv)",
        f"{mapping}:{len(lines) + 2}: map[3].attribute: missing or empty",
        f"{mapping}:{len(lines) + 2}: map[3].indicator: missing or empty",
    ]


def test_a_mapping_that_is_not_toml_is_one_line(pack: Path) -> None:
    (pack / "ngsi_mapping.toml").write_text('[[map]]\nentity_type = "AirQualityObserved\n', encoding="utf-8")
    [line] = check_pack(pack)
    assert line.startswith(f"{pack / 'ngsi_mapping.toml'}:2: -: not TOML")


def test_a_source_listing_an_unknown_indicator_is_one_line_at_its_line(pack: Path) -> None:
    (pack / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    assert check_pack(pack) == [
        f"{pack / 'sources.yaml'}:11: sources[0].indicators[1]: unknown indicator 'tide_level' (not in indicators.csv)"]


def test_a_malformed_sources_file_gives_the_sources_checker_lines(pack: Path) -> None:
    (pack / "sources.yaml").write_text(SOURCES.replace("kind: push", "kind: pull"),
                                       encoding="utf-8")
    problems = check_pack(pack)
    assert len(problems) == 1 and problems[0].startswith(f"{pack / 'sources.yaml'}:6: sources[0].kind:")


def test_without_the_optional_files_the_pack_still_loads(pack: Path) -> None:
    (pack / "ngsi_mapping.toml").unlink()
    assert not (pack / "sources.yaml").exists()
    assert load_pack(pack).city_area.name_zh == "澜山市"
