"""POST / GET /api/v1/alerts: integrators push alerts onto the stream and read back what was persisted.

A POST only validates and XADDs (fast, no database write): the persist worker stores it, so the API and the
wall see one path for every alert whatever its source. Bad input is a 4xx naming the field, never a 5xx.
"""

import json
import logging
from datetime import UTC, datetime
from typing import Annotated, Literal

import redis
from fastapi import APIRouter, Depends, Query, Request
from pydantic import AfterValidator, BaseModel, BeforeValidator, Field
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from api.auth import Integrators, bearer_auth
from api.errors import ERROR_RESPONSES, ApiError, ApiRoute, ErrorBody
from services.alerts import (
    STATUSES,
    AlertValidationError,
    IngestError,
    StreamAlert,
    fiware_alert_schema,
    is_fiware_alert,
    latest,
    normalize_alert,
    parse_cap,
    parse_fiware,
    publish,
)
from services.config import Settings
from services.store import Alert, make_sessionmaker

log = logging.getLogger(__name__)

MAX_BODY = 1 << 20
JSON_TYPES = {"application/json", "application/ld+json"}
XML_TYPES = {"application/xml", "text/xml", "application/cap+xml"}

_REQUEST_BODY = {
    "requestBody": {
        "required": True,
        "description": "One alert: the stream fields, a FIWARE `Alert` entity, or a CAP 1.2 message (≤ 1 MiB).",
        "content": {
            "application/json": {
                "schema": {
                    "oneOf": [
                        StreamAlert.model_json_schema(),
                        fiware_alert_schema(),
                    ]
                }
            },
            "application/cap+xml": {"schema": {"type": "string", "description": "CAP 1.2 XML (OASIS XSD)"}},
            "application/xml": {"schema": {"type": "string", "description": "CAP 1.2 XML (OASIS XSD)"}},
        },
    }
}


def _iso_text(value: object) -> object:
    """Only ISO 8601 text: pydantic alone would also take `0.5` as seconds since 1970."""
    if not isinstance(value, str) or not value[:4].isdigit() or "-" not in value:
        raise ValueError("must be an ISO 8601 datetime with offset, e.g. 2026-11-23T08:00:00+08:00")
    return value


def _in_utc(value: datetime) -> datetime:
    """The instant in UTC; one that UTC cannot hold (9999-12-31T23:59:59-14:00) is refused here, not by SQL."""
    if value.tzinfo is None:
        raise ValueError("has no timezone: add an offset such as +08:00 or Z")
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("is outside the years 1–9999 once converted to UTC") from None


IsoInstant = Annotated[datetime, BeforeValidator(_iso_text), AfterValidator(_in_utc)]


class AlertAccepted(BaseModel):
    """The alert is on the stream; the persist worker stores it within moments."""

    stream_id: str = Field(description="the Redis stream id: the page's `data-alert-id`")
    id: str = Field(description="the alert's own id (dedup key)")


class AlertRecord(BaseModel):
    """An alert as persisted in the `alerts` table."""

    stream_id: str
    id: str
    source: str
    sent: datetime = Field(description="UTC")
    severity: str
    urgency: str
    certainty: str
    category: str
    event: str
    headline: str
    description: str | None
    area: str | None = Field(description="GeoJSON text")
    district: str | None
    lat: float | None
    lon: float | None
    msg_type: str
    references: str | None
    status: str
    owner: str | None
    event_id: int | None = Field(description="the linked event, if any")


class AlertList(BaseModel):
    count: int
    alerts: list[AlertRecord]


async def _read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise ApiError(413, "body too large", "body", f"{declared} bytes; the limit is {MAX_BODY} (1 MiB)")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise ApiError(413, "body too large", "body", f"more than {MAX_BODY} bytes; the limit is 1 MiB")
    return bytes(body)


def _json_fields(body: bytes) -> dict[str, str]:
    try:
        document = json.loads(body.decode("utf-8"))  # RFC 8259: JSON between systems is UTF-8
    except UnicodeDecodeError:
        raise ApiError(400, "malformed JSON", "body", "the body is not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise ApiError(
            400, "malformed JSON", "body", f"{exc.msg} (line {exc.lineno} column {exc.colno})"
        ) from None
    except RecursionError:
        raise ApiError(400, "malformed JSON", "body", "nested too deeply") from None
    if not isinstance(document, dict):
        raise ApiError(422, "invalid alert", "body", "must be a JSON object: stream fields or a FIWARE Alert")
    return parse_fiware(document) if is_fiware_alert(document) else normalize_alert(document)


