"""The integrator API under /api/v1 (DESIGN.md "Ingest API (contract)"): routers that `create_app` mounts.

Public surface: `alerts_router(settings, engine, redis_client)`.
"""

from api.alerts import alerts_router

__all__ = ["alerts_router"]
