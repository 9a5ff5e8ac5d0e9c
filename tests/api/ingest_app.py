"""The whole app (create_app, with its security middleware) on each backend with the catalogs installed, for
the push API tests: tokens for every scope combination they need."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app import create_app
from services.config import Settings
from services.store.catalog import install_catalog

FULL = {"Authorization": "Bearer full-token"}  # every scope, personal data included
EVENTS = {"Authorization": "Bearer events-token"}
READINGS = {"Authorization": "Bearer readings-token"}
APPLICATIONS = {"Authorization": "Bearer applications-token"}
CALLS = {"Authorization": "Bearer calls-token"}
TOKENS = ("water:full-token,hotline:events-token:events.write+events.read,ecology:readings-token:readings.write,"
          "ywtb:applications-token:applications.write,callcenter:calls-token:hotline.write+hotline.read")


@pytest.fixture(name="client")
def ingest_client(database_url: str, redis_url: str, redis_client) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    settings = Settings(database_url=database_url, redis_url=redis_url, simulate=False, background=False,
                        secret_key="test-secret", api_tokens=TOKENS, _env_file=None)
    app = create_app(settings)
    rt = app.server.state.runtime
    with rt.sessions() as session:
        install_catalog(session, districts=rt.city.rows())
    with TestClient(app.server, base_url="http://testserver") as test_client:
        yield test_client
    rt.close()
