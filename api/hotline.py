"""The 12345 hotline's API: the telephone system's call records (`POST /api/v1/hotline/calls`, JSON, NDJSON, CSV
or XLSX) and the answer rate and pick-up time they give (`GET …/calls/figures`); work orders taken by the agents'
system (`POST /api/v1/hotline/orders`, a batch with a per-row report), read back (`GET …/orders/{id}`, the
reporter masked unless the token holds `pii.read`) and worked on by the departments' systems (`POST
…/orders/{id}/actions`: return, reply, progress); and a department's answer to a 督办 (`POST
/api/v1/supervisions/{id}/reply`).

A department's system acts for the department its source declares (sources.yaml `department`, the data-source
registry): it may return, answer and report progress only on its own dispatches and supervisions. A token whose
source declares no department acts city-wide, as an operator would.
"""

from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import AwareDatetime, BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.auth import bearer_auth
from api.batches import (
    BATCH_RESPONSES,
    XLSX,
    BatchAnswer,
    example_place,
    integrator,
    receive_batch,
    request_body,
)
from api.errors import ERROR_RESPONSES, ApiError, ApiRoute, ErrorBody
from services.access import Principal, Role, Scope
from services.hotline import (
    SERVICE_LEVEL_S,
    OrderRefused,
    active_dispatches,
    call_figures,
    ingest_calls,
    order_detail,
    progress_order,
    record_refused,
    reply_order,
    return_order,
    take_orders,
)
from services.ingest import TABLE_TYPES, parse_table
from services.platform import Runtime
from services.store import DataSource
from services.supervision import SupervisionRefused, reply_supervision

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


PII_SCOPE = "pii.read"
Id = Annotated[int, Path(ge=1, le=2**63 - 1, description="the id (a 64-bit positive integer)")]
# A refusal's field (`action` otherwise) and status (409 otherwise: not now), by its code.
REFUSED_FIELD = {"no_order": "order_id", "no_supervision": "supervision_id", "no_dispatch": "department",
                 "unknown_stage": "stage", "needs_reason": "text", "empty_reply": "text",
                 "no_active_dispatch": "department", "not_returnable": "department"}
REFUSED_STATUS = {"no_order": 404, "no_supervision": 404, "no_dispatch": 404, "needs_reason": 422,
                  "empty_reply": 422, "unknown_stage": 422}


class OrderAction(BaseModel):
    """What a department's system reports on an order."""

    action: Literal["return", "reply", "progress"] = Field(
        description="return (退单: give it back, `text` the reason), reply (回复: `text` the answer to the citizen), "
        "progress (`stage` accepted | arrived | finished)")
    department: str | None = Field(default=None, max_length=32, description="the department acting (a token bound "
                                   "to one acts for it; needed for return and progress otherwise)")
    text: str | None = Field(default=None, max_length=4000, description="the reason (return) or the reply")
    stage: str | None = Field(default=None, description="accepted | arrived | finished (progress)")
    at: AwareDatetime | None = Field(default=None, description="when it happened (default: now)")


class SupervisionReply(BaseModel):
    text: str = Field(min_length=1, max_length=4000, description="the department's answer to the instruction")


