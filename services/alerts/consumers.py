"""Which consumers of the persist group are alive, so a dead one's batch is claimed at once and its name leaves.

Each worker process is a consumer of its own name (host and pid), so every restart adds a name to the group. A
live worker refreshes a short-lived key on every loop; a consumer without one, idle for as long, is dead: the
survivors claim its pending entries without waiting the minute a hung (but living) consumer is given, and a dead
consumer with nothing pending is deleted from the group.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import redis

log = logging.getLogger(__name__)

ALIVE_SECONDS = 15.0


@dataclass(frozen=True)
class Consumer:
    name: str
    pending: int


class Liveness:
    """This consumer's heartbeat, and the verdict on the others of its group."""

    def __init__(self, client: redis.Redis, stream: str, group: str, consumer: str,
                 alive_s: float = ALIVE_SECONDS) -> None:
        self.client, self.stream, self.group, self.consumer = client, stream, group, consumer
        self.alive_ms = max(1, int(alive_s * 1000))

    def _key(self, consumer: str) -> str:
        return f"{self.stream}:{self.group}:alive:{consumer}"

    def beat(self) -> None:
        """Say this consumer is alive for the next `alive_s` seconds."""
        self.client.set(self._key(self.consumer), "1", px=self.alive_ms)

    def dead(self) -> list[Consumer]:
        """The group's other consumers whose heartbeat has lapsed and that have been idle at least as long."""
        others: list[dict[str, Any]] = [found for found in self.client.xinfo_consumers(self.stream, self.group)
                                        if str(found["name"]) != self.consumer]
        if not others:
            return []
        pipe = self.client.pipeline(transaction=False)
        for found in others:
            pipe.exists(self._key(str(found["name"])))
        beating = pipe.execute()
        return [Consumer(str(found["name"]), int(found["pending"])) for found, alive in zip(others, beating, strict=True)
                if not alive and int(found["idle"]) >= self.alive_ms]

    def forget(self, consumers: list[Consumer]) -> None:
        """Delete dead consumers that hold nothing: deleting one with pending entries would lose them."""
        for consumer in consumers:
            if consumer.pending == 0:
                self.client.xgroup_delconsumer(self.stream, self.group, consumer.name)
                log.info("removed the dead consumer %s from %s/%s", consumer.name, self.stream, self.group)
