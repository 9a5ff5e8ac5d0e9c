"""POST /api/v1/applications: applications (办件) from the 一网通办 platform as JSON, NDJSON, CSV or XLSX."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from api.auth import bearer_auth
from api.batches import (
    BATCH_RESPONSES,
    XLSX,
    BatchAnswer,
    example_place,
    receive_batch,
    request_body,
)
from api.errors import ERROR_RESPONSES, ApiRoute
from services.ingest import TABLE_TYPES, ingest_applications, parse_table
from services.platform import Runtime


def _examples(rt: Runtime) -> tuple[list[dict[str, Any]], str]:
    """(JSON rows, a CSV export) for the deployment's city: one of its districts, an applicant registered there."""
    district = example_place(rt)[0]
    rows = [{"application_id": f"YW-{district}-20261201-000123", "matter": "M-GA-001", "department": "public_security",
             "channel": "online", "applicant_kind": "citizen", "applicant": f"{district}199001011234",
             "district": district, "received_at": "2026-12-01T09:00:00+08:00",
             "promised_at": "2026-12-06T18:00:00+08:00", "statutory_at": "2026-12-21T18:00:00+08:00",
             "completed_at": "2026-12-03T10:00:00+08:00", "result": "approved", "review": 5}]
    csv_body = ("办件编号,事项编码,申请渠道,申请人,收件时间,办理结果,办结时间,评价\n"
                f"YW-1,M-GA-001,窗口,{district}199001011234,2026-12-01 09:00:00,通过,2026-12-01 15:00:00,非常满意\n")
    return rows, csv_body



def applications_router(rt: Runtime) -> APIRouter:
    """The applications API; mount with `app.include_router(applications_router(runtime))`."""
    auth = bearer_auth(rt.settings)
    router = APIRouter(prefix="/api/v1", tags=["applications"], route_class=ApiRoute, dependencies=[Depends(auth)])
    example, csv_example = _examples(rt)

    @router.post(
        "/applications", response_model=BatchAnswer, summary="Push applications (办件): JSON, NDJSON, CSV, XLSX",
        description="Idempotent on `application_id`: a later delivery (the result, the review) updates the row "
        "and the approvals views. `applicant` is hashed on arrival with the deployment's secret key and never "
        "stored. A platform export's Chinese headings (办件编号, 事项编码, 收件时间, 办理结果, …) and values "
        "(窗口, 通过, 补正, 非常满意, …) are understood; times without an offset are in the deployment's zone. "
        "Needs the scope `applications.write`.",
        responses={**ERROR_RESPONSES, **BATCH_RESPONSES},
        openapi_extra=request_body("applications", {"application/json": example,
                                                    "application/x-ndjson": '{"application_id": "YW-1", ...}\n',
                                                    "text/csv": csv_example, XLSX: "(a 一网通办 .xlsx export)"}),
    )
    async def post_applications(request: Request, who: Annotated[str, Depends(auth)]) -> BatchAnswer:
        return await receive_batch(request, rt, TABLE_TYPES, lambda session, body, kind: ingest_applications(
            session, parse_table(body, kind), source=who, secret_key=rt.settings.secret_key, zone=rt.settings.zone),
            source=who, target="applications")

    return router