def _fields(media_type: str, body: bytes) -> dict[str, str]:
    """Any accepted format → normalized stream fields, or an ApiError saying what is wrong."""
    try:
        if media_type in JSON_TYPES:
            return _json_fields(body)
        return parse_cap(body)
    except IngestError as exc:
        if exc.field == "xml":
            raise ApiError(400, "malformed XML", exc.field, exc.reason) from None
        if exc.field == "body":
            raise ApiError(413, "body too large", exc.field, exc.reason) from None
        raise ApiError(422, "invalid alert", exc.field, exc.reason) from None
    except AlertValidationError as exc:
        raise ApiError(422, "invalid alert", exc.field, exc.reason) from None


def _record(alert: Alert) -> AlertRecord:
    return AlertRecord(
        stream_id=alert.stream_id, id=alert.alert_id, source=alert.source, sent=alert.sent_at,
        severity=alert.severity, urgency=alert.urgency, certainty=alert.certainty, category=alert.category,
        event=alert.event, headline=alert.headline, description=alert.description, area=alert.area,
        district=alert.district, lat=alert.lat, lon=alert.lon, msg_type=alert.msg_type,
        references=alert.references, status=alert.status, owner=alert.owner, event_id=alert.event_id,
    )  # fmt: skip


def alerts_router(settings: Settings, engine: Engine, redis_client: redis.Redis) -> APIRouter:
    """The alerts API; mount with `app.include_router(alerts_router(...))`."""
    sessions = make_sessionmaker(engine)
    auth = bearer_auth(settings)
    integrators = Integrators(settings.api_tokens, settings.api_senders)
    router = APIRouter(prefix="/api/v1", tags=["alerts"], route_class=ApiRoute, dependencies=[Depends(auth)])

    @router.post(
        "/alerts",
        status_code=202,
        response_model=AlertAccepted,
        summary="Push one alert (JSON stream fields, FIWARE Alert, or CAP 1.2 XML)",
        description="Validates the alert and appends it to the alert stream; the persist worker stores it. "
        "Content types: application/json (stream fields, or a FIWARE Alert entity when `type` is `Alert`), "
        "application/cap+xml or application/xml (CAP 1.2, validated against the OASIS XSD). "
        "Unknown fields are refused with 422 naming the field. An alert belongs to its sender (`source`, the CAP "
        "sender): a token may send only as the senders it may speak for (ONESCREEN_API_SENDERS), and updates and "
        "cancels change only the same sender's alerts.",
        responses={
            **ERROR_RESPONSES,
            400: {"model": ErrorBody, "description": "the body is not well-formed JSON / XML"},
            413: {"model": ErrorBody, "description": "the body is over 1 MiB"},
            403: {"model": ErrorBody, "description": "the token may not send as this sender, or lacks the scope"},
            415: {"model": ErrorBody, "description": "unsupported content type"},
            503: {"model": ErrorBody, "description": "the alert stream is unreachable; retry"},
        },
        openapi_extra=_REQUEST_BODY,
    )
    async def post_alert(request: Request, integrator: Annotated[str, Depends(auth)]) -> AlertAccepted:
        media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type not in JSON_TYPES | XML_TYPES:
            accepted = ", ".join(sorted(JSON_TYPES | XML_TYPES))
            raise ApiError(
                415, "unsupported content type", "Content-Type", f"{media_type or 'none'}; use {accepted}"
            )
        body = await _read_body(request)
        fields = await run_in_threadpool(_fields, media_type, body)
        if not integrators.may_send_as(integrator, fields["source"]):
            raise ApiError(403, "forbidden", "source" if media_type in JSON_TYPES else "sender",
                           f"the token of {integrator!r} may not send as {fields['source']!r} "
                           "(ONESCREEN_API_SENDERS lists the senders each token may speak for)")
        try:
            stream_id = await run_in_threadpool(
                publish, redis_client, settings.alerts_stream, fields, settings.stream_maxlen
            )
        except redis.RedisError as exc:
            log.error("cannot publish alert %s: %s", fields["id"], exc)
            raise ApiError(
                503, "stream unavailable", None, "the alert stream cannot be reached; retry"
            ) from None
        return AlertAccepted(stream_id=stream_id, id=fields["id"])

    @router.get(
        "/alerts",
        response_model=AlertList,
        summary="List persisted alerts, newest first",
        description="Alerts as stored by the persist worker, filtered by status and by `sent` time.",
        responses=ERROR_RESPONSES,
    )
    def list_alerts(
        status: Annotated[Literal[STATUSES] | None, Query(description="only alerts in this status")] = None,  # type: ignore[valid-type]
        since: Annotated[
            IsoInstant | None, Query(description="only alerts sent at or after (ISO 8601 with offset)")
        ] = None,
        limit: Annotated[int, Query(ge=1, le=500, description="at most this many (≤ 500)")] = 100,
    ) -> AlertList:
        with sessions() as session:
            alerts = [_record(alert) for alert in latest(session, status=status, since=since, limit=limit)]
        return AlertList(count=len(alerts), alerts=alerts)

    return router
