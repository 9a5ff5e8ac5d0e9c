"""One error body for every 4xx (and 503) of the app: {"error", "field", "reason"}, whatever raised it.

The routers use `ApiRoute`, so the format holds even when they are mounted in an app that registers no
exception handlers of its own. `install_error_handlers(server)` adds the app-wide mappings: a store that cannot be
reached is a 503 with `Retry-After` (never a 500) on every route, and in a Dash callback the domain's refusals
(`PermissionError` → 403) and validation errors (`ValueError`, `OverflowError`, and `LookupError` for a state
key or choice that does not exist → 400) are the caller's fault,
answered once here rather than in each callback.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from sqlalchemy import exc as sql_errors
from starlette.requests import Request
from starlette.responses import Response

DASH_UPDATE = "/_dash-update-component"
RETRY_AFTER_SECONDS = 5
# What SQLAlchemy raises when the store cannot be reached (refused, dropped, pool exhausted), not when a query is wrong.
STORE_DOWN: tuple[type[Exception], ...] = (
    sql_errors.OperationalError, sql_errors.InterfaceError, sql_errors.DisconnectionError, sql_errors.TimeoutError,
)


class ErrorBody(BaseModel):
    """What went wrong, in words an integrator can act on."""

    error: str = Field(description="the kind of problem, e.g. 'invalid alert'", examples=["invalid alert"])
    field: str | None = Field(default=None, description="the field, element, attribute or header at fault")
    reason: str | None = Field(default=None, description="why it was refused and how to fix it")


class ApiError(Exception):
    """Raise anywhere in a route (or its dependencies) to answer with `status` and an ErrorBody."""

    def __init__(
        self, status: int, error: str, field: str | None = None, reason: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:  # fmt: skip
        super().__init__(f"{status} {error}: {field}: {reason}")
        self.status, self.body, self.headers = (
            status,
            ErrorBody(error=error, field=field, reason=reason),
            headers,
        )


def error_response(exc: ApiError) -> JSONResponse:
    return JSONResponse(exc.body.model_dump(), status_code=exc.status, headers=exc.headers)


def _from_validation(exc: RequestValidationError) -> ApiError:
    first = exc.errors()[0] if exc.errors() else {}
    location = [str(part) for part in first.get("loc", ())]
    field = location[-1] if location else None
    return ApiError(422, "invalid request", field, str(first.get("msg", "invalid request")))


def store_unavailable() -> JSONResponse:
    """The answer while the database is down: the caller should retry shortly, the wall keeps its stale data."""
    return error_response(ApiError(503, "database unavailable", None, "the store cannot be reached; retry shortly",
                                   {"Retry-After": str(RETRY_AFTER_SECONDS)}))  # fmt: skip


async def _store_down(_request: Request, _exc: Exception) -> Response:
    return store_unavailable()


async def _refused_callback(request: Request, exc: Exception) -> Response:
    """A callback's domain refusal or validation error is a 4xx; elsewhere the error stays what it is (a 500)."""
    if request.url.path != DASH_UPDATE:
        raise exc
    if isinstance(exc, PermissionError):
        return error_response(ApiError(403, "forbidden", "callback", str(exc)))
    return error_response(ApiError(400, "invalid callback input", "callback", str(exc)[:300]))


def install_error_handlers(server: FastAPI) -> None:
    """Register the app-wide mappings (they run inside Dash's middleware, which would turn them into 500s)."""
    for store_error in STORE_DOWN:
        server.add_exception_handler(store_error, _store_down)
    for refusal in (PermissionError, ValueError, OverflowError, LookupError):
        server.add_exception_handler(refusal, _refused_callback)


class ApiRoute(APIRoute):
    """A route whose ApiError and parameter validation errors come back as ErrorBody JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except ApiError as exc:
                return error_response(exc)
            except RequestValidationError as exc:
                return error_response(_from_validation(exc))

        return guarded


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "missing or unknown bearer token"},
    422: {"model": ErrorBody, "description": "a parameter or field breaks the contract; `field` names it"},
}