def hotline_router(rt: Runtime) -> APIRouter:
    """The hotline API and the supervisions' replies; mount with `app.include_router(hotline_router(runtime))`."""
    auth = bearer_auth(rt.settings)
    router = APIRouter(prefix="/api/v1", tags=["hotline"], route_class=ApiRoute, dependencies=[Depends(auth)])
    order_example = _order_example(rt)

    @router.post(
        "/hotline/orders", response_model=BatchAnswer, summary="Push work orders from the hotline agents' system",
        description="One row per order (受理): `external_id` (the agents' system's order number; sending it again "
        "updates it), `channel` (phone | web | app | mini_program | province), `urgency` (urgent | ordinary), "
        "`category` (catalog code), `subcategory`, `title`, `description`, `lon`/`lat` or `address` + `district`, "
        "`reporter_name`, `reporter_phone`, `reported_at` (with its offset). Each order is registered with its "
        "reply and close deadlines from the city's time limits, and flagged when it repeats a recent order of the "
        "same caller or place. Needs the scope `hotline.write`.",
        responses={**ERROR_RESPONSES, **BATCH_RESPONSES},
        openapi_extra=request_body("work orders", {"application/json": [order_example],
                                                   "application/x-ndjson": '{"external_id": "12345-1", ...}\n',
                                                   "text/csv": "(a header row, then one order a row)",
                                                   XLSX: "(an .xlsx export)"}),
    )
    async def post_orders(request: Request, who: Annotated[str, Depends(auth)]) -> BatchAnswer:
        return await receive_batch(request, rt, TABLE_TYPES, lambda session, body, kind: take_orders(
            session, parse_table(body, kind), source=who, city=rt.city, categories=rt.pack.catalogs.categories,
            limits=rt.pack.hotline_limits, secret_key=rt.settings.secret_key), source=who, target="work_orders")

    @router.get(
        "/hotline/orders/{order_id}", summary="Read back one work order",
        description="The order, its deadlines and SLA cards, dispatches (returned ones too), history, follow-up, "
        "repeat flag and supervisions. Reporter name and phone are masked unless the token holds `pii.read`. "
        "Needs the scope `hotline.read`.",
        responses={**ERROR_RESPONSES, 404: {"model": ErrorBody, "description": "no such order"}},
    )
    def get_order(order_id: Id, request: Request) -> dict[str, Any]:
        caller = integrator(request)
        reader = Principal(f"api:{caller.name if caller else 'api'}",
                           Role.OPERATOR if caller is None or caller.may(PII_SCOPE) else Role.LEADER)
        with rt.sessions() as session:
            try:
                return asdict(order_detail(session, order_id, principal=reader))
            except OrderRefused as refused:
                raise _refusal(refused) from None

    @router.post(
        "/hotline/orders/{order_id}/actions", summary="A department's system returns, answers or reports progress",
        description="Refused with 409 when the order's life does not allow it (`error` the reason's code), 404 for "
        "an order or dispatch outside the token's department. Needs the scope `hotline.write`.",
        responses={**ERROR_RESPONSES, 404: {"model": ErrorBody}, 409: {"model": ErrorBody}},
    )
    def post_action(order_id: Id, step: OrderAction, who: Annotated[str, Depends(auth)]) -> dict[str, Any]:
        with rt.sessions() as session:
            acting = _acting(session, who)
            department = step.department or next(iter(acting.scope.departments), None)
            if step.action in ("return", "progress") and department is None:
                raise ApiError(422, "invalid request", "department", f"{step.action} needs the department acting")
            if step.action == "progress" and step.stage is None:
                raise ApiError(422, "invalid request", "stage", "progress needs a stage: accepted, arrived, finished")

            try:
                _act(session, order_id, step, department or "", acting)
                session.commit()
            except OrderRefused as refused:  # nothing was written: the attempt is audited on its own
                session.rollback()
                record_refused(session, step.action, f"order:{order_id}", refused, principal=acting)
                session.commit()
                raise _refusal(refused) from None
            return asdict(order_detail(session, order_id, principal=Principal(acting.username, Role.LEADER,
                                                                                 acting.scope)))

    @router.post(
        "/supervisions/{supervision_id}/reply", summary="A department answers a 督办",
        description="The supervision becomes `replied`. 404 for a supervision of another department than the "
        "token's, 409 when it was already answered or cleared. Needs the scope `supervisions.write`.",
        responses={**ERROR_RESPONSES, 404: {"model": ErrorBody}, 409: {"model": ErrorBody}},
    )
    def post_supervision_reply(supervision_id: Id, reply: SupervisionReply,
                               who: Annotated[str, Depends(auth)]) -> dict[str, Any]:
        with rt.sessions() as session:
            acting = _acting(session, who)

            try:
                row = reply_supervision(session, supervision_id, reply.text, principal=acting)
            except SupervisionRefused as refused:
                raise _refusal(refused) from None
            session.commit()
            return {"id": row.id, "status": row.status, "replied_at": row.replied_at}

    @router.post(
        "/hotline/calls", response_model=BatchAnswer, summary="Push call records from the telephone system",
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
        "/hotline/calls/figures", response_model=CallFiguresAnswer, summary="Answer rate and pick-up time for a window",
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


def _act(session: Session, order_id: int, step: OrderAction, department: str, acting: Principal) -> None:
    """One reported step, as the order's commands take it; OrderRefused when they refuse."""
    if step.action == "return":
        part = next((part for part in active_dispatches(session, order_id) if part.department == department), None)
        if part is None:
            raise OrderRefused("no_dispatch", dispatch_id=f"{department} on order {order_id}")
        return_order(session, part.id, principal=acting, reason=step.text or "", now=step.at)
    elif step.action == "reply":
        reply_order(session, order_id, step.text or "", principal=acting, now=step.at)
    else:
        progress_order(session, order_id, department, step.stage or "", principal=acting, note=step.text,
                       now=step.at)


def _acting(session: Session, who: str) -> Principal:
    """A department's system acts as an operator bound to the department its source declares (none: city-wide)."""
    department = session.scalar(select(DataSource.department).where(DataSource.id == who))
    return Principal(f"api:{who}", Role.OPERATOR, Scope.of(departments=[department] if department else []))


def _refusal(refused: OrderRefused | SupervisionRefused) -> ApiError:
    """A refusal as the API answers it: 404 (not found, or not yours), 422 (a field to fix) or 409 (not now),
    with its code as the error and the field it is about."""
    return ApiError(REFUSED_STATUS.get(refused.code, 409), refused.code, REFUSED_FIELD.get(refused.code, "action"),
                    refused.reason)


def _order_example(rt: Runtime) -> dict[str, Any]:
    """An order in the deployment's own city, for the OpenAPI page."""
    district, lon, lat = example_place(rt)
    category = rt.pack.catalogs.categories[0]
    return {"external_id": "12345-20261201-0042", "channel": "phone", "urgency": "ordinary",
            "category": category.code, "subcategory": category.subcategories[0],
            "title": category.subcategories[0], "description": "市民来电反映，请尽快处理",
            "reported_at": "2026-12-01T09:30:00+08:00", "lon": lon, "lat": lat, "district": district,
            "reporter_name": "张三", "reporter_phone": "13812341234"}
