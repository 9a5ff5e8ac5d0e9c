"""Start-up: the declared sources are registered; a bad sources file stops start-up with one line per error."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from services.platform.runtime import StartupError
from services.sources import declare_sources
from services.store import DataSource

GOOD = """sources:
  - {id: hotline, name_zh: 热线, name_en: Hotline, department: hotline, kind: push, target: events, cadence: 1h}
"""


def _with_sources(rt, path: Path):  # type: ignore[no-untyped-def]
    return dataclasses.replace(rt, settings=rt.settings.model_copy(update={"sources": path}))


def test_declared_sources_are_registered(rt, tmp_path: Path) -> None:
    (tmp_path / "sources.yaml").write_text(GOOD, encoding="utf-8")
    (spec,) = declare_sources(_with_sources(rt, tmp_path / "sources.yaml"))
    with rt.sessions() as session:
        source = session.get(DataSource, "hotline")
    assert (spec.kind, source.kind, source.cadence_s, source.department) == ("push", "push", 3600, "hotline")


def test_a_bad_sources_file_stops_start_up_with_one_line_per_error(rt, tmp_path: Path) -> None:
    (tmp_path / "sources.yaml").write_text(GOOD.replace("1h", "1 hour").replace("events", "videos"), encoding="utf-8")
    with pytest.raises(StartupError) as caught:
        declare_sources(_with_sources(rt, tmp_path / "sources.yaml"))
    assert str(caught.value).splitlines()[1:] == [
        f"{tmp_path / 'sources.yaml'}:2: sources[0].cadence: '1 hour' is not a duration such as 30s, 5m, 1h or 1d",
        f"{tmp_path / 'sources.yaml'}:2: sources[0].target: Input should be 'events', 'readings' or 'applications'",
    ]
