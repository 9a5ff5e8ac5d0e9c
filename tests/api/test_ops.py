"""/healthz, /readyz and /metrics on a real Redis and both databases, and the timing middleware on real requests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.ops import TimingMiddleware, ops_router
from services.alerts.persist import PersistWorker
from services.alerts.stream import publish
from services.config import Settings
from services.platform.metrics import Metrics


def _app(engine: Engine, client: redis.Redis, settings: Settings) -> FastAPI:
    metrics = Metrics(client, settings)
    app = FastAPI()
    app.include_router(ops_router(engine, client, metrics))

    @app.post("/_dash-update-component")
    async def fake_callback(request: Request) -> dict[str, str]:  # stands in for Dash's route, which reads the body
        return {"received": str((await request.json())["output"])}

    app.add_middleware(TimingMiddleware, metrics=metrics)
    return app


@pytest.fixture
def client(engine: Engine, redis_client: redis.Redis, settings: Settings) -> Iterator[TestClient]:
    with TestClient(_app(engine, redis_client, settings)) as test_client:
        yield test_client


def test_healthz_and_readyz_answer_when_everything_is_up(client: TestClient):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    body = ready.json()
    assert body["ready"] is True
    assert {check["name"]: check["ok"] for check in body["checks"]} == {"database": True, "redis": True}


def test_readyz_is_503_and_names_redis_when_redis_does_not_answer(engine: Engine, settings: Settings):
    unreachable = redis.Redis(host="127.0.0.1", port=1, socket_connect_timeout=1)
    with TestClient(_app(engine, unreachable, settings)) as test_client:
        answer = test_client.get("/readyz")
    assert answer.status_code == 503
    checks = {check["name"]: check for check in answer.json()["checks"]}
    assert checks["database"]["ok"] is True
    assert checks["redis"] == {"name": "redis", "ok": False}  # why (host, port) only for a caller with a token


def test_metrics_report_stream_lag_pending_and_dead_letters(client: TestClient, redis_client: redis.Redis,
                                                            settings: Settings, engine: Engine):
    PersistWorker(settings, engine, redis_client).ensure_group()
    for n in range(3):
        publish(redis_client, settings.alerts_stream, {"id": f"m-{n}"}, settings.stream_maxlen)
    redis_client.xadd(settings.dead_letter_stream, {"reason": "bad"})
    text = client.get("/metrics").text
    assert "onescreen_redis_up 1.0" in text
    assert "onescreen_stream_length 3.0" in text
    assert "onescreen_dead_letters 1.0" in text
    assert 'onescreen_stream_lag{group="persist"} 3.0' in text
    assert 'onescreen_stream_pending{group="persist"} 0.0' in text


def test_requests_and_callbacks_are_timed_by_route_and_output(client: TestClient):
    client.get("/healthz")  # operations routes are not timed: scrapes would drown the figures
    client.post("/_dash-update-component", json={"output": "kpi-strip.children", "inputs": []})
    client.get("/no-such-page")
    text = client.get("/metrics").text
    assert 'onescreen_callback_seconds_count{output="kpi-strip.children"} 1.0' in text
    assert 'route="/_dash-update-component"' in text
    assert 'onescreen_request_seconds_count{method="GET",route="unmatched",status="404"} 1.0' in text
    assert 'route="/healthz"' not in text
