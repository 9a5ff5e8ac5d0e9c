"""The gate every request passes: who is asking, may they, and is the request sane — before any route runs.

One pure-ASGI middleware (outermost, so it sees HTTP and the websocket handshake before Dash does):

- `/api/v1/*`, `/open311/*`, `/metrics`: an integrator's bearer token with the scope the method needs
  (api/auth.py), writes rate-limited per integrator; refusals keep the API's JSON error shape (401 who are
  you, 403 not allowed). Open311 clients may send the token as the spec's `api_key` (in the query or a posted
  field) instead, and are refused in the spec's own error form (api/open311.py `refusal`).
- Dash's own routes (`/_dash-*`, `/_reload-hash`) and the websocket: a signed-in user or the wall device, else 401
  JSON (the websocket handshake is closed, 403); `/_dash-update-component` for a page the caller may not open: 403.
- Pages: a signed-in caller who may open the page (services/access.PAGES); anyone else is sent to
  `/login?next=...`, except on `/wall?token=<ONESCREEN_WALL_TOKEN>`, which admits the wall device and sets its
  long-lived cookie, so a kiosk is never shown a login page.
- Public: `/login`, `/logout`, static assets, the OpenAPI document and its viewers, `/healthz` `/livez` `/readyz`.

It binds the caller (services/access.bind_caller, and `scope["state"]["principal"]`) for the request or the life of
the websocket, adds security headers to every response, refuses bodies over the size limit (413), and refuses
cross-site state changes (an `Origin` or `Referer` from another host, 403). A path under `/api/` or
`/open311/` that no API route serves is a JSON 404 (never Dash's page), and a store that cannot be reached while
the caller is recognised is a 503 with `Retry-After` (api/errors.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, quote, urlsplit

from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auth import Integrators
from api.errors import STORE_DOWN, ApiError, error_response, store_unavailable
from api.gate import Gate, wall_cookie_header
from api.open311 import refusal as open311_refusal
from api.ratelimit import INGEST_PER_INTEGRATOR
from services.access import Principal, bind_caller, unbind_caller

PUBLIC_PATHS = frozenset({"/login", "/logout", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc",
                          "/_favicon.ico", "/favicon.ico", "/readyz", "/livez", "/healthz"})  # fmt: skip
PUBLIC_PREFIXES = ("/assets/", "/_dash-component-suites/")
API_PREFIXES = ("/api/v1/", "/open311/", "/metrics")  # bearer tokens, not browser sessions
OPEN311_PREFIX = "/open311/"
API_ONLY_PREFIXES = ("/api/v1/", OPEN311_PREFIX)  # never a page: unknown paths here are a JSON 404
DASH_CATCH_ALL = "{path:path}"  # Dash's route that answers every other GET with its page
DASH_UPDATE = "/_dash-update-component"
READY_PATH, METRICS_PATH = "/readyz", "/metrics"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ALL_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
MAX_BODY = {"api": 16 << 20, "dash": 4 << 20, "other": 64 << 10}  # bytes; routers keep their own tighter limits
# The push APIs for department data stream big batches to disk and enforce ONESCREEN_INGEST_MAX_BYTES themselves.
INGEST_PATHS = frozenset({"/api/v1/events", "/api/v1/readings", "/api/v1/applications"})
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
    # Everything is served locally (the wall runs on an intranet): no outside scripts, styles, fonts or tiles.
    (b"content-security-policy", b"default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
     b"style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; "
     b"connect-src 'self' ws: wss:; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; "
     b"form-action 'self'; frame-ancestors 'none'"),
]  # fmt: skip

# (principal, output id of a callback) -> why it is refused, or None. Given by the Dash side (dashboards/_auth.py).
CallbackGuard = Callable[[Principal, str], str | None]
# (principal, path, query string) -> an HTML page saying the page is not open to them (in the query's language).
ForbiddenPage = Callable[[Principal | None, str, str], str]


class _TooLarge(Exception):
    pass


def _kind(path: str) -> str:
    if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
        return "public"
    if path.startswith(API_PREFIXES):
        return "api"
    if path.startswith("/_"):
        return "dash"
    return "page"


def _routed(scope: Scope) -> bool:
    """Some route other than Dash's page catch-all serves this path (with this method or another one)."""
    router = getattr(scope.get("app"), "router", None)
    if router is None:
        return True
    return any(DASH_CATCH_ALL not in getattr(route, "path", "") and route.matches(scope)[0] is not Match.NONE
               for route in router.routes)  # fmt: skip


