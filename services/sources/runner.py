"""One run of one pull source: fetch after the kept cursor, store through the ingest services, keep the cursor.

- **Cursor with the rows**: a batch's rows, its cursor (or file digest) and its delivery count are committed in
  one transaction, so a run that dies halfway resumes from the last batch stored, and a retry re-reads only what
  was not committed: nothing lost, nothing twice (the ingest services are idempotent besides).
- **One run at a time**: a Redis lock per source with a random token and a TTL (`lock.SourceLock`), renewed after
  each batch, so two workers never run one source at once and a crashed worker's lock expires on its own; a run
  that finds its lock lost stops before its next batch.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import redis
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from services.sources.connectors import Batch, Connector
from services.sources.lock import SourceLock
from services.sources.registry import Delivered, record_delivery, record_run
from services.sources.spec import PullSpec
from services.store import DataSource, SourceFile

log = logging.getLogger("onescreen.sources")

# target -> stores numbered contract rows in the caller's transaction (services.ingest) and reports the batch.
Writer = Callable[[Session, Iterable[tuple[int, dict[str, Any]]], str], Delivered]
LOCK_TTL_S = 300


class LockLost(RuntimeError):
    """This run's lock expired (a batch slower than the TTL): it stops so two workers never run at once."""


@dataclass
class RunResult:
    source: str
    ran: bool = True  # False: another worker holds the source's lock
    batches: int = 0
    accepted: int = 0
    updated: int = 0
    refused: int = 0
    error: str | None = None  # the last failed file's, when a file source went on past it


class SourceRunner:
    def __init__(self, sessions: sessionmaker[Session], redis_client: redis.Redis, writers: Mapping[str, Writer], *,
                 prefix: str = "onescreen", lock_ttl_s: int = LOCK_TTL_S) -> None:
        self.sessions, self.redis, self.writers = sessions, redis_client, writers
        self.prefix, self.lock_ttl_s = prefix, lock_ttl_s

    def run(self, spec: PullSpec, connector: Connector) -> RunResult:
        """Run `spec` once if no other worker is running it; an error is recorded on the source, then raised."""
        lock = SourceLock(self.redis, f"{self.prefix}:sources:lock:{spec.id}", self.lock_ttl_s)
        if not lock.acquire():
            return RunResult(spec.id, ran=False)
        try:
            result = self._run(spec, connector, lock.renew)
        except Exception as exc:
            self._finish(spec.id, f"{type(exc).__name__}: {exc}")
            raise
        finally:
            lock.release()
        self._finish(spec.id, result.error)
        return result

    def _run(self, spec: PullSpec, connector: Connector, renew: Callable[[], bool]) -> RunResult:
        result = RunResult(spec.id)
        with self.sessions() as session:
            cursor = session.scalar(select(DataSource.cursor).where(DataSource.id == spec.id))
        for batch in connector.batches(cursor):
            try:
                report = self._store(spec, batch)
            except Exception as exc:
                if not connector.settle(batch, None, exc):
                    raise
                log.warning("source %s: %s failed: %s", spec.id, batch.path, exc)
                result.error = f"{batch.path.name if batch.path else 'batch'}: {exc}"
                continue
            connector.settle(batch, report, None)
            result.batches += 1
            if report is not None:
                result.accepted += report.accepted
                result.updated += report.updated
                result.refused += len(report.refused)
            if not renew():  # the TTL ran out during a very slow batch: another worker may run the source now
                raise LockLost(f"source {spec.id}: its lock expired during the run; the next run goes on from the "
                               "kept cursor")
        return result

    def _store(self, spec: PullSpec, batch: Batch) -> Delivered | None:
        """The batch's rows, cursor, file digest and delivery in one transaction; None for a file already stored."""
        now = datetime.now(UTC)
        with self.sessions() as session:
            if batch.digest and session.get(SourceFile, (spec.id, batch.digest)) is not None:
                return None
            rows = ((number, spec.mapped(fields)) for number, fields in batch.rows)
            report = self.writers[spec.target](session, rows, spec.id)
            if batch.cursor is not None:
                session.execute(update(DataSource).where(DataSource.id == spec.id).values(cursor=batch.cursor))
            if batch.digest and batch.path is not None:
                session.add(SourceFile(source_id=spec.id, digest=batch.digest, name=batch.path.name[:255],
                                       stored_at=now))
            if report.accepted or report.updated or report.refused:
                record_delivery(session, spec.id, spec.target, report, at=now)
            session.commit()
        return report

    def _finish(self, source: str, error: str | None) -> None:
        with self.sessions() as session:
            record_run(session, source, at=datetime.now(UTC), error=error)
            session.commit()
