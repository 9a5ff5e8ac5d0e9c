"""Every route, page and callback of the real app checks who is asking (401 / redirect to /login) and whether
they may (403), per the one role table in services/access.py; plus headers, body limits and cross-site refusals."""

from __future__ import annotations

import dash
import pytest
from fastapi.testclient import TestClient
from starlette.routing import Route
from starlette.websockets import WebSocketDisconnect

from api.security import API_PREFIXES
from dashboards._auth import callback_module
from services.access import PAGES, PERMISSIONS, Action, Principal, Role, home_page
from tests.api import security_client
from tests.api.security_client import API_TOKEN, READ_TOKEN, SAME_ORIGIN, WALL_TOKEN, sign_in

client = security_client.client  # the shared fixture
secure_app = security_client.secure_app  # the shared fixture

PUBLIC = {"/login", "/logout", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc", "/_favicon.ico",
          "/favicon.ico", "/readyz", "/livez", "/healthz"}
PEOPLE = [Role.OPERATOR, Role.LEADER, Role.ANALYST, Role.ADMIN]


def _routes(app: dash.Dash) -> list[tuple[str, str]]:
    """(method, concrete path) of every HTTP route and every documented API operation, path parameters filled."""
    found = []
    for route in app.server.routes:
        if not isinstance(route, Route) or route.path.startswith("/assets"):
            continue
        path = route.path.replace("{package_name}", "dash").replace("{fingerprinted_path:path}", "dash.js")
        path = path.replace("{path:path}", "anything")
        found.extend((method, path) for method in sorted(route.methods or {"GET"}) if method != "HEAD")
    for path, operations in app.server.openapi()["paths"].items():  # routers included from api/
        found.extend((method.upper(), path.replace("{", "").replace("}", "")) for method in operations)
    return found


def _page_callbacks(app: dash.Dash) -> dict[str, str]:
    """{output id: page path} of every server callback of a page (declared in it, or by a helper for it)."""
    modules = {page["module"]: page["path"] for page in dash.page_registry.values()}
    owners = {output: callback_module(app, output) for output in app.callback_map}
    orphans = [output for output, module in owners.items() if module.startswith("dashboards.") and module not in modules]
    assert orphans == [], f"callbacks of no page, refused to everyone: {orphans}"
    return {output: modules[module] for output, module in owners.items() if module in modules}


def test_every_route_refuses_a_stranger(client: TestClient, secure_app: dash.Dash) -> None:
    routes = _routes(secure_app)
    assert {("POST", "/_dash-update-component"), ("GET", "/_dash-layout"), ("GET", "/api/v1/alerts")} <= set(routes)
    for method, path in routes:
        if path in PUBLIC or path.startswith("/_dash-component-suites"):
            continue
        answer = client.request(method, path, follow_redirects=False, headers=SAME_ORIGIN)
        if path.startswith("/open311/"):  # the spec's answer to a missing api_key, in its error form
            assert answer.status_code == 403 and answer.json()[0]["code"] == 403, (method, path, answer.text)
        elif path.startswith(("/_", *API_PREFIXES)):
            assert answer.status_code == 401, (method, path, answer.text)
            assert answer.json()["error"] == "unauthorized"
        else:
            assert answer.status_code == 303 and answer.headers["location"].startswith("/login?next="), (method, path)


def test_every_page_sends_a_stranger_to_login_with_the_way_back(client: TestClient) -> None:
    for path in [*PAGES, "/events/42?tab=map", "/unknown"]:
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/login?next=%2F"), path


def test_every_callback_refuses_a_stranger(client: TestClient, secure_app: dash.Dash) -> None:
    assert secure_app.callback_map
    for output in secure_app.callback_map:
        answer = client.post("/_dash-update-component", json={"output": output, "inputs": []})
        assert answer.status_code == 401, output


def test_the_websocket_refuses_a_stranger(client: TestClient) -> None:
    with pytest.raises(WebSocketDisconnect) as refused:
        with client.websocket_connect("/_dash-ws-callback", headers=SAME_ORIGIN):
            pass
    assert refused.value.code == 1008


