"""The schema on SQLite and PostgreSQL: migrations to head, UTC timestamps, keys and constraints."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError, StatementError

from services.store import Alert, Department, District, Event, EventDispatch, migrate

TABLES = {"districts", "departments", "indicators", "indicator_readings", "events", "event_dispatches", "matters",
          "applications", "alerts", "alert_actions"}


def test_migrate_creates_the_data_model_and_is_idempotent(engine):
    assert TABLES <= set(inspect(engine).get_table_names())
    migrate(engine)  # a second run at head changes nothing and does not fail
    columns = {c["name"] for c in inspect(engine).get_columns("events")}
    assert {"reporter_phone", "sla_due_at", "district", "grid", "out_of_city"} <= columns


def test_timestamps_round_trip_as_aware_utc(session):
    session.add(District(adcode="350203", name_zh="思明区", name_en="Siming", geometry="{}"))
    beijing = timezone(timedelta(hours=8))
    session.add(Event(category="市容环境", source="patrol", severity="minor", status="reported", district="350203",
                      reported_at=datetime(2026, 11, 23, 9, 30, tzinfo=beijing)))
    session.commit()
    session.expunge_all()
    stored = session.scalars(select(Event)).one()
    assert stored.reported_at == datetime(2026, 11, 23, 1, 30, tzinfo=UTC)
    assert stored.reported_at.tzinfo is not None


def test_naive_datetimes_are_refused(session):
    session.add(Event(category="x", source="patrol", severity="minor", status="reported",
                      reported_at=datetime(2026, 11, 23, 9, 30)))
    with pytest.raises(StatementError, match="naive datetime"):
        session.commit()


def test_dispatches_reference_events_and_departments(session):
    session.add(Department(code="fire", name_zh="消防救援支队", name_en="Fire and Rescue", kind="fire"))
    session.add(EventDispatch(event_id=999, department="fire", dispatched_at=datetime.now(UTC), status="dispatched"))
    with pytest.raises(IntegrityError):
        session.commit()


def test_alert_ids_are_unique(session):
    now = datetime.now(UTC)
    fields = dict(source="test", sent_at=now, severity="severe", urgency="immediate", certainty="observed",
                  category="met", event="暴雨", headline="暴雨橙色预警")
    session.add(Alert(stream_id="1-0", alert_id="same", **fields))
    session.commit()
    session.add(Alert(stream_id="2-0", alert_id="same", **fields))
    with pytest.raises(IntegrityError):
        session.commit()


def test_an_id_is_unique_per_sender_after_migration_0009(engine):
    """issue 17 point 2: CAP identifies a message by sender + identifier, so another sender may reuse an id; rows
    stored before 0009 are kept, and one sender still cannot store an id twice."""
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text

    from services.store.engine import MIGRATIONS_DIR

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0008")
    row = dict(stream_id="1-0", alert_id="same", source="meteo", sent_at=datetime.now(UTC), severity="severe",
               urgency="immediate", certainty="observed", category="met", event="暴雨", headline="暴雨橙色预警",
               msg_type="alert", status="new")
    with engine.begin() as connection:
        connection.execute(Alert.__table__.insert(), row)
    migrate(engine)
    with engine.begin() as connection:
        connection.execute(Alert.__table__.insert(), {**row, "source": "hotline", "event": "x" * 185})
        assert connection.scalar(text("SELECT count(*) FROM alerts WHERE alert_id = 'same'")) == 2
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(Alert.__table__.insert(), {**row, "stream_id": "2-0"})
