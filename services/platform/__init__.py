"""What a running process stands on: the runtime, Redis clients, logs, metrics and health."""

from __future__ import annotations

from services.platform.gcwatch import GcPauses, freeze_after_start
from services.platform.health import readiness
from services.platform.logs import SHOWN_ON_PURPOSE, configure_logging, redact_secrets
from services.platform.metrics import Metrics
from services.platform.redis import make_async_redis
from services.platform.runtime import Runtime, StartupError, open_runtime
from services.platform.serving import server_protocol

__all__ = [
    "SHOWN_ON_PURPOSE",
    "GcPauses",
    "Metrics",
    "Runtime",
    "StartupError",
    "configure_logging",
    "freeze_after_start",
    "make_async_redis",
    "open_runtime",
    "readiness",
    "redact_secrets",
    "server_protocol",
]
