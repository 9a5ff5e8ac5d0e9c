"""What the three push APIs share: the body spooled to disk as it arrives (a million-row CSV never sits in memory),
the content type and size checks, the batch answer, and the OpenAPI request bodies with their examples."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Mapping
from typing import IO, Any

from fastapi import Request
from pydantic import BaseModel, Field
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.auth import Integrator
from api.errors import ApiError, ErrorBody
from services.ingest import BatchReport, TableError, media_type
from services.platform import Runtime
from services.sources import record_delivery

SPOOL_IN_MEMORY = 8 << 20  # a body above this goes to a temporary file while it is read
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# (session, the spooled body, its media type) -> what the batch did
Ingest = Callable[[Session, IO[bytes], str], BatchReport]


class RefusedRow(BaseModel):
    row: int = Field(description="the row, counted from 1; a CSV or XLSX header row is not counted")
    field: str = Field(description="the field at fault ('row' for a row that does not fit the header)")
    reason: str


class BatchAnswer(BaseModel):
    """Every row is either stored (accepted: new; updated: the same key sent again) or listed in `refused`."""

    accepted: int
    updated: int
    refused: list[RefusedRow]


def answer(report: BatchReport) -> BatchAnswer:
    return BatchAnswer.model_validate(report.as_dict())


def integrator(request: Request) -> Integrator | None:
    """The calling integrator as the security middleware identified it (None when mounted without it)."""
    found = getattr(request.state, "integrator", None)
    return found if isinstance(found, Integrator) else None


def checked_type(request: Request, accepted: Iterable[str]) -> str:
    kind = media_type(request.headers.get("content-type", ""))
    allowed = sorted(accepted)
    if kind not in allowed:
        raise ApiError(415, "unsupported content type", "Content-Type", f"{kind or 'none'}; use {', '.join(allowed)}")
    return kind


async def spooled_body(request: Request, limit: int) -> IO[bytes]:
    """The request body in a temporary file (in memory while small), or 413 naming the limit."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "body too large", "body", f"{declared} bytes; the limit is {limit} bytes "
                       "(ONESCREEN_INGEST_MAX_BYTES): split the batch")
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 (closed by the caller)
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            spool.close()
            raise ApiError(413, "body too large", "body", f"more than {limit} bytes; the limit is {limit} bytes "
                           "(ONESCREEN_INGEST_MAX_BYTES): split the batch")
        spool.write(chunk)
    spool.seek(0)
    return spool


async def receive_batch(request: Request, rt: Runtime, accepted: Iterable[str], ingest: Ingest, *, source: str,
                        target: str) -> BatchAnswer:
    """The whole of a push API's POST: check the type, spool the body, store it in one transaction, answer; the
    delivery is counted for `source` (the token's name) in the data-source registry."""
    kind = checked_type(request, accepted)
    body = await spooled_body(request, rt.settings.ingest_max_bytes)

    def store() -> BatchAnswer:
        with rt.sessions() as session:
            return answer(store_batch(session, body, lambda s, b: ingest(s, b, kind), source=source, target=target))

    return await run_in_threadpool(store)


def store_batch(session: Session, body: IO[bytes], ingest: Callable[[Session, IO[bytes]], BatchReport], *,
                source: str, target: str) -> BatchReport:
    """Run one batch in one transaction: committed whole, or (a body unreadable part-way) not at all; the delivery
    is counted for `source` in the data-source registry in the same transaction."""
    try:
        report = ingest(session, body)
        record_delivery(session, source, target, report)
        session.commit()
    except TableError as exc:
        session.rollback()
        raise ApiError(400, "unreadable body", exc.where, exc.reason) from None
    except SQLAlchemyError as exc:
        session.rollback()
        raise ApiError(409, "conflict", "body", f"the batch could not be stored ({type(exc).__name__}); nothing "
                       "was written: send it again") from None
    finally:
        body.close()
    return report


def example_place(rt: Runtime) -> tuple[str, float, float]:
    """A district adcode and a point (lon, lat) of the deployment's own city, for the OpenAPI examples: whoever
    reads the docs sees codes their city accepts, and the code names no city."""
    lat, lon = rt.city.center()
    return rt.city.adcodes[0], round(lon, 4), round(lat, 4)


def request_body(description: str, examples: Mapping[str, Any]) -> dict[str, Any]:
    """The OpenAPI requestBody of a push API: each accepted content type with its example."""
    return {"requestBody": {"required": True, "description": description, "content": {
        kind: {"schema": {"type": "string"} if isinstance(example, str) else {"type": "object"},
               "example": example} for kind, example in examples.items()}}}


BATCH_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "the body cannot be read (malformed JSON, bytes in no supported "
          "encoding): `field` names the line"},
    403: {"model": ErrorBody, "description": "the token lacks the scope"},
    409: {"model": ErrorBody, "description": "the batch collided with a concurrent write; nothing was stored"},
    413: {"model": ErrorBody, "description": "the body is over the limit (ONESCREEN_INGEST_MAX_BYTES)"},
    415: {"model": ErrorBody, "description": "unsupported content type"},
}
