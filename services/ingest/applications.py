"""Applications (办件) from the 一网通办 platform: validated row by row, the applicant hashed on arrival, upserted.

Idempotent on the platform's application id: a second delivery of the same id (its result arrived, its review
came in) updates the row, and the rollup triggers on `applications` move the approvals views in the same
transaction. The applicant's identity is never stored: only a keyed hash (HMAC-SHA256 with the deployment's
secret key), enough to tell that two applications came from one applicant, useless to anyone without the key.
Platform exports head their columns in Chinese and write times without an offset: both are understood (times in
the deployment's zone).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from datetime import tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.ingest.events import CHUNK
from services.ingest.report import (
    BatchReport,
    RowRefused,
    keyed_chunks,
    moment,
    number,
    one_of,
    text,
)
from services.ingest.tables import MALFORMED
from services.ingest.upsert import upsert
from services.store import Application, Department, District, Matter
from services.store.invalidation import note_written

# What an applications batch writes with SQL the session's hooks cannot see (the staging merge; the rollup follows
# by trigger): forgotten on commit.
WRITES = (Application.__tablename__,)

CHANNELS = {"网上": "online", "网上办理": "online", "在线": "online", "窗口": "window", "窗口办理": "window",
            "移动端": "mobile", "掌上办": "mobile", "自助终端": "kiosk", "自助机": "kiosk"}
KINDS = {"自然人": "citizen", "个人": "citizen", "法人": "enterprise", "企业": "enterprise"}
RESULTS = {"通过": "approved", "准予": "approved", "办结": "approved", "补正": "returned", "退回": "returned",
           "不予受理": "rejected", "不通过": "rejected", "不予许可": "rejected"}
REVIEWS = {"非常满意": "5", "满意": "4", "基本满意": "3", "不满意": "2", "非常不满意": "1"}
# A platform export's Chinese column headings -> the contract's field names.
HEADINGS = {"办件编号": "application_id", "申办流水号": "application_id", "事项编码": "matter",
            "实施部门": "department", "办理部门": "department", "申请渠道": "channel", "申请人类型": "applicant_kind",
            "申请人": "applicant", "申请人证件号码": "applicant", "所属区划": "district", "区划代码": "district",
            "收件时间": "received_at", "承诺办结时间": "promised_at", "法定办结时间": "statutory_at",
            "办结时间": "completed_at", "办理结果": "result", "补正原因": "return_reason", "退回原因": "return_reason",
            "评价": "review", "好差评": "review"}
UPDATED_ON_CONFLICT = ("matter_code", "applicant_kind", "applicant_id", "district", "channel", "submitted_at",
                       "accepted_at", "completed_at", "due_at", "statutory_due_at", "status", "return_reason",
                       "visits", "rating")


def applicant_key(applicant: str, secret_key: str) -> str:
    """The pseudonymous applicant key stored instead of the applicant (24 hex digits of a keyed hash)."""
    return hmac.new(secret_key.encode(), applicant.strip().encode(), hashlib.sha256).hexdigest()[:24]


def ingest_applications(session: Session, rows: Iterable[Any], *, source: str, secret_key: str,
                        zone: tzinfo) -> BatchReport:
    """Store the applications of `rows` ((row number, fields) pairs or bare mappings); times without an offset
    are read in `zone`. `source` is the delivering platform (for the registry). The caller commits."""
    known = _Known(set(session.scalars(select(Matter.code))), set(session.scalars(select(Department.code))), set(session.scalars(select(District.adcode))),
                   secret_key, zone)  # fmt: skip
    report = BatchReport()
    def check(fields: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        record = _record({HEADINGS.get(name, name): value for name, value in fields.items()}, known)
        return record["external_id"], record

    for valid in keyed_chunks(rows, check, report, CHUNK):
        report.add(_upsert(session, valid))
    note_written(session, *WRITES)
    return report


class _Known:
    """The catalogs a row is checked against, and how to read it."""

    def __init__(self, matters: set[str], departments: set[str], districts: set[str], secret_key: str,
                 zone: tzinfo) -> None:
        self.matters, self.departments, self.districts = matters, departments, districts
        self.secret_key, self.zone = secret_key, zone


def _record(fields: Mapping[str, Any], known: _Known) -> dict[str, Any]:
    if MALFORMED in fields:
        raise RowRefused("row", str(fields[MALFORMED]))
    external_id = text(fields, "application_id", max_length=64, required=True)
    matter = text(fields, "matter", max_length=32, required=True)
    if matter not in known.matters:
        raise RowRefused("matter", f"unknown matter code {matter!r}")
    department = text(fields, "department", max_length=32)
    if department is not None and department not in known.departments:
        raise RowRefused("department", f"unknown department code {department!r}")
    district = text(fields, "district", max_length=12)
    if district is not None and district not in known.districts:
        raise RowRefused("district", f"unknown district adcode {district!r}")
    channel = one_of(fields, "channel", set(CHANNELS.values()), required=True, aliases=CHANNELS)
    applicant = text(fields, "applicant", max_length=128)
    received = moment(fields, "received_at", zone=known.zone, required=True)
    completed = moment(fields, "completed_at", zone=known.zone)
    result = one_of(fields, "result", set(RESULTS.values()), aliases=RESULTS)
    return_reason = text(fields, "return_reason", max_length=64)
    if result == "returned" and return_reason is None:
        raise RowRefused("return_reason", "a returned application (补正) needs the reason")
    if result in ("approved", "rejected") and completed is None:
        raise RowRefused("completed_at", f"a {result} application needs its completion time")
    if completed is not None and received is not None and completed < received:
        raise RowRefused("completed_at", "is before received_at")
    review = number(fields, "review") if str(fields.get("review", "")).strip() not in REVIEWS else float(
        REVIEWS[str(fields["review"]).strip()])
    if review is not None and (review != int(review) or not 1 <= review <= 5):
        raise RowRefused("review", f"must be a whole number 1-5 (5 非常满意 … 1 非常不满意), got {fields['review']!r}")
    return {
        "external_id": external_id, "matter_code": matter, "district": district, "channel": channel,
        "applicant_kind": one_of(fields, "applicant_kind", {"citizen", "enterprise"}, aliases=KINDS) or "citizen",
        "applicant_id": None if applicant is None else applicant_key(applicant, known.secret_key),
        "submitted_at": received, "accepted_at": received, "completed_at": completed if result != "returned" else None,
        "due_at": moment(fields, "promised_at", zone=known.zone),
        "statutory_due_at": moment(fields, "statutory_at", zone=known.zone),
        "status": result or "in_review", "return_reason": return_reason if result == "returned" else None,
        "visits": 1 if channel in ("window", "kiosk") else 0, "rating": None if review is None else int(review),
    }  # fmt: skip


def _upsert(session: Session, records: Mapping[str, dict[str, Any]]) -> BatchReport:
    new = upsert(session, Application.__table__, list(records.values()), key=("external_id",),
                 updated=UPDATED_ON_CONFLICT)
    return BatchReport(accepted=new, updated=len(records) - new)
