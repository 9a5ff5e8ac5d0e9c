"""Publishing alerts to a running app from a browser test, as the CAP and FIWARE bridges do."""

from __future__ import annotations

from collections.abc import Callable

import redis

from services.alerts.stream import publish
from services.platform.runtime import Runtime


def alert_sender(runtime: Runtime, client: redis.Redis, build: Callable[..., dict[str, str]]) -> Callable[..., str]:
    """`send(*args, **fields)` publishes `build(*args, **fields)` on the app's alert stream and returns the entry's
    stream id."""
    settings = runtime.settings

    def send(*args: str, **fields: str) -> str:
        return publish(client, settings.alerts_stream, build(*args, **fields), settings.stream_maxlen)

    return send
