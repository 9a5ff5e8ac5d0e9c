"""Measures of a response and the wall's choice of response, on both databases with the real persist worker: the
minutes from the alert to activation and to each department's acceptance and arrival, per response and per plan
and department; the most serious active response at or above a level, within the caller's area."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import redis
from sqlalchemy import Engine, select

from services.config import Settings
from services.events import advance_dispatch
from services.plans import (
    activate,
    active_response,
    change_level,
    response_measures,
    stand_down,
    summaries,
    tick,
)
from services.store import Alert, EventDispatch
from tests.services.plans.data import ELSEWHERE, OPERATOR, demo_pack, session_of, stored_flood_alert

NOW = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
PACK = demo_pack()
FLOOD = PACK.plan("flood")


@pytest.fixture
def response_id(settings: Settings, engine: Engine, redis_client: redis.Redis) -> int:
    """The flood plan activated 10 minutes after its alert reached us."""
    assert FLOOD is not None
    alert_pk = stored_flood_alert(settings, engine, redis_client, PACK)
    with session_of(engine) as session:
        session.get(Alert, alert_pk).received_at = NOW - timedelta(minutes=10)  # type: ignore[union-attr]
        response = activate(session, alert_pk, FLOOD, principal=OPERATOR, now=NOW)
        session.commit()
        return response.id


def _advance(engine: Engine, department: str, stage: str, at: datetime) -> None:
    with session_of(engine) as session:
        part = session.scalar(select(EventDispatch.id).where(EventDispatch.department == department))
        advance_dispatch(session, part, stage, principal=OPERATOR, now=at)
        session.commit()


def test_minutes_from_the_alert_to_activation_acceptance_and_arrival(engine: Engine, response_id: int) -> None:
    _advance(engine, "water", "accept", NOW + timedelta(minutes=5))
    _advance(engine, "water", "arrive", NOW + timedelta(minutes=32))
    with session_of(engine) as session:
        tick(session, response_id, "c1", principal=OPERATOR, now=NOW)
        session.commit()
        measured = response_measures(session, response_id, now=NOW + timedelta(minutes=45))
        assert response_measures(session, response_id, scope=ELSEWHERE.scope, now=NOW) is None
    assert measured is not None
    assert (measured.to_activation, measured.checks_done, measured.checks_total) == (10.0, 1, 4)
    water = measured.departments[0]
    assert (water.department, water.to_accept, water.to_arrive, water.to_finish) == ("water", 15.0, 42.0, None)
    assert water.late  # not finished 45 minutes on, with 30 to do it
    assert all(d.to_accept is None for d in measured.departments[1:])

    (plan, *departments) = summaries(session_of(engine))
    assert (plan.plan, plan.department, plan.responses, plan.to_activation) == ("flood", None, 1, 10.0)
    by_code = {d.department: d for d in departments}
    assert set(by_code) == {"water", "urban_mgmt", "traffic_police", "emergency"}
    assert (by_code["water"].to_accept, by_code["water"].to_arrive) == (15.0, 42.0)
    assert summaries(session_of(engine), since=NOW + timedelta(minutes=1)) == []


def test_the_wall_shows_the_active_response_at_or_above_its_level(engine: Engine, response_id: int) -> None:
    assert FLOOD is not None
    with session_of(engine) as session:
        shown = active_response(session, "III")
        assert shown is not None and (shown.id, shown.level) == (response_id, "III")
        assert active_response(session, "II") is None  # a level III response is below a level II wall
        assert active_response(session, "III", scope=ELSEWHERE.scope) is None
        change_level(session, response_id, "II", principal=OPERATOR, plan=FLOOD, now=NOW)
        assert active_response(session, "II") is not None
        stand_down(session, response_id, principal=OPERATOR, summary="结束", now=NOW)
        assert active_response(session, "IV") is None
