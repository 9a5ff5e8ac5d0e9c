"""issue 17 point 2: an alert belongs to its sender (CAP: sender + identifier), on a real Redis and both databases.
Before, a second sender reusing an id was silently dropped, and any sender's update or cancel (or a CAP references
triple naming another sender) rewrote or resolved another sender's alert."""

from __future__ import annotations

import redis
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from services.alerts.persist import GROUP
from services.config import Settings
from services.store import Alert
from tests.services.alerts.data import add_districts, alert, persist


def by_sender(engine: Engine) -> dict[tuple[str, str], Alert]:
    with Session(engine) as session:
        return {(row.source, row.alert_id): row for row in session.scalars(select(Alert))}


def test_an_id_reused_by_another_sender_is_another_alert(
    settings: Settings, engine: Engine, redis_client: redis.Redis
) -> None:
    add_districts(engine)
    persist(settings, engine, redis_client, alert("A1", source="meteo", headline="气象台"),
            alert("A1", source="hotline", headline="热线"), alert("A1", source="meteo", headline="重发"))
    stored = by_sender(engine)
    assert set(stored) == {("meteo", "A1"), ("hotline", "A1")}
    assert stored["meteo", "A1"].headline == "气象台" and stored["hotline", "A1"].headline == "热线"
    assert int(redis_client.xpending(settings.alerts_stream, GROUP)["pending"]) == 0


def test_updates_and_cancels_touch_only_their_own_senders_alerts(
    settings: Settings, engine: Engine, redis_client: redis.Redis
) -> None:
    add_districts(engine)
    persist(settings, engine, redis_client, alert("V1", source="meteo"), alert("V2", source="meteo"),
            alert("V3", source="meteo"))
    persist(settings, engine, redis_client,
            alert("X-u", source="intruder", msg_type="update", references="V1", severity="minor", headline="篡改"),
            alert("X-c", source="intruder", msg_type="cancel", references="V2"),
            alert("X-t", source="intruder", msg_type="cancel", references="meteo,V3,2024-09-15T06:30:00+08:00"),
            alert("M-u", source="meteo", msg_type="update", references="V1", headline="气象台更新"))  # fmt: skip
    stored = by_sender(engine)
    assert stored["meteo", "V1"].headline == "气象台更新" and stored["meteo", "V1"].severity == "severe"
    assert stored["meteo", "V2"].status == "new" and stored["meteo", "V3"].status == "new"
    # the intruder's messages found none of its own alerts: each is an alert of the intruder's, nobody else's
    assert {key for key in stored if key[0] == "intruder"} == {("intruder", "X-u"), ("intruder", "X-c"),
                                                               ("intruder", "X-t")}