@pytest.mark.parametrize("role", [*PEOPLE, Role.WALL])
def test_each_role_opens_exactly_its_pages(client: TestClient, role: Role) -> None:
    sign_in(client, role)
    for path, action in PAGES.items():
        answer = client.get(path, follow_redirects=False)
        if action in PERMISSIONS[role]:
            assert answer.status_code == 200, (role, path)
        elif path == "/":
            assert (answer.status_code, answer.headers["location"]) == (303, home_page(role)), role
        else:
            assert answer.status_code == 403, (role, path)
            assert "无权访问" in answer.text or role is Role.WALL
    assert client.get("/_dash-layout").status_code == 200
    assert client.get("/not-a-listed-page", follow_redirects=False).status_code == (200 if role is Role.ADMIN else 403)


@pytest.mark.parametrize("role", [*PEOPLE, Role.WALL])
def test_each_role_may_call_only_the_callbacks_of_its_pages(
    client: TestClient, secure_app: dash.Dash, role: Role
) -> None:
    sign_in(client, role)
    callbacks = _page_callbacks(secure_app)
    assert "/wall" in callbacks.values()
    principal = Principal("probe", role)
    for output, path in callbacks.items():
        answer = client.post("/_dash-update-component", json={"output": output, "inputs": []}, headers=SAME_ORIGIN)
        if principal.may_open(path):
            assert answer.status_code not in (401, 403), (role, output)
        else:
            assert answer.status_code == 403, (role, output)
            assert answer.json()["field"] == "output" and path in answer.json()["reason"]


def test_a_page_callback_over_the_websocket_is_refused_to_a_wrong_role(
    client: TestClient, secure_app: dash.Dash
) -> None:
    sign_in(client, Role.ANALYST)
    wall_output = next(output for output, path in _page_callbacks(secure_app).items() if path == "/wall")
    with client.websocket_connect("/_dash-ws-callback", headers=SAME_ORIGIN) as socket:
        socket.send_json({"type": "callback_request", "requestId": "1", "payload": {"output": wall_output}})
        with pytest.raises(WebSocketDisconnect) as refused:
            socket.receive_json()
    assert refused.value.code == 4403


def test_signing_out_closes_the_pages_websocket(client: TestClient) -> None:
    sign_in(client, Role.OPERATOR)
    with client.websocket_connect("/_dash-ws-callback", headers=SAME_ORIGIN) as socket:
        socket.send_json({"type": "heartbeat"})
        assert socket.receive_json() == {"type": "heartbeat_ack"}
        session = client.cookies.get("onescreen_session")
        assert client.post("/logout", headers=SAME_ORIGIN, follow_redirects=False).status_code == 303
        client.cookies.set("onescreen_session", session)  # the open socket still holds the old cookie
        socket.send_json({"type": "heartbeat"})
        with pytest.raises(WebSocketDisconnect) as closed:
            socket.receive_json()
    assert closed.value.code == 4401


def test_the_router_renders_a_closed_page_as_forbidden(client: TestClient) -> None:
    """Client-side navigation goes through Dash's page router callback, not a page GET."""
    sign_in(client, Role.ANALYST)
    answer = client.post("/_dash-update-component", headers=SAME_ORIGIN, json={
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/wall"},
                   {"id": "_pages_location", "property": "search", "value": ""}],
        "changedPropIds": ["_pages_location.pathname"], "state": []})  # fmt: skip
    assert answer.status_code == 200, answer.text
    assert '"forbidden"' in answer.text and "kpi-strip" not in answer.text


def test_the_wall_device_token_opens_only_the_wall_and_never_a_login_page(client: TestClient) -> None:
    answer = client.get(f"/wall?token={WALL_TOKEN}")
    assert answer.status_code == 200
    cookie = answer.headers["set-cookie"]
    assert "onescreen_wall=" in cookie and "HttpOnly" in cookie and "Max-Age=34560000" in cookie
    assert WALL_TOKEN not in cookie
    assert client.get("/wall").status_code == 200  # the cookie alone, e.g. after the browser reloads at night
    assert client.get("/events", follow_redirects=False).status_code == 403
    client.cookies.clear()
    wrong = client.get("/wall?token=guessed", follow_redirects=False)
    assert wrong.status_code == 403 and "令牌无效" in wrong.text


