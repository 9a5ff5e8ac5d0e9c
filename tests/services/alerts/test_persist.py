"""The persist worker on a real Redis and both databases: idempotent inserts, updates and cancels, dead letters,
claims of a crashed consumer's entries, and no acknowledgement when the database fails."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session

from services.alerts.history import stored_entries
from services.alerts.persist import GROUP, PersistWorker
from services.alerts.stream import publish
from services.config import Settings
from services.store import Alert, AlertAction, District, make_engine


def alert(alert_id: str, **changes: str) -> dict[str, str]:
    return {
        "id": alert_id, "source": "test", "sent": "2024-09-15T06:30:00+08:00", "severity": "severe",
        "urgency": "immediate", "certainty": "likely", "category": "met", "event": "台风",
        "headline": f"台风橙色预警 {alert_id}", **changes,
    }  # fmt: skip


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    with engine.begin() as connection:
        connection.execute(
            insert(District),
            [{"adcode": code, "name_zh": name, "name_en": name, "geometry": "{}"}
             for code, name in [("350203", "思明区"), ("350206", "湖里区")]],
        )  # fmt: skip
    return engine


def push(settings: Settings, client: redis.Redis, *entries: dict[str, str]) -> list[str]:
    return [publish(client, settings.alerts_stream, fields, settings.stream_maxlen) for fields in entries]


def drain(worker: PersistWorker) -> int:
    handled = 0
    while (step := worker.run_once(block_ms=50)) > 0:
        handled += step
    return handled


def rows(engine: Engine) -> dict[str, Alert]:
    with Session(engine) as session:
        return {row.alert_id: row for row in session.scalars(select(Alert))}


def actions(engine: Engine) -> list[tuple[str, str, str, str | None]]:
    with Session(engine) as session:
        query = select(Alert.alert_id, AlertAction.action, AlertAction.user, AlertAction.comment).join(Alert)
        return [tuple(row) for row in session.execute(query.order_by(AlertAction.id))]  # type: ignore[misc]


def pending(settings: Settings, client: redis.Redis) -> int:
    return int(client.xpending(settings.alerts_stream, GROUP)["pending"])


def dead(settings: Settings, client: redis.Redis) -> list[dict[str, Any]]:
    return [fields for _, fields in client.xrange(settings.dead_letter_stream)]


def test_alerts_land_once_and_are_acknowledged(
    settings: Settings, seeded: Engine, redis_client: redis.Redis
) -> None:
    worker = PersistWorker(settings, seeded, redis_client)
    stream_ids = push(
        settings, redis_client, alert("A1", district="350203", lat="24.48", lon="118.1"), alert("A2")
    )
    push(settings, redis_client, alert("A1", headline="a duplicate is ignored"))
    assert drain(worker) == 3
    stored = rows(seeded)
    assert set(stored) == {"A1", "A2"}
    first = stored["A1"]
    assert first.stream_id == stream_ids[0] and first.status == "new" and first.district == "350203"
    assert first.headline == "台风橙色预警 A1" and (first.lat, first.lon) == (24.48, 118.1)
    assert first.sent_at.isoformat() == "2024-09-14T22:30:00+00:00"
    assert pending(settings, redis_client) == 0
    assert dead(settings, redis_client) == []


def test_bad_entries_go_to_the_dead_letters_and_the_rest_still_lands(
    settings: Settings, seeded: Engine, redis_client: redis.Redis
) -> None:
    worker = PersistWorker(settings, seeded, redis_client)
    bad = {**alert("B1"), "sent": "2024-09-15T06:30:00"}
    bad_id = push(settings, redis_client, alert("G1"), bad, {**alert("B2"), "colour": "red"}, alert("G2"))[1]
    assert drain(worker) == 4
    assert set(rows(seeded)) == {"G1", "G2"}
    letters = dead(settings, redis_client)
    assert [letter["stream_id"] for letter in letters][0] == bad_id
    assert letters[0]["reason"].startswith("sent: ") and "no UTC offset" in letters[0]["reason"]
    assert json.loads(letters[0]["original"]) == bad
    assert letters[1]["reason"].startswith("colour: unknown field")
    assert pending(settings, redis_client) == 0


def test_update_rewrites_and_cancel_resolves_the_referenced_alert(
    settings: Settings, seeded: Engine, redis_client: redis.Redis
) -> None:
    worker = PersistWorker(settings, seeded, redis_client)
    push(settings, redis_client, alert("U1"), alert("C1"))
    drain(worker)
    update = alert("U1-v2", msg_type="update", references="test,U1,2024-09-15T06:30:00+08:00",
                   severity="extreme", headline="升级为红色预警", district="350206")  # fmt: skip
    cancel = alert("C1-x", msg_type="cancel", references="C1")
    push(settings, redis_client, update, cancel)
    drain(worker)
    stored = rows(seeded)
    assert set(stored) == {"U1", "C1"}
    assert (stored["U1"].severity, stored["U1"].headline, stored["U1"].district) == (
        "extreme",
        "升级为红色预警",
        "350206",
    )
    assert stored["U1"].status == "new" and stored["C1"].status == "resolved"
    recorded = actions(seeded)
    assert [(a, action, user) for a, action, user, _ in recorded] == [
        ("U1", "update", "system"),
        ("C1", "resolve", "system"),
    ]
    assert "U1-v2" in (recorded[0][3] or "") and "C1-x" in (recorded[1][3] or "")


def test_alert_and_its_cancel_in_one_batch_and_a_redelivered_cancel(
    settings: Settings, seeded: Engine, redis_client: redis.Redis
) -> None:
    worker = PersistWorker(settings, seeded, redis_client)
    cancel = alert("X1-c", msg_type="cancel", references="X1")
    push(settings, redis_client, alert("X1"), cancel, cancel)
    assert worker.run_once(block_ms=50) == 3
    assert rows(seeded)["X1"].status == "resolved"
    assert len(actions(seeded)) == 1  # the same cancel twice is audited once


def test_changes_in_one_batch_apply_as_in_stream_order(
    settings: Settings, seeded: Engine, redis_client: redis.Redis
) -> None:
    """A batch's updates and cancels are written together after its new alerts: the last update of an alert wins,
    a cancel and an update of one alert both hold, and a change that reaches the worker before its alert (in the
    same batch) still finds it."""
    worker = PersistWorker(settings, seeded, redis_client)
    push(settings, redis_client,
         alert("B1-v2", msg_type="update", references="B1", headline="先到的更新"), alert("B1"), alert("B2"),
         alert("B2-v2", msg_type="update", references="B2", headline="第二版"),
         alert("B2-x", msg_type="cancel", references="B2"),
         alert("B2-v3", msg_type="update", references="B2", headline="第三版"))  # fmt: skip
    assert worker.run_once(block_ms=50) == 6
    stored = rows(seeded)
    assert set(stored) == {"B1", "B2"}
    assert stored["B1"].headline == "先到的更新" and stored["B1"].status == "new"
    assert (stored["B2"].headline, stored["B2"].status) == ("第三版", "resolved")
    assert sorted((a, action) for a, action, _user, _comment in actions(seeded)) == [
        ("B1", "update"), ("B2", "resolve"), ("B2", "update"), ("B2", "update")]


def test_update_or_cancel_of_an_unknown_alert_is_stored_as_a_new_alert(
    settings: Settings, seeded: Engine, redis_client: redis.Redis
) -> None:
    """issue 17 point 4: the sender's earlier message never reached us, so this one is the alert: stored as one
    (the console lists msg_type 'alert'), a cancel already resolved, and its audit says what it was sent as."""
    worker = PersistWorker(settings, seeded, redis_client)
    push(settings, redis_client, alert("N-u", msg_type="update", references="nowhere", severity="extreme"),
         alert("N-c", msg_type="cancel", references="test,gone,2024-09-15T06:00:00+08:00"),
         alert("N-u2", msg_type="update", references="N-u", headline="第二版", severity="extreme"))  # fmt: skip
    drain(worker)
    stored = rows(seeded)
    assert set(stored) == {"N-u", "N-c"}  # the second update found the first
    assert (stored["N-u"].msg_type, stored["N-u"].status, stored["N-u"].severity) == ("alert", "new", "extreme")
    assert stored["N-u"].headline == "第二版" and stored["N-u"].group_id is not None
    assert (stored["N-c"].msg_type, stored["N-c"].status) == ("alert", "resolved")
    assert stored["N-c"].resolved_at is not None
    notes = [(alert_id, comment) for alert_id, action, _user, comment in actions(seeded) if action == "note"]
    assert [alert_id for alert_id, _ in notes] == ["N-u", "N-c"]
    assert "sent as a update of nowhere" in (notes[0][1] or "")


def test_an_unknown_district_is_stored_without_it_and_noted(
    settings: Settings, seeded: Engine, redis_client: redis.Redis
) -> None:
    worker = PersistWorker(settings, seeded, redis_client)
    push(settings, redis_client, alert("D1", district="110101"))
    drain(worker)
    assert rows(seeded)["D1"].district is None
    [(alert_id, action, user, comment)] = actions(seeded)
    assert (alert_id, action, user) == ("D1", "note", "system") and "110101" in (comment or "")


def test_a_crashed_consumers_entries_are_claimed(
    settings: Settings, seeded: Engine, redis_client: redis.Redis
) -> None:
    PersistWorker(settings, seeded, redis_client)  # creates the group
    push(settings, redis_client, alert("K1"), alert("K2"))
    redis_client.xreadgroup(GROUP, "crashed", {settings.alerts_stream: ">"}, count=10)
    assert pending(settings, redis_client) == 2
    survivor = PersistWorker(settings, seeded, redis_client, consumer="persist-2", min_idle_ms=0)
    assert drain(survivor) == 2
    assert set(rows(seeded)) == {"K1", "K2"}
    assert pending(settings, redis_client) == 0


def test_nothing_is_acknowledged_while_the_database_fails(
    settings: Settings, seeded: Engine, redis_client: redis.Redis, tmp_path: Path
) -> None:
    broken = make_engine(f"sqlite:///{tmp_path / 'no-schema.db'}")  # a store that was never migrated
    push(settings, redis_client, alert("F1"), {**alert("F2"), "severity": "purple"})
    failing = PersistWorker(settings, broken, redis_client)
    assert failing.run_once(block_ms=50) == 1  # only the bad entry, to the dead letters
    assert failing.db_failed
    assert pending(settings, redis_client) == 1
    broken.dispose()
    recovered = PersistWorker(settings, seeded, redis_client)  # same consumer name: its own backlog first
    assert drain(recovered) == 1
    assert set(rows(seeded)) == {"F1"}
    assert pending(settings, redis_client) == 0 and not recovered.db_failed


def test_an_entry_trimmed_before_it_was_persisted_is_reported(
    settings: Settings, seeded: Engine, redis_client: redis.Redis
) -> None:
    PersistWorker(settings, seeded, redis_client)
    [stream_id] = push(settings, redis_client, alert("T1"))
    redis_client.xreadgroup(GROUP, "persist-1", {settings.alerts_stream: ">"}, count=10)
    redis_client.xdel(settings.alerts_stream, stream_id)
    assert drain(PersistWorker(settings, seeded, redis_client)) == 1
    [letter] = dead(settings, redis_client)
    assert letter["stream_id"] == stream_id and "trimmed" in letter["reason"]
    assert pending(settings, redis_client) == 0


def test_run_forever_persists_until_stopped(
    settings: Settings, seeded: Engine, redis_client: redis.Redis
) -> None:
    worker = PersistWorker(settings, seeded, redis_client)
    stop = threading.Event()
    thread = threading.Thread(target=worker.run_forever, args=(stop,), kwargs={"block_ms": 50}, daemon=True)
    thread.start()
    try:
        push(settings, redis_client, alert("R1"))
        for _ in range(200):
            if rows(seeded):
                break
            stop.wait(0.05)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert set(rows(seeded)) == {"R1"}


def test_poison_entries_are_dead_lettered_and_later_alerts_still_land(
    settings: Settings, seeded: Engine, redis_client: redis.Redis
) -> None:
    """issue 17 point 1: `sent` 9999-12-31T23:59:59-14:00 made the worker fail on the same entry every 2 s for ever
    (OverflowError), and no later alert was stored; a NUL byte reached PostgreSQL; bytes that are not UTF-8 failed
    the whole read."""
    worker = PersistWorker(settings, seeded, redis_client)
    poison = [{**alert("P1"), "sent": "9999-12-31T23:59:59-14:00"}, {**alert("P2"), "sent": "0001-01-01T00:00:00+14:00"},
              {**alert("P3"), "headline": "空\x00字符"}, {**alert("P4"), "event": b"\xff\xfe"}]  # fmt: skip
    poison_ids = [str(redis_client.xadd(settings.alerts_stream, fields)) for fields in poison]  # type: ignore[arg-type]
    push(settings, redis_client, alert("OK1"))
    drain(worker)
    assert set(rows(seeded)) == {"OK1"}
    letters = dead(settings, redis_client)
    assert [letter["stream_id"] for letter in letters] == poison_ids
    assert [letter["reason"].split(":")[0] for letter in letters] == ["sent", "sent", "headline", "event"]
    assert json.loads(letters[3]["original"])["event"] == "\udcff\udcfe"  # the bytes, escaped, not lost
    assert pending(settings, redis_client) == 0


def test_expires_is_stored_and_an_update_moves_it_and_the_history_carries_it(
    settings: Settings, seeded: Engine, redis_client: redis.Redis
) -> None:
    """A screen opened from the store (the stream restarted empty) must drop an expired alert as the stream's copy
    does: the store keeps CAP's `expires`, an update changes it, and the history hands it on."""
    worker = PersistWorker(settings, seeded, redis_client)
    push(settings, redis_client, alert("E1", expires="2024-09-15T12:00:00+08:00"), alert("E2"))
    drain(worker)
    stored = rows(seeded)
    assert stored["E1"].expires_at is not None and stored["E1"].expires_at.isoformat() == "2024-09-15T04:00:00+00:00"
    assert stored["E2"].expires_at is None
    push(settings, redis_client,
         alert("E1-up", msg_type="update", references="E1", expires="2024-09-16T12:00:00+08:00"))
    drain(worker)
    assert rows(seeded)["E1"].expires_at.isoformat() == "2024-09-16T04:00:00+00:00"  # type: ignore[union-attr]
    with Session(seeded) as session:
        history = {fields["id"]: fields for _, fields in stored_entries(session, limit=10)}
    assert history["E1"]["expires"] == "2024-09-16T04:00:00+00:00" and history["E2"]["expires"] == ""
