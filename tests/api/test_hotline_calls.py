"""The telephone system's call records through the whole app on both backends: a per-row report for bad rows,
updates by call id, the caller's number never stored, and figures equal to a pandas recomputation."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from services.store import HotlineCall
from tests.api.ingest_app import CALLS, EVENTS, ingest_client  # noqa: F401 (the `client` fixture)

START = datetime(2026, 12, 1, 0, tzinfo=UTC)


def _post(client: TestClient, body: str, kind: str = "application/json"):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/hotline/calls", content=body.encode(), headers={**CALLS, "Content-Type": kind})


def _calls(count: int, seed: int = 5) -> list[dict[str, object]]:
    rng = random.Random(seed)
    rows = []
    for n in range(count):
        answered = rng.random() < 0.9
        rows.append({"call_id": f"C-{n}", "started_at": (START + timedelta(minutes=7 * n)).isoformat(),
                     "wait_s": round(rng.expovariate(1 / 14), 1), "answered": answered,
                     "talk_s": round(rng.uniform(30, 400), 1) if answered else None,
                     "agent": f"A-{n % 5}", "caller": f"1380000{n % 40:04d}"})
    return rows


def test_bad_rows_are_reported_one_by_one_and_good_ones_kept(client: TestClient) -> None:
    rows = [_calls(1)[0], {"call_id": "X-1", "started_at": "2026-12-01T08:00:00+08:00", "wait_s": -3,
                           "answered": False},
            {"call_id": "X-2", "started_at": "2026-12-01T08:00:00+08:00", "wait_s": 3, "answered": "maybe"},
            {"call_id": "X-3", "started_at": "2026-12-01T08:00:00+08:00", "wait_s": 3, "answered": True},
            {"call_id": "X-4", "started_at": "2026-12-01T08:00:00+08:00", "wait_s": 3, "answered": False,
             "talk_s": 40}]
    answer = _post(client, json.dumps(rows)).json()
    assert answer["accepted"] == 1
    assert [(r["row"], r["field"]) for r in answer["refused"]] == [(2, "wait_s"), (3, "answered"), (4, "talk_s"),
                                                                  (5, "talk_s")]


def test_a_csv_export_with_chinese_values_and_local_times(client: TestClient) -> None:
    csv = "call_id,started_at,wait_s,answered,talk_s,agent\n12345-1,2026-12-01 09:30:05,12,是,184,A-017\n" \
          "12345-2,2026-12-01 09:30:41,47,否,,\n"
    assert _post(client, csv, "text/csv").json() == {"accepted": 2, "updated": 0, "refused": []}
    assert _post(client, csv, "text/csv").json() == {"accepted": 0, "updated": 2, "refused": []}
    rt = client.app.state.runtime  # type: ignore[attr-defined]
    with rt.sessions() as session:
        first = session.scalar(select(HotlineCall).where(HotlineCall.external_id == "12345-1"))
    assert first is not None and first.started_at == datetime(2026, 12, 1, 1, 30, 5, tzinfo=UTC)


def test_the_callers_number_is_kept_only_as_a_key(client: TestClient) -> None:
    _post(client, json.dumps(_calls(3)))
    rt = client.app.state.runtime  # type: ignore[attr-defined]
    with rt.sessions() as session:
        keys = session.scalars(select(HotlineCall.caller_key)).all()
    assert len(keys) == 3 and all(key and len(key) == 24 and not key.startswith("138") for key in keys)


@pytest.mark.parametrize("hours", [24, 6])
def test_figures_equal_a_pandas_recomputation(client: TestClient, hours: int) -> None:
    rows = _calls(300)
    assert _post(client, json.dumps(rows)).json()["refused"] == []
    end = START + timedelta(hours=hours)
    frame = pd.DataFrame(rows).assign(started_at=lambda f: pd.to_datetime(f["started_at"]))
    window = frame[(frame.started_at >= START) & (frame.started_at < end)]
    answered = window[window.answered]
    figures = client.get("/api/v1/hotline/calls/figures",
                         params={"start": START.isoformat(), "end": end.isoformat()}, headers=CALLS).json()
    assert figures["calls"] == len(window) and figures["answered"] == len(answered)
    assert figures["answer_rate"] == pytest.approx(len(answered) / len(window))
    assert figures["service_level"] == pytest.approx((answered.wait_s <= 15).sum() / len(window))
    assert figures["pickup_mean_s"] == pytest.approx(answered.wait_s.mean())
    assert figures["talk_mean_s"] == pytest.approx(answered.talk_s.mean())


def test_the_scope_is_hotline(client: TestClient) -> None:
    assert _post(client, "[]").status_code == 200
    refused = client.post("/api/v1/hotline/calls", content=b"[]",
                          headers={**EVENTS, "Content-Type": "application/json"})
    assert refused.status_code == 403 and "hotline.write" in refused.json()["reason"]