def _allowed_methods(scope: Scope) -> str:
    """Every method some API route serves on this path (Starlette's 405 names only the first route's)."""
    router = getattr(scope.get("app"), "router", None)
    routes = [route for route in getattr(router, "routes", []) if DASH_CATCH_ALL not in getattr(route, "path", "")]
    return ", ".join(method for method in ALL_METHODS
                     if any(route.matches({**scope, "method": method})[0] is Match.FULL for route in routes))  # fmt: skip


def _allow_all_methods(scope: Scope, send: Send) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start" and message["status"] == 405:
            headers = [(key, value) for key, value in message.get("headers", []) if key.lower() != b"allow"]
            message = {**message, "headers": [*headers, (b"allow", _allowed_methods(scope).encode("latin-1"))]}
        await send(message)

    return sending


def _headers(scope: Scope) -> dict[str, str]:
    return {key.decode("latin-1"): value.decode("latin-1") for key, value in scope["headers"]}


def _cookies(headers: dict[str, str]) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(headers.get("cookie", ""))
    except Exception:  # a malformed Cookie header is no credential at all
        return {}
    return {key: morsel.value for key, morsel in jar.items()}


def _refusal(status: int, error: str, field: str, reason: str) -> JSONResponse:
    return error_response(ApiError(status, error, field, reason))


def _same_origin(headers: dict[str, str]) -> bool:
    """A browser names the page that sent a state change; it must be ours. JSON without either header cannot
    come from another site's form (a cross-site JSON POST needs a CORS pre-flight we never grant)."""
    claimed = headers.get("origin") or headers.get("referer")
    if claimed:
        return urlsplit(claimed).netloc == headers.get("host", "")
    return headers.get("content-type", "").split(";")[0].strip() == "application/json"


