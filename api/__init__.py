"""The integrator API under /api/v1 (DESIGN.md "Ingest API (contract)"): routers that `create_app` mounts.

Public surface: `alerts_router(settings, engine, redis_client)`; the push APIs for department data
`events_router(runtime)`, `readings_router(runtime)`, `applications_router(runtime)`; Open311 GeoReport v2 for
citizen requests, `open311_router(runtime)` under /open311/v2; the hotline's call records, `hotline_router(runtime)`.
"""

from api.alerts import alerts_router
from api.applications import applications_router
from api.events import events_router
from api.hotline import hotline_router
from api.open311 import open311_router
from api.readings import readings_router

__all__ = ["alerts_router", "applications_router", "events_router", "hotline_router", "open311_router", "readings_router"]
