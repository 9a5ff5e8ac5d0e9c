"""Liveness and readiness: what a load balancer or an orchestrator asks before sending a screen to this worker.

Ready means this process can answer a page: the store answers a query and Redis answers a PING, each within a short
timeout, so a worker whose database went away is taken out of rotation instead of serving errors.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any

import redis
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    ms: float
    detail: str = ""


def _timed(name: str, probe: Any) -> Check:
    started = time.perf_counter()
    try:
        probe()
    except (SQLAlchemyError, redis.RedisError, OSError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        return Check(name, False, (time.perf_counter() - started) * 1000, reason[0] if reason else type(exc).__name__)
    return Check(name, True, (time.perf_counter() - started) * 1000)


def check_database(engine: Engine) -> Check:
    def probe() -> None:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    return _timed("database", probe)


def check_redis(client: redis.Redis) -> Check:
    return _timed("redis", client.ping)


def readiness(engine: Engine, client: redis.Redis, *, detailed: bool = True) -> dict[str, Any]:
    """{"ready": bool, "checks": [...]} — every check runs, so the answer names everything that is down. Without
    `detailed`, each check is only its name and whether it passed: the reason names hosts, ports and databases."""
    checks = [check_database(engine), check_redis(client)]
    shown = [asdict(check) if detailed else {"name": check.name, "ok": check.ok} for check in checks]
    return {"ready": all(check.ok for check in checks), "checks": shown}
