"""POST /api/v1/events (one event or a batch), the read-back by (source, external id), and the progress a
department's system reports: lifecycle moves and its dispatch's stages. Thin: parse, authorise, call
services.ingest, answer."""

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import AwareDatetime, BaseModel, Field
from sqlalchemy.orm import Session

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
from services.access import Principal, Role
from services.events import TransitionRefused
from services.ingest import (
    STAGES,
    TABLE_TYPES,
    event_record,
    find_event,
    ingest_events,
    move_event,
    parse_table,
    report_dispatch,
)
from services.platform import Runtime
from services.store import Event


def _examples(rt: Runtime) -> tuple[dict[str, Any], str]:
    """(a JSON event, a CSV body) in the deployment's city: its first category, a district and a point of it."""
    district, lon, lat = example_place(rt)
    category = rt.pack.catalogs.categories[0]
    event = {"external_id": "SW-20261201-0042", "source": "water-bureau", "category": category.code,
             "subcategory": category.subcategories[0], "title": f"{category.subcategories[0]}（示例）",
             "description": "现场核实中", "reported_at": "2026-12-01T09:30:00+08:00", "lon": lon, "lat": lat,
             "reporter_name": "张三", "reporter_phone": "13812341234", "priority": "high"}
    csv_body = ("external_id,source,category,title,reported_at,address,district,priority\n"
                f"SW-1,water-bureau,{category.code},{category.subcategories[0]},2026-12-01T09:30:00+08:00,"
                f"人民路100号,{district},high\n")
    return event, csv_body

PII_SCOPE = "pii.read"


class Move(BaseModel):
    to: str = Field(description="the lifecycle status to move to (registered, dispatched, in_progress, feedback, "
                    "checking, closed, rework, cancelled)", examples=["registered"])
    comment: str | None = Field(default=None, description="why (required for cancelled and rework)")
    departments: list[str] = Field(default_factory=list, description="department codes, when dispatching")
    at: AwareDatetime | None = Field(default=None, description="when it happened (default: now)")


class Stage(BaseModel):
    stage: str = Field(description="accepted | arrived | finished", examples=["arrived"])
    at: AwareDatetime | None = Field(default=None, description="when it happened (default: now)")
    note: str | None = Field(default=None, max_length=2000, description="the department's own words")


class EventRecord(BaseModel):
    """The stored event, its departments' dispatches and its lifecycle history."""

    model_config = {"extra": "allow"}
    source: str
    external_id: str | None
    status: str
    reported_at: datetime
    dispatches: list[dict[str, Any]]
    history: list[dict[str, Any]]


def _acting(name: str) -> Principal:
    """A department system moves events as an operator would, named in the history and the audit."""
    return Principal(username=f"api:{name}", role=Role.OPERATOR)


# The field a refusal is about, by the lifecycle's reason code (the move's target status otherwise).
REFUSED_FIELD = {"no_dispatch": "department", "unknown_stage": "stage", "stage_order": "stage",
                 "not_working": "stage", "needs_comment": "comment", "needs_department": "departments",
                 "unknown_departments": "departments", "departments_only_dispatching": "departments"}


def _progress(rt: Runtime, source: str, external_id: str, step: Callable[[Session, Event], object]
              ) -> dict[str, Any]:
    """Run one progress report on the event in its own transaction; a lifecycle refusal is 409 with its code."""
    with rt.sessions() as session:
        event = _event(session, source, external_id)
        try:
            step(session, event)
        except TransitionRefused as refused:
            raise ApiError(409, refused.code, REFUSED_FIELD.get(refused.code, "to"), refused.reason) from None
        session.commit()
        return event_record(session, event, may_see_pii=False)


