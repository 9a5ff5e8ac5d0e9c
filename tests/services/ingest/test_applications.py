"""ingest_applications on both backends: the applicant hashed, idempotent on the platform's id, the rollup moved."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from services.ingest import applicant_key, ingest_applications
from services.store import Application, ApprovalRollup

ZONE = ZoneInfo("Asia/Shanghai")
ROW = {"application_id": "YW-1", "matter": "M-GA-001", "channel": "window", "applicant": "350203199001011234",
       "applicant_kind": "citizen", "district": "350203", "received_at": "2026-12-01T09:00:00+08:00"}


def _matter(store) -> str:
    from services.store import Matter

    return store.scalar(select(Matter.code).order_by(Matter.code))


def test_an_application_and_its_completion_update_one_row_and_the_rollup(store):
    row = {**ROW, "matter": _matter(store)}
    first = ingest_applications(store, [row], source="ywtb", secret_key="k", zone=ZONE)
    store.commit()
    done = ingest_applications(store, [{**row, "result": "通过", "completed_at": "2026-12-01 15:00:00",
                                        "review": "非常满意"}], source="ywtb", secret_key="k", zone=ZONE)
    store.commit()
    assert (first.accepted, done.updated, done.refused) == (1, 1, [])
    app = store.scalar(select(Application))
    assert app.status == "approved" and app.rating == 5 and app.completed_at.hour == 7  # 15:00 Shanghai
    assert app.applicant_id == applicant_key("350203199001011234", "k") and "3502031990" not in app.applicant_id
    completed = store.scalar(select(func.sum(ApprovalRollup.completed)).where(ApprovalRollup.level == 0))
    assert completed == 1


def test_bad_rows_are_refused_by_field(store):
    matter = _matter(store)
    rows = [{**ROW, "matter": "nope"}, {**ROW, "matter": matter, "channel": "fax"},
            {**ROW, "matter": matter, "result": "returned"}, {**ROW, "matter": matter, "review": "7"},
            {**ROW, "matter": matter, "result": "approved"}]
    report = ingest_applications(store, rows, source="ywtb", secret_key="k", zone=ZONE)
    assert [(r.row, r.field) for r in report.refused] == [(1, "matter"), (2, "channel"), (3, "return_reason"),
                                                         (4, "review"), (5, "completed_at")]
    assert report.accepted == 0
