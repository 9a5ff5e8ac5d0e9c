"""The sources file: a good one loads; a bad one is refused with one line per error, each naming file, line, field."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.config import DEFAULT_PACK
from services.sources import FileSource, SourcesFileError, SqlSource, load_sources

GOOD = """\
sources:
  - id: ecology-aqi
    name_zh: 空气质量监测
    name_en: Air quality monitoring
    department: ecology
    kind: sql
    target: readings
    url: postgresql+psycopg://reader:${AQI_DB_PASSWORD}@db/aqi
    query: SELECT id, district_code, measured_at, aqi FROM aqi_hourly
    cursor: id
    mapping: {indicator: {value: aqi}, area: district_code, time: measured_at, value: aqi}
    indicators: [aqi]
    schedule: {cron: "*/5 * * * *"}
    cadence: 5m
  - id: gov-exports
    name_zh: 办件导出
    name_en: Exports
    department: gov_service
    kind: file
    target: applications
    folder: /tmp/drop
    schedule: {every: 1m}
    cadence: 1d
"""

BAD = """\
sources:
  - id: ecology-aqi
    name_zh: 空气质量监测
    name_en: Air quality monitoring
    department: ecology
    kind: sql
    target: readings
    url: postgresql+psycopg://db/aqi
    query: DELETE FROM aqi_hourly
    cursor: id
    schedule: {every: 1m, cron: "*/5 * * * *"}
    cadence: 5 minutes
  - id: gov-exports
    kind: ftp
"""


def test_a_good_file_loads_with_durations_schedules_and_secrets_from_the_environment(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AQI_DB_PASSWORD", "s3cret")
    path = tmp_path / "sources.yaml"
    path.write_text(GOOD, encoding="utf-8")
    sql, drop = load_sources(path)
    assert isinstance(sql, SqlSource) and isinstance(drop, FileSource)
    assert sql.url == "postgresql+psycopg://reader:s3cret@db/aqi" and sql.cadence == 300
    assert sql.schedule.next_after(datetime(2026, 12, 1, 10, 1, tzinfo=UTC)) == datetime(2026, 12, 1, 10, 5, tzinfo=UTC)
    assert drop.schedule.every == 60 and drop.cadence == 86_400
    assert sql.mapped({"id": 7, "district_code": "350203", "measured_at": "t", "aqi": 42}) == {
        "indicator": "aqi", "area": "350203", "time": "t", "value": 42}


def test_a_bad_file_gives_one_line_per_error_with_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(BAD, encoding="utf-8")
    with pytest.raises(SourcesFileError) as caught:
        load_sources(path)
    lines = str(caught.value).splitlines()
    assert lines == [
        f"{path}:9: sources[0].query: must be one SELECT (or WITH … SELECT) statement",
        f"{path}:11: sources[0].schedule: give exactly one of every or cron",
        f"{path}:12: sources[0].cadence: '5 minutes' is not a duration such as 30s, 5m, 1h or 1d",
        f"{path}:14: sources[1].kind: Input tag 'ftp' found using 'kind' does not match any of the expected tags: "
        "'push', 'sql', 'http', 'file'",
    ]


def test_a_secret_missing_from_the_environment_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AQI_DB_PASSWORD", raising=False)
    path = tmp_path / "sources.yaml"
    path.write_text(GOOD, encoding="utf-8")
    with pytest.raises(SourcesFileError, match=r":8: sources\[0\].url: environment variable AQI_DB_PASSWORD is not set"):
        load_sources(path)


def test_a_mapping_to_a_field_the_target_lacks_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AQI_DB_PASSWORD", "s3cret")
    path = tmp_path / "sources.yaml"
    path.write_text(GOOD.replace("time: measured_at,", "time: measured_at, colour: c,"), encoding="utf-8")
    with pytest.raises(SourcesFileError, match=r":2: sources\[0\]: mapping names colour, not fields of readings"):
        load_sources(path)


def test_invalid_yaml_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text("sources:\n  - id: [unclosed\n", encoding="utf-8")
    with pytest.raises(SourcesFileError, match=r"sources.yaml:3: not valid YAML"):
        load_sources(path)


def test_the_demo_file_is_valid() -> None:
    assert {spec.id for spec in load_sources(DEFAULT_PACK / "sources.yaml")} >= {"gov-service-platform"}
