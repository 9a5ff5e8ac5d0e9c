"""Department data in, by pull, and the registry of every source (一网共享): the sources file, the connectors and
their worker, `record_delivery` (called by every ingest path) and the exchange monitor's reads."""

from __future__ import annotations

from services.sources.assembly import build_loop, declare_sources
from services.sources.monitor import (
    PANELS_OF_TARGET,
    LateSource,
    SourceStatus,
    daily_volume,
    late_sources,
    source_statuses,
)
from services.sources.registry import (
    Counted,
    Delivered,
    Freshness,
    SourceInfo,
    freshness,
    info_of,
    record_delivery,
    record_run,
    register_sources,
)
from services.sources.runner import RunResult, SourceRunner, Writer
from services.sources.spec import (
    FileSource,
    HttpSource,
    PullSpec,
    PushSource,
    SourcesFileError,
    SqlSource,
    load_sources,
)
from services.sources.worker import SourcesLoop

__all__ = ["Counted", "Delivered", "FileSource", "Freshness", "HttpSource", "LateSource", "PANELS_OF_TARGET", "PullSpec", "PushSource",
           "RunResult", "SourceInfo", "SourceRunner", "SourceStatus", "SourcesFileError", "SourcesLoop", "SqlSource",
           "Writer", "build_loop", "daily_volume", "declare_sources", "freshness", "info_of", "late_sources", "load_sources", "record_delivery",
           "record_run", "register_sources", "source_statuses"]
