"""A `file` source on a temp folder: files loaded once, moved to done/ or failed/ with a report beside them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from sqlalchemy import func, select

from services.sources import FileSource
from services.sources.connectors import FileConnector
from services.store import DataSource, IndicatorReading
from tests.services.sources.conftest import declare

GOOD = "监测点区划,时间,AQI\n350203,2026-12-01T08:00:00+08:00,41\n350205,2026-12-01T08:00:00+08:00,abc\n" \
       "350206,2026-12-01T08:00:00+08:00,57\n"


def _spec(folder: Path) -> FileSource:
    return FileSource.model_validate({
        "id": "ecology-exports", "name_zh": "生态环境局监测导出", "name_en": "Ecology exports", "department": "ecology",
        "kind": "file", "target": "readings", "folder": str(folder), "cadence": "1h", "schedule": {"every": "1m"},
        "indicators": ["aqi"], "mapping": {"indicator": {"value": "aqi"}, "area": "监测点区划", "time": "时间",
                                           "value": "AQI"}})


def _readings(rt) -> int:
    with rt.sessions() as session:
        return session.scalar(select(func.count()).select_from(IndicatorReading))


def test_files_are_loaded_once_and_moved_with_their_reports(rt, runner, tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    spec = _spec(drop)
    declare(rt, spec)
    (drop / "aqi-0800.csv").write_bytes(GOOD.encode("gbk"))  # GBK, as many government systems export
    (drop / "broken.csv").write_bytes("监测点区划,时间,AQI\n".encode() + b"350203,\xff\xfe\xfa,41\n")
    (drop / ".aqi-0900.csv").write_text(GOOD, encoding="utf-8")  # still being written: hidden until renamed
    result = runner.run(spec, FileConnector(spec))
    assert (result.batches, result.accepted, result.refused) == (1, 2, 1)
    assert sorted(p.name for p in drop.iterdir() if p.is_file()) == [".aqi-0900.csv"]
    report = json.loads((drop / "done" / "aqi-0800.csv.report.json").read_text(encoding="utf-8"))
    assert (report["accepted"], report["refused"]) == (2, [{"row": 2, "field": "value",
                                                            "reason": "must be a number, got 'abc'"}])
    failed = json.loads((drop / "failed" / "broken.csv.report.json").read_text(encoding="utf-8"))
    assert "not gb18030" in failed["error"] and failed["digest"]
    assert _readings(rt) == 2
    with rt.sessions() as session:
        assert "broken.csv" in (session.get(DataSource, spec.id).last_error or "")

    # The same export dropped again (or a crash between the commit and the move): never loaded twice.
    shutil.copy(drop / "done" / "aqi-0800.csv", drop / "aqi-0800-again.csv")
    again = runner.run(spec, FileConnector(spec))
    assert (again.batches, again.accepted, again.updated) == (1, 0, 0)
    assert json.loads((drop / "done" / "aqi-0800-again.csv.report.json").read_text())["already_stored"] is True
    assert _readings(rt) == 2
