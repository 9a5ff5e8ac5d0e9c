"""The whole app (create_app) behind FastAPI's TestClient, with the demo users, for the security tests."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import dash
import pytest
from fastapi.testclient import TestClient

from app import create_app
from services.access import Role
from services.auth import demo_password, ensure_demo_users
from services.config import Settings

WALL_TOKEN = "kiosk-token-for-tests"
API_TOKEN = "full-token"
READ_TOKEN = "read-only-token"
BASE = "http://testserver"
SAME_ORIGIN = {"Origin": BASE}


@pytest.fixture
def secure_app(tmp_path: Path, redis_url: str, redis_client) -> Iterator[dash.Dash]:  # type: ignore[no-untyped-def]
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'onescreen.db'}", redis_url=redis_url, simulate=False,
                        wall_token=WALL_TOKEN, secret_key="test-secret",
                        api_tokens=f"acme:{API_TOKEN},reader:{READ_TOKEN}:alerts.read", _env_file=None)  # fmt: skip
    app = create_app(settings)
    rt = app.server.state.runtime
    with rt.sessions() as session:
        ensure_demo_users(session, settings, rt.pack)
        session.commit()
    yield app
    rt.close()


@pytest.fixture
def client(secure_app: dash.Dash) -> Iterator[TestClient]:
    with TestClient(secure_app.server, base_url=BASE) as test_client:
        yield test_client


def csrf_of(client: TestClient) -> str:
    page = client.get("/login")
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text
    return found.group(1)


def sign_in(client: TestClient, role: str) -> TestClient:
    """Sign `client` in as the demo user named `role` (or, for "wall", as the kiosk device)."""
    client.cookies.clear()
    if role == Role.WALL:
        assert client.get(f"/wall?token={WALL_TOKEN}").status_code == 200
        return client
    settings = client.app.state.runtime.settings  # type: ignore[attr-defined]
    answer = client.post("/login", data={"csrf": csrf_of(client), "username": role,
                                         "password": demo_password(settings, role)}, follow_redirects=False)  # fmt: skip
    assert answer.status_code == 303, answer.text
    return client
