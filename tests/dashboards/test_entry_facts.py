"""A stream entry's facts and row are derived once per worker, not once per screen (issue 17: at 100 alerts/s on
200 screens the per-screen derivations took the whole worker), and sharing them never mixes two screens' rows."""

from __future__ import annotations

from collections import OrderedDict
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from dashboards import _entry_facts
from dashboards._alert_push import SeenAlerts
from dashboards._entry_facts import entry_facts
from dashboards._live_ticker import LiveTicker

NOW = datetime(2026, 12, 3, 4, 0, tzinfo=UTC)
ZONE = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _own_memo(monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker's memo as a fresh worker has it, and left as it was for the tests after (live entries of the
    whole run have raised its newest minute past this module's fixed clock)."""
    monkeypatch.setattr(_entry_facts, "_memo", OrderedDict())
    monkeypatch.setattr(_entry_facts, "_newest", [0])


def _entry(n: int, **fields: str) -> tuple[str, dict[str, str]]:
    at = NOW + timedelta(seconds=n)
    return f"{int(at.timestamp() * 1000)}-0", {
        "id": f"a{n}", "source": "met", "sent": at.isoformat(), "severity": "severe", "event": "暴雨",
        "district": "350203", "headline": f"暴雨{n}", "msg_type": "alert", **fields}


def _ticker() -> LiveTicker:
    return LiveTicker([], size=30, window=timedelta(minutes=10), lang="zh-CN", zone=ZONE,
                      headline=lambda fields: fields.get("headline", ""))


def test_an_entry_read_by_many_screens_is_derived_once(monkeypatch: pytest.MonkeyPatch) -> None:
    derived = []
    real = _entry_facts.storm_key
    monkeypatch.setattr(_entry_facts, "storm_key", lambda fields: derived.append(1) or real(fields))
    entries = [_entry(n, event=f"e{n}") for n in range(5)]  # five storm groups: five rows
    screens = [(_ticker(), SeenAlerts()) for _ in range(200)]
    for ticker, seen in screens:
        for stream_id, fields in seen.first_sightings(entries):
            ticker.add(stream_id, fields, NOW)
    assert len(derived) == 5
    assert all(ticker.rows == screens[0][0].rows for ticker, _ in screens)
    assert [row["headline"] for row in screens[0][0].rows] == [f"暴雨{n}" for n in reversed(range(5))]


def test_shared_rows_are_each_screens_own_and_another_object_gets_its_own_facts() -> None:
    first, second = _ticker(), _ticker()
    stream_id, fields = _entry(1)
    first.add(stream_id, fields, NOW)
    second.add(stream_id, fields, NOW)
    first.add(*_entry(2), NOW)  # the same storm group: the first screen's row grows
    assert (first.rows[0]["count"], second.rows[0]["count"]) == (2, 1)
    assert second.rows[0]["headline"] == "暴雨1" and second.rows[0]["keys"] == ["met|a1"]
    other = {**fields, "id": "b1", "source": "fire"}  # same stream id, another object
    assert entry_facts(stream_id, other).key == "fire|b1" and entry_facts(stream_id, fields).key == "met|a1"


def test_the_memo_holds_minutes_of_entries_not_a_count() -> None:
    """A quiet city's alerts, a minute apart: the memo keeps the last few minutes' (issue 17's soak), also after
    entries that came in out of order (a page's opening reads older rows from the store after live ones)."""
    entry_facts(*_entry(60 * 200))  # a live entry, newer than all that follow
    for n in range(100):
        entry_facts(*_entry(60 * n))
    assert len(_entry_facts._memo) <= _entry_facts.REMEMBERED_MINUTES + 1
    for n in range(300, 400):
        entry_facts(*_entry(60 * n))
    assert len(_entry_facts._memo) <= _entry_facts.REMEMBERED_MINUTES + 1