class SecurityMiddleware:
    def __init__(
        self, app: ASGIApp, *, gate: Gate, integrators: Integrators, callback_guard: CallbackGuard,
        forbidden_page: ForbiddenPage, ingest_limit: int = 0,
    ) -> None:  # fmt: skip
        self.app, self.gate, self.integrators = app, gate, integrators
        self.callback_guard, self.forbidden_page = callback_guard, forbidden_page
        self.ingest_limit = ingest_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, _with_security_headers(scope, send))
        else:
            await self.app(scope, receive, send)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        principal = await self.gate.principal(_cookies(_headers(scope)))
        if principal is None:
            await receive()  # websocket.connect
            await send({"type": "websocket.close", "code": 1008, "reason": "sign in first"})
            return
        await self._as(principal, scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        path, method, headers = scope["path"], scope["method"], _headers(scope)
        kind = _kind(path)
        limit = MAX_BODY["api" if kind == "api" else "dash" if kind == "dash" else "other"]
        if path in INGEST_PATHS:
            limit = max(limit, self.ingest_limit)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await _refusal(413, "body too large", "body", f"{declared} bytes; the limit is {limit}")(scope, receive, send)
            return
        receive = _limited(receive, limit)
        if kind == "api":
            send = _allow_all_methods(scope, send)
        if path.startswith(OPEN311_PREFIX) and "authorization" not in headers:
            try:
                key, receive = await _open311_key(scope, receive, headers)
            except _TooLarge:
                await _refusal(413, "body too large", "body", f"more than {limit} bytes")(scope, receive, send)
                return
            if key:
                headers["authorization"] = f"Bearer {key}"
        try:
            try:
                response = await self._check(scope, kind, path, method, headers)
            except STORE_DOWN:
                response = store_unavailable()
            if isinstance(response, Response):
                await response(scope, receive, send)
            elif response is None:
                await self.app(scope, receive, send)
            elif path == DASH_UPDATE:
                await self._callback(response, scope, receive, send)
            else:
                await self._as(response, scope, receive, send, self._wall_cookie(scope, path, response))
        except _TooLarge:
            await _refusal(413, "body too large", "body", f"more than {limit} bytes")(scope, receive, send)

    async def _check(
        self, scope: Scope, kind: str, path: str, method: str, headers: dict[str, str]
    ) -> Response | Principal | None:
        """A refusal, the admitted caller, or None for a public path."""
        if kind == "public":
            if path == READY_PATH and "authorization" in headers:
                await self._integrator(scope, METRICS_PATH, method, headers)  # its details need metrics.read
            return None
        if kind == "api":
            return await self._integrator(scope, path, method, headers)
        if method not in SAFE_METHODS and not _same_origin(headers):
            return _refusal(403, "forbidden", "Origin", "a cross-site request may not change anything")
        principal = await self.gate.principal(_cookies(headers))
        if kind == "dash":
            if principal is None:
                return _refusal(401, "unauthorized", "session", "sign in at /login first")
            return principal
        query = scope.get("query_string", b"").decode("latin-1")
        token = parse_qs(query).get("token", [None])[0]
        if path == "/wall" and token is not None:
            principal = self.gate.wall_device(token)
            if principal is None:  # a kiosk with a wrong token is told so, never sent to a login page
                return Response(self.forbidden_page(None, path, query), 403, media_type="text/html; charset=utf-8")
        if principal is None:
            target = path + (f"?{query}" if query else "")
            return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
        if not principal.may_open(path):
            if path == "/":
                return RedirectResponse(self.gate.home(principal), status_code=303)
            return Response(self.forbidden_page(principal, path, query), 403, media_type="text/html; charset=utf-8")
        return principal

    async def _integrator(self, scope: Scope, path: str, method: str, headers: dict[str, str]) -> Response | None:
        try:
            integrator = self.integrators.identify(headers.get("authorization"), method, path)
            if method not in SAFE_METHODS and not await self.gate.limiter.hit(INGEST_PER_INTEGRATOR, integrator.name):
                raise ApiError(429, "too many requests", None,
                               f"over {INGEST_PER_INTEGRATOR} for {integrator.name!r}; retry shortly",
                               {"Retry-After": "60"})  # fmt: skip
            if path.startswith(API_ONLY_PREFIXES) and not _routed(scope):
                raise ApiError(404, "not found", "path", f"no API route {path}; see /openapi.json")
        except ApiError as exc:
            if path.startswith(OPEN311_PREFIX):
                status = 403 if exc.status == 401 else exc.status  # the spec: 403, api_key missing or invalid
                reason = (exc.body.reason or exc.body.error).replace("the header 'Authorization: Bearer <token>'",
                                                                     "api_key (or an Authorization: Bearer header)")
                return open311_refusal(path, status, reason, exc.headers)
            return error_response(exc)
        scope.setdefault("state", {})["integrator"] = integrator
        return None

    async def _callback(self, principal: Principal, scope: Scope, receive: Receive, send: Send) -> None:
        """Read the callback request, refuse one from a page the caller may not open, replay it to Dash."""
        body = await _body(receive)
        try:
            output = json.loads(body)["output"]
            denial = self.callback_guard(principal, str(output))
        except (ValueError, KeyError, TypeError, RecursionError):  # RecursionError: JSON nested too deep
            denial, output = None, None
        if output is None:
            await _refusal(400, "malformed callback request", "body", "JSON with an 'output' expected")(
                scope, receive, send)  # fmt: skip
            return
        if denial is not None:
            await _refusal(403, "forbidden", "output", denial)(scope, receive, send)
            return
        await self._as(principal, scope, _replaying(body, receive), send)

    def _wall_cookie(self, scope: Scope, path: str, principal: Principal) -> list[tuple[bytes, bytes]]:
        token = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token", [None])[0]
        if path != "/wall" or token is None:
            return []
        return [wall_cookie_header(self.gate.wall_cookie_value(), secure=scope.get("scheme") == "https")]

    async def _as(
        self, principal: Principal, scope: Scope, receive: Receive, send: Send,
        extra_headers: list[tuple[bytes, bytes]] | None = None,
    ) -> None:  # fmt: skip
        """Run the app as `principal`: on the scope's state (Starlette's request.state) and in the context."""
        scope.setdefault("state", {})["principal"] = principal
        if extra_headers:
            send = _with_headers(send, extra_headers)
        token = bind_caller(principal)
        try:
            await self.app(scope, receive, send)
        finally:
            unbind_caller(token)


async def _body(receive: Receive) -> bytes:
    body = bytearray()
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            return bytes(body)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """`receive` for the app after the middleware has read the body: the body once, then what follows."""
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if replayed:
            return await receive()
        replayed = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _open311_key(scope: Scope, receive: Receive, headers: dict[str, str]) -> tuple[str | None, Receive]:
    """Open311's `api_key`, from the query string or (for a POST) the form or JSON body, which is then replayed."""
    key = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("api_key", [None])[0]
    if key or scope["method"] != "POST":
        return key, receive
    body = await _body(receive)
    kind = headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        fields = json.loads(body) if kind == "application/json" else parse_qs(body.decode("utf-8"))
    except (ValueError, RecursionError):
        fields = {}
    found = fields.get("api_key") if isinstance(fields, dict) else None
    return (found[0] if isinstance(found, list) and found else found if isinstance(found, str) else None,
            _replaying(body, receive))


def _limited(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > limit:
            raise _TooLarge
        return message

    return counted


def _with_headers(send: Send, extra: list[tuple[bytes, bytes]]) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *extra]}
        await send(message)

    return sending


def _with_security_headers(scope: Scope, send: Send) -> Send:
    extra = list(SECURITY_HEADERS)
    if scope.get("scheme") == "https":
        extra.append((b"strict-transport-security", b"max-age=31536000"))
    return _with_headers(send, extra)
