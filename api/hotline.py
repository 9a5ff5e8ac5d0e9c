"""POST /api/v1/hotline/calls: the telephone system's call records (JSON, NDJSON, CSV or XLSX), and
GET /api/v1/hotline/calls/figures: the answer rate and pick-up time they give, for any window."""

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import AwareDatetime, BaseModel
from starlette.concurrency import run_in_threadpool

from api.auth import bearer_auth
from api.batches import BATCH_RESPONSES, XLSX, BatchAnswer, receive_batch, request_body
from api.errors import ERROR_RESPONSES, ApiError, ApiRoute
from services.hotline import SERVICE_LEVEL_S, call_figures, ingest_calls
from services.ingest import TABLE_TYPES, parse_table
from services.platform import Runtime

EXAMPLE = [{"call_id": "12345-20261201-000731", "started_at": "2026-12-01T09:30:05+08:00", "wait_s": 12,
            "answered": True, "talk_s": 184, "agent": "A-017", "queue": "general", "caller": "13812341234"},
           {"call_id": "12345-20261201-000732", "started_at": "2026-12-01T09:30:41+08:00", "wait_s": 47,
            "answered": False}]
CSV_EXAMPLE = ("call_id,started_at,wait_s,answered,talk_s,agent\n"
               "12345-1,2026-12-01 09:30:05,12,是,184,A-017\n12345-2,2026-12-01 09:30:41,47,否,,\n")


class CallFiguresAnswer(BaseModel):
    start: datetime
    end: datetime
    calls: int
    answered: int
    answer_rate: float | None
    service_level: float | None
    service_level_seconds: int
    pickup_mean_s: float | None
    talk_mean_s: float | None


def hotline_router(rt: Runtime) -> APIRouter:
    """The hotline API; mount with `app.include_router(hotline_router(runtime))`."""
    auth = bearer_auth(rt.settings)
    router = APIRouter(prefix="/api/v1/hotline", tags=["hotline"], route_class=ApiRoute, dependencies=[Depends(auth)])

    @router.post(
        "/calls", response_model=BatchAnswer, summary="Push call records from the telephone system",
        description="One row per call: `call_id`, `started_at` (reached the queue; without an offset, the "
        "deployment's zone), `wait_s`, `answered` (true/false, 1/0, 是/否, answered/abandoned), `talk_s` (needed "
        "when answered), `agent`, `queue`, `caller` (hashed on arrival, never stored). Idempotent on `call_id` per "
        "sending system. Needs the scope `hotline.write`.",
        responses={**ERROR_RESPONSES, **BATCH_RESPONSES},
        openapi_extra=request_body("calls", {"application/json": EXAMPLE,
                                             "application/x-ndjson": '{"call_id": "12345-1", ...}\n',
                                             "text/csv": CSV_EXAMPLE, XLSX: "(a call-center .xlsx export)"}),
    )
    async def post_calls(request: Request, who: Annotated[str, Depends(auth)]) -> BatchAnswer:
        return await receive_batch(request, rt, TABLE_TYPES, lambda session, body, kind: ingest_calls(
            session, parse_table(body, kind), source=who, secret_key=rt.settings.secret_key, zone=rt.settings.zone),
            source=who, target="hotline_calls")

    @router.get(
        "/calls/figures", response_model=CallFiguresAnswer, summary="Answer rate and pick-up time for a window",
        description=f"Calls that reached the queue in [start, end) (default: the last 24 hours): the answer rate, "
        f"the service level (the share of all calls answered within {SERVICE_LEVEL_S} s), mean pick-up and talk "
        "time of the answered ones. Needs the scope `hotline.read`.",
        responses=ERROR_RESPONSES,
    )
    async def get_figures(start: Annotated[AwareDatetime | None, Query()] = None,
                          end: Annotated[AwareDatetime | None, Query()] = None) -> dict[str, Any]:
        until = end or datetime.now(UTC)
        since = start or until - timedelta(days=1)
        if since >= until:
            raise ApiError(422, "invalid request", "start", "must be before end")

        def figures() -> dict[str, Any]:
            with rt.sessions() as session:
                found = call_figures(session, since, until)
            return {"start": since, "end": until, "calls": found.calls, "answered": found.answered,
                    "answer_rate": found.answer_rate, "service_level": found.service_level,
                    "service_level_seconds": SERVICE_LEVEL_S, "pickup_mean_s": found.pickup_mean_s,
                    "talk_mean_s": found.talk_mean_s}

        return await run_in_threadpool(figures)

    return router
