"""A database outage (issue 17, point 6): on a real PostgreSQL that stops accepting connections, every request that
needs the store answers 503 with `Retry-After` — the API, sign-in, pages and callbacks — never a 500."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, make_url, text

from app import create_app
from services.access import Role
from services.auth import ensure_demo_users
from services.config import Settings
from tests.api.security_client import API_TOKEN, BASE, SAME_ORIGIN, sign_in


def _cut_off(database_url: str, *, allow: bool) -> None:
    """Refuse (or allow again) new connections to the database and end the open ones: the store is unreachable."""
    name = make_url(database_url).database
    admin = create_engine(os.environ["TEST_DATABASE_URL"], isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {str(allow).lower()}'))
        if not allow:
            connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                               {"name": name})  # fmt: skip
    admin.dispose()


@pytest.fixture
def outage(postgres_url: str, redis_url: str, redis_client) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    """A signed-in operator's client on an app whose PostgreSQL has just become unreachable."""
    settings = Settings(database_url=postgres_url, redis_url=redis_url, simulate=False, secret_key="test-secret",
                        api_tokens=f"acme:{API_TOKEN}", _env_file=None)  # fmt: skip
    app = create_app(settings)
    with app.server.state.runtime.sessions() as session:
        ensure_demo_users(session, settings, app.server.state.runtime.pack)
        session.commit()
    with TestClient(app.server, base_url=BASE) as client:
        sign_in(client, Role.OPERATOR)
        _cut_off(postgres_url, allow=False)
        try:
            yield client
        finally:
            _cut_off(postgres_url, allow=True)
            app.server.state.runtime.close()


def _unavailable(answer) -> None:  # type: ignore[no-untyped-def]
    assert answer.status_code == 503, answer.text
    assert int(answer.headers["Retry-After"]) > 0
    assert answer.json()["error"] == "database unavailable"


def test_the_api_answers_503_while_the_database_is_down(outage: TestClient) -> None:
    _unavailable(outage.get("/api/v1/alerts", headers={"Authorization": f"Bearer {API_TOKEN}"}))


def test_sign_in_answers_503_while_the_database_is_down(outage: TestClient) -> None:
    page = outage.get("/login")
    csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
    _unavailable(outage.post("/login", data={"csrf": csrf, "username": "leader", "password": "whatever"}))


def test_a_page_answers_503_when_the_session_cannot_be_checked(outage: TestClient) -> None:
    outage.cookies.set("onescreen_session", "a-session-this-worker-has-not-seen")
    _unavailable(outage.get("/alerts", follow_redirects=False))


def test_a_callback_answers_503_while_the_database_is_down(outage: TestClient) -> None:
    body = {"output": "..alert-detail.children...audit-trail.children..",
            "outputs": [{"id": "alert-detail", "property": "children"}, {"id": "audit-trail", "property": "children"}],
            "inputs": [{"id": "selected-alert", "property": "data", "value": "1-0"},
                       {"id": "action-done", "property": "data", "value": 0}],
            "state": [{"id": "console-lang", "property": "data", "value": "zh-CN"}],
            "changedPropIds": ["selected-alert.data"]}  # fmt: skip
    answer = outage.post("/_dash-update-component", json=body, headers=SAME_ORIGIN)
    _unavailable(answer)


def test_readyz_says_why_only_to_a_caller_with_a_token(outage: TestClient, postgres_url: str) -> None:
    public = outage.get("/readyz")
    assert public.status_code == 503
    assert {"name": "database", "ok": False} in public.json()["checks"]
    assert make_url(postgres_url).database not in public.text and "5432" not in public.text
    detailed = outage.get("/readyz", headers={"Authorization": f"Bearer {API_TOKEN}"})
    assert detailed.status_code == 503 and make_url(postgres_url).database in detailed.text
