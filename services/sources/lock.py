"""A lock per source across processes: a Redis key holding a random token, with a TTL so a crashed worker's lock
expires on its own. Renewal and release check the token inside WATCH/MULTI, so a worker whose lock expired and was
taken by another can never extend or delete the other's. Plain commands rather than redis-py's Lua-based `Lock`,
because the embedded demo Redis (fakeredis) has no Lua."""

from __future__ import annotations

import secrets

import redis


class SourceLock:
    def __init__(self, client: redis.Redis, key: str, ttl_s: int) -> None:
        self.client, self.key, self.ttl_ms = client, key, ttl_s * 1000
        self.token = secrets.token_hex(16)

    def acquire(self) -> bool:
        """True when this worker now holds the lock; False when another does."""
        return bool(self.client.set(self.key, self.token, nx=True, px=self.ttl_ms))

    def _if_held(self, action: str) -> bool:
        with self.client.pipeline() as pipe:
            try:
                pipe.watch(self.key)
                if pipe.get(self.key) != self.token:
                    pipe.unwatch()
                    return False
                pipe.multi()
                if action == "renew":
                    pipe.pexpire(self.key, self.ttl_ms)
                else:
                    pipe.delete(self.key)
                pipe.execute()
                return True
            except redis.WatchError:  # the key changed between the check and the write: no longer ours
                return False

    def renew(self) -> bool:
        """Give the lock its full TTL again; False when it was lost (expired, perhaps taken by another)."""
        return self._if_held("renew")

    def release(self) -> bool:
        return self._if_held("release")
