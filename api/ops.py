"""Operations routes beside the app: /healthz (the process answers), /readyz (the store and Redis answer),
/metrics (Prometheus), and the middleware that times every request and Dash callback.

/healthz and /readyz say nothing about the city, so load balancers call them without credentials; what /readyz says
to the public is only up or down per check: why a check failed (which names the database host, port and name) is
shown only to a caller with a token that may read metrics (the security middleware recognises it). /metrics names
no personal data either, and is meant for the monitoring network (put it behind the proxy's allow-list).
"""

from __future__ import annotations

import json
import time

import redis
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.platform import Metrics, readiness

DASH_UPDATE = "/_dash-update-component"
OPS_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


def ops_router(engine: Engine, client: redis.Redis, metrics: Metrics) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="The process is up")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary="The store and Redis answer; 503 names what does not (why, with a token)")
    async def readyz(request: Request) -> JSONResponse:
        detailed = request.scope.get("state", {}).get("integrator") is not None
        answer = await run_in_threadpool(readiness, engine, client, detailed=detailed)
        return JSONResponse(answer, status_code=200 if answer["ready"] else 503)

    @router.get("/metrics", summary="Prometheus metrics", response_class=Response)
    async def metrics_endpoint() -> Response:
        body = await run_in_threadpool(metrics.exposition)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    return router


UNMATCHED = "unmatched"  # the label of every request no route served and every callback Dash did not run
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def _route_label(scope: Scope) -> str:
    """The matched route's template, else one fixed label: a label never comes from what the caller typed, so
    requests to made-up paths cannot grow /metrics."""
    route = scope.get("route")
    if route is not None and getattr(route, "path", None):
        return str(route.path)
    return UNMATCHED


def _callback_label(body: bytes, status: int) -> str:
    """The callback's outputs when Dash ran it (it runs only callbacks it registered), else one fixed label."""
    if status >= 400:
        return UNMATCHED
    try:
        output = json.loads(body or b"{}").get("output", "")
    except (ValueError, AttributeError, RecursionError):
        return UNMATCHED
    return str(output)[:200] or UNMATCHED


class TimingMiddleware:
    """Times each HTTP request (by route template) and each Dash callback over HTTP (by its outputs); labels come
    only from the app's own routes and callbacks (bounded cardinality)."""

    def __init__(self, app: ASGIApp, metrics: Metrics):
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in OPS_PATHS:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = {"code": 500}
        body: list[bytes] = []
        is_callback = scope["path"] == DASH_UPDATE

        async def receiving() -> Message:
            message = await receive()
            if is_callback and message["type"] == "http.request":
                body.append(message.get("body", b""))
            return message

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receiving, sending)
        finally:
            seconds = time.perf_counter() - started
            method = scope["method"] if scope["method"] in METHODS else "OTHER"
            self.metrics.requests.labels(_route_label(scope), method, str(status["code"])).observe(seconds)
            if is_callback:
                self.metrics.callbacks.labels(_callback_label(b"".join(body), status["code"])).observe(seconds)

