"""Publishing alerts to a running app from a browser test, as the CAP and FIWARE bridges do."""

from __future__ import annotations

import time
from collections.abc import Callable

import redis
from sqlalchemy import select

from services.alerts.stream import publish
from services.platform.runtime import Runtime
from services.store import Alert


def alert_sender(runtime: Runtime, client: redis.Redis, build: Callable[..., dict[str, str]]) -> Callable[..., str]:
    """`send(*args, **fields)` publishes `build(*args, **fields)` on the app's alert stream and returns the entry's
    stream id."""
    settings = runtime.settings

    def send(*args: str, **fields: str) -> str:
        return publish(client, settings.alerts_stream, build(*args, **fields), settings.stream_maxlen)

    return send


def wait_stored(runtime: Runtime, stream_id: str) -> None:
    """Wait (not a timing assertion) until the app's persist worker has written the alert."""
    for _ in range(100):
        with runtime.sessions() as session:
            if session.scalar(select(Alert.id).where(Alert.stream_id == stream_id)) is not None:
                return
        time.sleep(0.1)
    raise AssertionError(f"alert {stream_id} was never persisted")
