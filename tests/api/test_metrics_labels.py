"""Metrics labels come only from the app's own routes and callbacks (issue 17, point 8): made-up callback outputs,
paths and methods must not grow /metrics."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient

from services.access import Role
from tests.api import security_client
from tests.api.security_client import API_TOKEN, SAME_ORIGIN, sign_in

client = security_client.client  # the shared fixture
secure_app = security_client.secure_app  # the shared fixture
BEARER = {"Authorization": f"Bearer {API_TOKEN}"}


def _metrics_size(client: TestClient) -> int:
    answer = client.get("/metrics", headers=BEARER)
    assert answer.status_code == 200
    return len(answer.content)


def _made_up_requests(client: TestClient, callbacks: int, others: int) -> None:
    for _ in range(callbacks):
        answer = client.post("/_dash-update-component", headers=SAME_ORIGIN,
                             json={"output": f"{uuid.uuid4().hex}.children", "inputs": []})  # fmt: skip
        assert answer.status_code < 500, answer.text
    for _ in range(others):
        client.post(f"/{uuid.uuid4().hex}", headers=SAME_ORIGIN)
        client.request(uuid.uuid4().hex[:8].upper(), "/wall", headers=SAME_ORIGIN)


def test_two_thousand_callbacks_with_random_outputs_do_not_grow_metrics(client: TestClient) -> None:
    sign_in(client, Role.OPERATOR)
    _made_up_requests(client, 5, 5)  # every label these requests can earn now exists
    before = _metrics_size(client)
    _made_up_requests(client, 2000, 100)
    assert _metrics_size(client) <= before + 200  # only the counts' digits may grow
