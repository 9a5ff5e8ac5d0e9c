"""The wall ticker's rules (dashboards/_live_ticker.py) on plain entries: what the browser tests show, case by case."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from dashboards._live_ticker import LiveTicker

NOW = datetime(2026, 12, 2, 4, 20, tzinfo=UTC)


def _ticker(size: int = 30) -> LiveTicker:
    return LiveTicker([], size=size, window=timedelta(minutes=10), lang="zh-CN", zone=ZoneInfo("Asia/Shanghai"),
                      headline=lambda fields: fields.get("headline", ""))


def _entry(n: int, alert_id: str, severity: str = "moderate", event: str = "暴雨", **extra: str
           ) -> tuple[str, dict[str, str]]:
    received = int((NOW + timedelta(seconds=n)).timestamp() * 1000)
    return f"{received}-0", {"id": alert_id, "source": "s", "sent": (NOW + timedelta(seconds=n)).isoformat(),
                             "severity": severity, "event": event, "headline": f"{event} {alert_id}",
                             "district": "350203", "msg_type": "alert", **extra}


def _add(ticker: LiveTicker, *entries: tuple[str, dict[str, str]]) -> None:
    for stream_id, fields in entries:
        ticker.add(stream_id, fields, NOW)


def test_the_escalation_timers_update_does_not_hide_the_escalation() -> None:
    """The escalation worker re-sends the alert unchanged (same severity) beside its status signal: the row stays
    escalated, whichever of the two is read first."""
    for signal_first in (True, False):
        ticker = _ticker()
        _add(ticker, _entry(0, "A", "severe"))
        update = _entry(60, "A:escalated:1", "severe", msg_type="update", references="A")
        signal = {"source": "s", "id": "A", "status": "escalated"}
        if signal_first:
            ticker.signal(signal)
            _add(ticker, update)
        else:
            _add(ticker, update)
            ticker.signal(signal)
        assert [(row["status"], row["status_label"]) for row in ticker.rows] == [("escalated", "已升级")]


def test_an_update_of_an_update_finds_the_row_and_a_cancel_closes_it() -> None:
    ticker = _ticker()
    _add(ticker, _entry(0, "A"), _entry(1, "B", event="大风"),
         _entry(2, "A2", "moderate", msg_type="update", references="A", headline="第二报"),
         _entry(3, "A3", "moderate", msg_type="update", references="s,A2,2026-12-02T04:20:02+00:00",
                headline="第三报"))
    assert [(row["headline"], row["status"]) for row in ticker.rows] == [("大风 B", ""), ("第三报", "updated")]
    _add(ticker, _entry(4, "A4", msg_type="cancel", references="A3", headline="解除"))
    assert ticker.rows[1]["status"] == "cancelled"
    _add(ticker, _entry(5, "A5"))  # the same kind again after a cancel: a new row, not the closed one's
    assert [row["count"] for row in ticker.rows] == [1, 1, 1]


def test_an_update_whose_alert_is_not_shown_is_a_row_of_its_own_saying_so() -> None:
    ticker = _ticker()
    _add(ticker, _entry(0, "U", "extreme", msg_type="update", references="never-seen"))
    assert [(row["severity"], row["status"]) for row in ticker.rows] == [("extreme", "updated")]


def test_rows_beyond_the_size_and_expired_ones_go() -> None:
    ticker = _ticker(size=3)
    _add(ticker, *[_entry(n, f"N{n}", event=f"事件 {n}") for n in range(5)])
    assert [row["headline"] for row in ticker.rows] == ["事件 4 N4", "事件 3 N3", "事件 2 N2"]
    _add(ticker, _entry(6, "E", event="大风", expires=(NOW + timedelta(minutes=1)).isoformat()))
    assert not ticker.expire(NOW) and ticker.rows[0]["headline"] == "大风 E"
    assert ticker.expire(NOW + timedelta(minutes=2)) and "大风 E" not in [row["headline"] for row in ticker.rows]


def test_a_long_storm_row_still_answers_to_its_first_alert() -> None:
    """The console acts on a storm group through its first alert: the signal must find the row after many members."""
    ticker = _ticker()
    _add(ticker, *[_entry(n, f"S{n}") for n in range(12)])
    assert [row["count"] for row in ticker.rows] == [12]
    assert ticker.signal({"source": "s", "id": "S0", "status": "acknowledged"})
    assert ticker.rows[0]["status_label"] == "已确认"
    _add(ticker, _entry(20, "S11-up", msg_type="update", references="S11", headline="最新一报"))
    assert ticker.rows[0]["headline"] == "最新一报"  # the newest member is among the row's identities too
