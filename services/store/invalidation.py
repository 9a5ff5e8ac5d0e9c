"""Invalidation on commit: the sessions of the runtime's sessionmaker note which tables they write, and once the
commit has landed their cache forgets every result computed from those tables.

No writer has to remember to invalidate: a page, the API, a worker or a domain command writing through the
runtime's sessions is covered. The tables come from the flushed objects (`after_flush`) and from ORM-enabled
`insert()`/`update()`/`delete()` statements run by the session (`do_orm_execute`). Writes the session cannot see
(raw SQL text in the session's transaction) name their tables with `note_written`, and are forgotten on the same
commit; bulk loads on a connection of their own call `QueryCache.invalidate` after their commit.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction, sessionmaker

from services.store.cache import SESSION_KEY, QueryCache

WRITTEN_KEY = "tables_written"


def _written(session: Session) -> set[str]:
    tables: set[str] = session.info.setdefault(WRITTEN_KEY, set())
    return tables


def note_written(session: Session, *tables: str) -> None:
    """Tables this session's transaction writes with SQL the hooks cannot see: forgotten on its commit too."""
    _written(session).update(tables)


def _flushed(session: Session, _flush: UOWTransaction) -> None:
    written = _written(session)
    for instance in (*session.new, *session.dirty, *session.deleted):
        written.update(table.name for table in inspect(instance).mapper.tables)


def _executed(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table: Any = getattr(state.statement, "table", None)
        if table is not None and getattr(table, "name", None):
            _written(state.session).add(table.name)


def _committed(session: Session) -> None:
    written = session.info.pop(WRITTEN_KEY, None)
    cache: QueryCache | None = session.info.get(SESSION_KEY)
    if written and cache is not None:
        cache.invalidate(written)


def _rolled_back(session: Session, *_: Any) -> None:
    session.info.pop(WRITTEN_KEY, None)


def invalidate_on_commit(sessions: sessionmaker[Session]) -> None:
    """Install the hooks on `sessions`, whose sessions carry their cache in `info` (`make_sessionmaker`)."""
    event.listen(sessions, "after_flush", _flushed)
    event.listen(sessions, "do_orm_execute", _executed)
    event.listen(sessions, "after_commit", _committed)
    event.listen(sessions, "after_rollback", _rolled_back)
