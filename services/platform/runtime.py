"""The resources one running OneScreen holds (store, Redis, city), built and checked once at start-up.

`open_runtime` fails fast with `StartupError`, whose message says what is wrong and how to fix it (one line, or one
per problem of the city pack): an operator starting the wall at 3 a.m. needs that, not a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import redis
import redis.asyncio as aioredis
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from services.citypack import CityPack, PackError, load_pack
from services.config import Settings
from services.geo import City
from services.platform.announce import AnnouncingCache
from services.platform.logs import redact_secrets
from services.platform.metrics import Metrics
from services.platform.redis import make_async_redis, make_redis
from services.store import make_engine, make_sessionmaker, migrate
from services.store.cache import LocalQueryCache, QueryCache
from services.store.shared_cache import RedisQueryCache


class StartupError(RuntimeError):
    """Configuration that cannot work; the message is meant for the person starting the server."""


@dataclass
class Runtime:
    """Every resource of one process, each with one owner: built by `open_runtime`, closed by `close`/`aclose`.

    `sessions` carry `cache` to the services and invalidate it on commit; `memo` holds values derived once per
    runtime (the wall map's frame of the city), dropped with it."""

    settings: Settings
    pack: CityPack
    engine: Engine
    sessions: sessionmaker[Session]
    redis: redis.Redis
    async_redis: aioredis.Redis
    cache: QueryCache
    metrics: Metrics
    memo: dict[str, object] = field(default_factory=dict)

    @property
    def city(self) -> City:
        """The districts: the pack's, or `ONESCREEN_CITY`'s when that is set."""
        return self.pack.city

    def close(self) -> None:
        """Release the synchronous resources (a process without an event loop: workers, scripts)."""
        self.memo.clear()
        self.redis.close()
        self.engine.dispose()

    async def aclose(self) -> None:
        """Release everything, the async client too (the app's lifespan)."""
        await self.async_redis.aclose()
        self.close()


def query_cache(settings: Settings, client: redis.Redis) -> QueryCache:
    """The shared cache on the deployment's Redis (every process sees every invalidation), or an in-process one for
    the embedded single-process demo."""
    return RedisQueryCache.for_store(client, settings) if settings.redis_url else LocalQueryCache()


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is reported as given, minus nothing secret to hide
        return url


def open_runtime(settings: Settings, *, migrate_schema: bool = True) -> Runtime:
    """Load the city pack, reach the store and Redis, migrate the store; raise StartupError on the first failure
    (the pack's with every problem it has)."""
    try:
        pack = load_pack(settings.city_pack, districts=settings.city)
    except PackError as exc:
        check = f"python -m services.citypack check {settings.city_pack}"
        if len(exc.problems) == 1:
            raise StartupError(f"{exc.problems[0]} — fix the city pack ({check}) or set ONESCREEN_CITY_PACK") from None
        raise StartupError("\n".join([f"the city pack {exc.root} has {len(exc.problems)} problems ({check}):",
                                      *exc.problems])) from None
    try:
        engine = make_engine(settings.database_url, connect_args=_connect_args(settings.database_url))
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError, ValueError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise StartupError(
            f"cannot use the database {_redacted(settings.database_url)}: {reason} — check ONESCREEN_DATABASE_URL "
            "and that the server is running"
        ) from None
    client = make_redis(settings)
    try:
        client.ping()
    except (redis.RedisError, OSError) as exc:
        engine.dispose()
        raise StartupError(
            f"cannot reach Redis at {redact_secrets(settings.redis_url or '')}: {redact_secrets(str(exc))} — check "
            "ONESCREEN_REDIS_URL, or unset it to use "
            "the embedded in-process Redis"
        ) from None
    if migrate_schema:  # after both checks, so a bad setting is reported before any migration output
        try:
            migrate(engine)
        except SQLAlchemyError as exc:
            raise StartupError(f"cannot migrate the database schema: {str(getattr(exc, 'orig', None) or exc).splitlines()[0]} — "
                               "check that the database user may create tables") from None
    cache = AnnouncingCache(query_cache(settings, client), client, settings.alerts_stream)
    return Runtime(settings, pack, engine, make_sessionmaker(engine, cache), client, make_async_redis(settings),
                   cache, Metrics(client, settings))


def _connect_args(url: str) -> dict[str, Any]:
    """A short connect timeout so a wrong host fails start-up in seconds, not minutes."""
    if url.startswith("postgresql"):
        return {"connect_timeout": 5}
    return {}
