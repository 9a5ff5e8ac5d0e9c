"""One error body for every 4xx of the API: {"error", "field", "reason"}, whatever raised it.

The routers use `ApiRoute`, so the format holds even when they are mounted in an app that registers no
exception handlers of its own (the lead's `create_app` only calls `include_router`).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import Response


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