def events_router(rt: Runtime) -> APIRouter:
    """The events API; mount with `app.include_router(events_router(runtime))`."""
    auth = bearer_auth(rt.settings)
    router = APIRouter(prefix="/api/v1", tags=["events"], route_class=ApiRoute, dependencies=[Depends(auth)])
    example, csv_example = _examples(rt)

    @router.post(
        "/events", response_model=BatchAnswer, summary="Push events: one object, a JSON array, NDJSON or CSV",
        description="Idempotent on (source, external_id): sending an event again updates it. `source` defaults to "
        "the token's name. Location: lon and lat (WGS84), or address with district (adcode); the district is "
        "derived from the point when absent and a point outside the city is kept and flagged. `reported_at` "
        "needs its UTC offset. `priority`: urgent | high | normal | low (or extreme | severe | moderate | minor). "
        "CSV in UTF-8, UTF-8 with BOM or GBK/GB18030 with a header row. Needs the scope `events.write`.",
        responses={**ERROR_RESPONSES, **BATCH_RESPONSES},
        openapi_extra=request_body("events", {"application/json": [example],
                                              "application/x-ndjson": '{"external_id": "SW-1", ...}\n',
                                              "text/csv": csv_example, XLSX: "(an .xlsx workbook)"}),
    )
    async def post_events(request: Request, who: Annotated[str, Depends(auth)]) -> BatchAnswer:
        return await receive_batch(request, rt, TABLE_TYPES, lambda session, body, kind: ingest_events(
            session, parse_table(body, kind), source=who, city=rt.city,
            categories=rt.pack.catalogs.categories), source=who, target="events")

    @router.get(
        "/events/{source}/{external_id}", response_model=EventRecord,
        summary="Read back one event: status, dispatches, history",
        description="Reporter name and phone are masked unless the token holds the scope `pii.read`.",
        responses={**ERROR_RESPONSES, 404: {"model": ErrorBody, "description": "no such event"}},
    )
    def get_event(source: str, external_id: str, request: Request) -> dict[str, Any]:
        caller = integrator(request)
        with rt.sessions() as session:
            event = _event(session, source, external_id)
            return event_record(session, event, may_see_pii=caller is not None and caller.may(PII_SCOPE))

    @router.post(
        "/events/{source}/{external_id}/transitions", response_model=EventRecord,
        summary="Move an event through its lifecycle",
        description="Refused with 409 when the lifecycle does not allow the move: `error` is the lifecycle's "
        "reason code (not_allowed, needs_comment, unknown_departments, …), `reason` the sentence.",
        responses={**ERROR_RESPONSES, 404: {"model": ErrorBody}, 409: {"model": ErrorBody}},
    )
    def post_transition(source: str, external_id: str, move: Move,
                        who: Annotated[str, Depends(auth)]) -> dict[str, Any]:
        return _progress(rt, source, external_id, lambda session, event: move_event(
            session, event, move.to, principal=_acting(who), comment=move.comment, departments=move.departments,
            at=move.at))

    @router.post(
        "/events/{source}/{external_id}/dispatches/{department}", response_model=EventRecord,
        summary="Report a department's progress on its part of an event",
        description="Stages accepted, arrived, finished, with `at` and `note`. A stage that arrives out of order "
        "(arrived before accepted) is kept: its time is recorded and the dispatch never moves back.",
        responses={**ERROR_RESPONSES, 404: {"model": ErrorBody}, 409: {"model": ErrorBody}},
    )
    def post_dispatch(source: str, external_id: str, department: str, stage: Stage,
                      who: Annotated[str, Depends(auth)]) -> dict[str, Any]:
        if stage.stage not in STAGES:
            raise ApiError(422, "invalid request", "stage", f"{stage.stage!r}; use one of {', '.join(STAGES)}")
        return _progress(rt, source, external_id, lambda session, event: report_dispatch(
            session, event, department, stage.stage, principal=_acting(who), at=stage.at, note=stage.note))

    return router


def _event(session: Session, source: str, external_id: str) -> Event:
    event = find_event(session, source, external_id)
    if event is None:
        raise ApiError(404, "not found", "external_id", f"no event {external_id!r} from {source!r}")
    return event
