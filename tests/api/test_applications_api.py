"""POST /api/v1/applications: JSON, CSV (GBK, a platform export's Chinese headings) and XLSX, through the whole
app on both backends; the applicant never stored, a second delivery updates."""

from __future__ import annotations

import io
import json

from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import select

from services.ingest import applicant_key
from services.store import Application, Matter
from tests.api.ingest_app import APPLICATIONS, ingest_client  # noqa: F401 (the `client` fixture)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADINGS = ["办件编号", "事项编码", "申请渠道", "申请人", "收件时间", "办理结果", "办结时间", "评价"]


def post(client: TestClient, body: bytes | str, content_type: str):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/applications", content=body,
                       headers={**APPLICATIONS, "Content-Type": content_type})


def matter(client: TestClient) -> str:
    with client.app.state.runtime.sessions() as session:  # type: ignore[attr-defined]
        return str(session.scalar(select(Matter.code).order_by(Matter.code)))


def test_json_then_a_gbk_export_with_the_result_updates_one_row(client: TestClient) -> None:
    code = matter(client)
    row = {"application_id": "YW-1", "matter": code, "channel": "online", "applicant": "350203199001011234",
           "received_at": "2026-12-01T09:00:00+08:00"}
    assert post(client, json.dumps([row]), "application/json").json() == {"accepted": 1, "updated": 0, "refused": []}
    csv = ",".join(HEADINGS) + f"\nYW-1,{code},网上办理,350203199001011234,2026-12-01 09:00:00,通过,2026-12-01 15:00:00," \
        f"非常满意\nYW-2,{code},传真,某某,2026-12-01 09:00:00,,,\n"
    answer = post(client, csv.encode("gbk"), "text/csv").json()
    assert (answer["accepted"], answer["updated"]) == (0, 1)
    assert [(r["row"], r["field"]) for r in answer["refused"]] == [(2, "channel")]
    with client.app.state.runtime.sessions() as session:  # type: ignore[attr-defined]
        stored = session.scalar(select(Application))
        assert (stored.status, stored.rating) == ("approved", 5)
        assert stored.applicant_id == applicant_key("350203199001011234", "test-secret")


def test_an_xlsx_export_with_a_title_row(client: TestClient) -> None:
    code = matter(client)
    book = Workbook()
    sheet = book.active
    sheet.append(["一网通办办件明细"])
    sheet.append(HEADINGS)
    sheet.append(["YW-9", code, "窗口", "企业A", "2026-12-01 10:00:00", "补正", None, None])
    sheet.append(["YW-10", code, "窗口", "企业B", "not a time", None, None, None])
    buffer = io.BytesIO()
    book.save(buffer)
    answer = post(client, buffer.getvalue(), XLSX).json()
    assert answer["accepted"] == 0 and [(r["row"], r["field"]) for r in answer["refused"]] == [
        (1, "return_reason"), (2, "received_at")]
