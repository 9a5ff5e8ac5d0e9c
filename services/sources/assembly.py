"""Sources wired to a running OneScreen: the declared sources registered, the ingest services as writers, the
connector worker built. Used by `create_app` (declare) and by `python -m services.workers sources` (the loop)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from services.platform.runtime import Runtime, StartupError
from services.sources.registry import info_of, register_sources
from services.sources.runner import SourceRunner, Writer
from services.sources.spec import (
    FileSource,
    HttpSource,
    PushSource,
    SourcesFileError,
    SqlSource,
    load_sources,
)
from services.sources.worker import SourcesLoop


def declare_sources(rt: Runtime) -> list[PushSource | SqlSource | HttpSource | FileSource]:
    """Read and check the sources file, and register what it declares; StartupError lists every mistake in it."""
    try:
        specs = load_sources(rt.settings.sources)
    except SourcesFileError as exc:
        raise StartupError(f"the sources file (ONESCREEN_SOURCES) has errors:\n{exc}") from None
    with rt.sessions() as session:
        register_sources(session, map(info_of, specs))
        session.commit()
    return specs


def ingest_writers(rt: Runtime) -> dict[str, Writer]:
    """Each target's ingest service, bound to this runtime: the only way connectors write rows."""
    from services.indicators.readings import load_rules
    from services.ingest import ReadingSink, ingest_applications, ingest_events, ingest_readings

    sink = ReadingSink(rt.engine, rt.redis, rt.settings, load_rules(rt.engine, rt.settings))

    def events(session: Session, rows: Iterable[Any], source: str) -> Any:
        return ingest_events(session, rows, source=source, city=rt.city,
                             categories=rt.pack.catalogs.categories)

    def readings(session: Session, rows: Iterable[Any], source: str) -> Any:
        return ingest_readings(session, rows, source=source, sink=sink)

    def applications(session: Session, rows: Iterable[Any], source: str) -> Any:
        return ingest_applications(session, rows, source=source, secret_key=rt.settings.secret_key,
                                   zone=rt.settings.zone)

    return {"events": events, "readings": readings, "applications": applications}


def build_loop(rt: Runtime) -> SourcesLoop:
    """The connector worker over the sources file's pull sources."""
    pulls = [spec for spec in declare_sources(rt) if not isinstance(spec, PushSource)]
    runner = SourceRunner(rt.sessions, rt.redis, ingest_writers(rt), prefix=rt.settings.stream_prefix)
    return SourcesLoop(pulls, runner)
