"""Signing in and out through the real app: CSRF-protected form, throttling, the audit trail, safe redirects,
and sessions that outlive the server process."""

from __future__ import annotations

import dash
import pytest
from fastapi.testclient import TestClient

from app import create_app
from services import audit
from services.access import Role
from services.auth import demo_password
from tests.api import security_client
from tests.api.security_client import BASE, SAME_ORIGIN, csrf_of, sign_in

client = security_client.client  # the shared fixture
secure_app = security_client.secure_app  # the shared fixture


def _password(client: TestClient, username: str) -> str:
    return demo_password(client.app.state.runtime.settings, username)  # type: ignore[attr-defined]


def _post_login(client: TestClient, username: str, password: str, **extra: str):  # type: ignore[no-untyped-def]
    form = {"csrf": csrf_of(client), "username": username, "password": password, **extra}
    return client.post("/login", data=form, follow_redirects=False)


def _audit(client: TestClient) -> list[tuple[str, str, str]]:
    with client.app.state.runtime.sessions() as session:  # type: ignore[attr-defined]
        return [(entry.actor, entry.action, entry.outcome) for entry in reversed(audit.recent(session))]


def test_the_login_page_is_chinese_first_and_carries_a_csrf_token(client: TestClient) -> None:
    page = client.get("/login?next=/events")
    assert page.status_code == 200 and 'lang="zh-CN"' in page.text
    assert "用户名" in page.text and "密码" in page.text
    assert 'name="next" value="/events"' in page.text
    assert "onescreen_csrf=" in page.headers["set-cookie"]
    assert "Username" in client.get("/login?lang=en").text


def test_a_login_without_the_csrf_token_of_this_browser_is_refused(client: TestClient) -> None:
    csrf_of(client)
    forged = client.post("/login", data={"csrf": "attacker-token", "username": "admin",
                                         "password": _password(client, "admin")}, follow_redirects=False)  # fmt: skip
    assert forged.status_code == 403 and "onescreen_session" not in forged.headers.get("set-cookie", "")


def test_sign_in_lands_on_next_and_sign_out_ends_the_session_both_audited(client: TestClient) -> None:
    answer = _post_login(client, "analyst", _password(client, "analyst"), next="/events?district=350203")
    assert (answer.status_code, answer.headers["location"]) == (303, "/events?district=350203")
    cookie = answer.headers["set-cookie"]
    assert "onescreen_session=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/_dash-layout").status_code == 200
    assert client.post("/logout", headers=SAME_ORIGIN, follow_redirects=False).status_code == 303
    assert client.get("/_dash-layout").status_code == 401
    assert _audit(client) == [("analyst", audit.LOGIN, "ok"), ("analyst", audit.LOGOUT, "ok")]


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "/wall"])
def test_next_never_leaves_the_site_nor_opens_a_page_the_role_may_not(client: TestClient, target: str) -> None:
    answer = _post_login(client, "analyst", _password(client, "analyst"), next=target)
    assert answer.headers["location"] == "/indicators"  # the analyst's home page


def test_a_wrong_password_is_refused_and_audited_and_the_user_is_throttled(client: TestClient) -> None:
    for _ in range(5):
        answer = _post_login(client, "operator", "guess")
        assert answer.status_code == 401 and "用户名或密码错误" in answer.text
    throttled = _post_login(client, "operator", _password(client, "operator"))  # even the right one must wait
    assert throttled.status_code == 429 and "稍后再试" in throttled.text
    assert _audit(client) == [("operator", audit.LOGIN_FAILED, "refused")] * 5 + [
        ("operator", audit.LOGIN_FAILED, "throttled")]
    assert _post_login(client, "leader", _password(client, "leader")).status_code == 303  # others are not locked


def test_guesses_from_one_address_do_not_lock_the_user_out_elsewhere(client: TestClient) -> None:
    for _ in range(6):
        assert _post_login(client, "operator", "guess").status_code in (401, 429)
    assert _post_login(client, "operator", _password(client, "operator")).status_code == 429  # the guesser waits
    client._transport.client = ("10.20.30.40", 50000)  # type: ignore[attr-defined]  # the console PC's address
    assert _post_login(client, "operator", _password(client, "operator")).status_code == 303


def test_sign_in_attempts_are_limited_per_address(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("api.gate.LOGIN_PER_ADDRESS", "3/minute")
    statuses = [_post_login(client, f"nobody-{n}", "x").status_code for n in range(4)]
    assert statuses == [401, 401, 401, 429]


def test_a_session_outlives_the_server(client: TestClient, secure_app: dash.Dash) -> None:
    sign_in(client, Role.LEADER)
    session_cookie = client.cookies.get("onescreen_session")
    rt = secure_app.server.state.runtime
    restarted = create_app(rt.settings)  # a new app on the same store: no memory of the old one
    with TestClient(restarted.server, base_url=BASE, cookies={"onescreen_session": session_cookie}) as again:
        assert again.get("/", follow_redirects=False).status_code == 200
        assert again.get("/_dash-layout").status_code == 200
    restarted.server.state.runtime.close()
