"""POST /api/v1/readings: indicator readings as a JSON array, NDJSON or CSV, or a FIWARE NGSI v2 / NGSI-LD
subscription notification mapped to indicators by the mapping file (ONESCREEN_NGSI_MAPPING)."""

import json
import threading
from collections.abc import Iterator
from typing import IO, Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from api.auth import bearer_auth
from api.batches import (
    BATCH_RESPONSES,
    BatchAnswer,
    example_place,
    receive_batch,
    request_body,
)
from api.errors import ERROR_RESPONSES, ApiRoute
from services.ingest import (
    CSV_TYPES,
    JSON_TYPES,
    NDJSON_TYPES,
    NgsiMapping,
    ReadingSink,
    Row,
    TableError,
    ingest_readings,
    is_notification,
    json_records,
    load_mapping,
    notification_rows,
    open_sink,
    parse_table,
)
from services.platform import Runtime


def _examples(rt: Runtime) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """(JSON rows, an NGSI v2 notification) for the deployment's city: a district and a point of it."""
    district, lon, lat = example_place(rt)
    rows = [{"indicator": "aqi", "area": "city", "time": "2026-12-01T09:00:00+08:00", "value": 86},
            {"indicator": "pm25", "area": district, "time": "2026-12-01T09:00:00+08:00", "value": 41.5}]
    ngsi = {"subscriptionId": "57458eb60962ef754e7c0998", "data": [{
        "id": "AirQualityObserved:station-001", "type": "AirQualityObserved",
        "aqi": {"type": "Number", "value": 86, "metadata": {"TimeInstant": {"type": "DateTime",
                                                                            "value": "2026-12-01T01:00:00Z"}}},
        "location": {"type": "geo:json", "value": {"type": "Point", "coordinates": [lon, lat]}}}]}
    return rows, ngsi

CSV_EXAMPLE = "indicator,area,time,value\naqi,city,2026-12-01T09:00:00+08:00,86\n"


class _Sink:
    """The threshold rules are built on the first reading (they read the alerts table) and kept for the
    process, so one indicator and area has one open alert whatever the batch."""

    def __init__(self, rt: Runtime) -> None:
        self.rt, self.lock = rt, threading.Lock()
        self.sink: ReadingSink | None = None

    def get(self) -> ReadingSink:
        with self.lock:
            if self.sink is None:
                self.sink = open_sink(self.rt.engine, self.rt.redis, self.rt.settings)
            return self.sink


def _rows(body: IO[bytes], kind: str, mapping: NgsiMapping, rt: Runtime) -> Iterator[Row]:
    if kind not in JSON_TYPES:
        return parse_table(body, kind)
    try:
        document = json.load(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TableError(f"line {getattr(exc, 'lineno', 1)}", f"malformed JSON: {exc}") from None
    return notification_rows(document, mapping, rt.city) if is_notification(document) else json_records(document)


def readings_router(rt: Runtime) -> APIRouter:
    """The readings API; mount with `app.include_router(readings_router(runtime))`. The NGSI mapping file is
    read here, so a bad one stops start-up with its own message."""
    auth = bearer_auth(rt.settings)
    mapping = load_mapping(rt.settings.ngsi_mapping)
    sinks = _Sink(rt)
    router = APIRouter(prefix="/api/v1", tags=["readings"], route_class=ApiRoute, dependencies=[Depends(auth)])
    example, ngsi_example = _examples(rt)

    @router.post(
        "/readings", response_model=BatchAnswer, summary="Push indicator readings (or a FIWARE notification)",
        description="Rows of `indicator` (catalog code), `area` (`city` or a district adcode), `time` (ISO 8601 "
        "with offset) and `value`. Late and out-of-order readings are stored; the KPI cards and threshold rules "
        "judge the newest reading of each indicator and area. A reading sent again (same indicator, area and "
        "time) updates its value. A FIWARE NGSI v2 notification (`subscriptionId`, `data`) or NGSI-LD "
        "notification (application/ld+json) is mapped by the mapping file. Needs the scope `readings.write`.",
        responses={**ERROR_RESPONSES, **BATCH_RESPONSES},
        openapi_extra=request_body("readings", {"application/json": example, "application/ld+json": ngsi_example,
                                                "application/x-ndjson": '{"indicator": "aqi", ...}\n',
                                                "text/csv": CSV_EXAMPLE}),
    )
    async def post_readings(request: Request, who: Annotated[str, Depends(auth)]) -> BatchAnswer:
        sink = await run_in_threadpool(sinks.get)
        return await receive_batch(request, rt, JSON_TYPES | NDJSON_TYPES | CSV_TYPES, lambda session, body, kind:
                                   ingest_readings(session, _rows(body, kind, mapping, rt), source=who, sink=sink),
                                   source=who, target="readings")

    return router