def test_integrator_tokens_are_scoped(client: TestClient) -> None:
    read = {"Authorization": f"Bearer {READ_TOKEN}"}
    assert client.get("/api/v1/alerts", headers=read).status_code == 200
    refused = client.post("/api/v1/alerts", headers=read, json={"id": "x"})
    assert refused.status_code == 403
    assert refused.json() == {"error": "forbidden", "field": "Authorization",
                              "reason": "the token of 'reader' lacks the scope 'alerts.write'"}  # fmt: skip
    assert client.get("/open311/v2/requests.json", headers=read).status_code == 403
    assert client.get("/api/v1/alerts", headers={"Authorization": f"Bearer {API_TOKEN}"}).status_code == 200
    signed_in = sign_in(client, Role.ADMIN)  # a browser session is not an API credential
    assert signed_in.get("/api/v1/alerts").status_code == 401


def test_ingest_is_rate_limited_per_integrator(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("api.security.INGEST_PER_INTEGRATOR", "3/minute")
    auth = {"Authorization": f"Bearer {API_TOKEN}"}
    statuses = [client.post("/api/v1/alerts", headers=auth, json={}).status_code for _ in range(4)]
    assert statuses == [422, 422, 422, 429]
    assert client.get("/api/v1/alerts", headers=auth).status_code == 200  # reads are not ingest


def test_cross_site_state_changes_are_refused(client: TestClient) -> None:
    sign_in(client, Role.ADMIN)
    answer = client.post("/_dash-update-component", json={"output": "x"}, headers={"Origin": "http://evil.example"})
    assert answer.status_code == 403 and answer.json()["field"] == "Origin"
    form = client.post("/_dash-update-component", content=b"output=x",
                       headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert form.status_code == 403
    assert client.post("/logout", headers={"Origin": "http://evil.example"}).status_code == 403


def test_bodies_over_the_limit_are_refused_before_anyone_reads_them(client: TestClient) -> None:
    sign_in(client, Role.ADMIN)
    big = b"x" * ((4 << 20) + 1)
    answer = client.post("/_dash-update-component", content=big, headers={**SAME_ORIGIN,
                                                                           "Content-Type": "application/json"})
    assert answer.status_code == 413 and answer.json()["error"] == "body too large"
    assert client.post("/login", content=b"a" * (65 << 10),
                       headers={"Content-Type": "application/x-www-form-urlencoded"}).status_code == 413

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(70):
            yield b"a" * 1024

    assert client.post("/login", content=chunks(),
                       headers={"Content-Type": "application/x-www-form-urlencoded"}).status_code == 413


@pytest.mark.parametrize("path", ["/login", "/wall", "/api/v1/alerts", "/_dash-layout"])
def test_every_answer_carries_the_security_headers(client: TestClient, path: str) -> None:
    sign_in(client, Role.OPERATOR)
    headers = client.get(path, headers={"Authorization": f"Bearer {API_TOKEN}"}).headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "default-src 'self'" in headers["content-security-policy"]


def test_require_checks_actions_and_roles() -> None:
    from dashboards._auth import Forbidden, NotSignedIn, as_principal, current_principal, require

    with pytest.raises(NotSignedIn):
        current_principal()
    with as_principal(Principal("wang", Role.OPERATOR)):
        assert require(Action.ALERT_ACKNOWLEDGE).username == "wang"
        assert require(Role.ADMIN, Action.EVENT_ACT).role is Role.OPERATOR
        with pytest.raises(Forbidden, match="export"):
            require(Action.EXPORT)
    with as_principal(Principal("li", Role.ANALYST)), pytest.raises(Forbidden):
        require(Action.SEE_PII, Role.OPERATOR)
