"""The connector worker's schedule: every source runs on the first tick, then on its schedule; a failing one is
retried after a backoff that grows, never later than its next scheduled run."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.sources import FileSource, HttpSource, SourcesLoop
from services.sources.connectors import HttpConnector
from tests.services.sources.conftest import declare

NOW = datetime(2026, 12, 1, 4, 0, tzinfo=UTC)


def test_sources_run_on_their_schedule_and_a_failing_one_backs_off(rt, runner, tmp_path):
    drop = FileSource.model_validate({
        "id": "exports", "name_zh": "导出", "name_en": "Exports", "department": "gov_service", "kind": "file",
        "target": "applications", "folder": str(tmp_path), "cadence": "1d", "schedule": {"every": "2m"}})
    down = HttpSource.model_validate({
        "id": "down", "name_zh": "停机系统", "name_en": "A system that is down", "department": "transport",
        "kind": "http", "target": "events", "url": "http://127.0.0.1:9/cases", "cursor_param": "since",
        "cursor_field": "id", "cadence": "1h", "schedule": {"cron": "0 * * * *"}})
    declare(rt, drop, down)
    loop = SourcesLoop([drop, down], runner)
    loop.connectors["down"] = HttpConnector(down, backoff_s=0.01)
    loop.tick(NOW)
    assert loop.due == {"exports": NOW + timedelta(minutes=2), "down": NOW + timedelta(seconds=30)}
    loop.tick(NOW + timedelta(seconds=30))
    assert loop.due["down"] == NOW + timedelta(seconds=90) and loop.failures["down"] == 2
    loop.tick(NOW + timedelta(minutes=59))  # the backoff would pass the hour: the schedule's run comes first
    assert loop.due["down"] == NOW + timedelta(hours=1) and loop.due["exports"] == NOW + timedelta(minutes=61)
