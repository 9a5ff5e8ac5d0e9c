"""A small schemathesis run over the app's own /openapi.json, through the security middleware (the full ≥ 500
request run against a live server is in the security report): no request gets a 5xx, and an accepted alert is a
whole one on the stream."""

from __future__ import annotations

import dash
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from tests.api import security_client
from tests.api.security_client import API_TOKEN

secure_app = security_client.secure_app  # the shared fixture

REQUIRED = {"id", "source", "sent", "severity", "urgency", "certainty", "category", "event", "headline"}


def test_generated_requests_get_no_5xx_and_write_whole_records(secure_app: dash.Dash) -> None:
    rt = secure_app.server.state.runtime
    schema = schemathesis.openapi.from_asgi("/openapi.json", secure_app.server)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {(op.method.upper(), op.path) for op in operations} >= {("GET", "/api/v1/alerts"), ("POST", "/api/v1/alerts")}
    statuses: list[int] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=50, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck),
                  database=None)  # fmt: skip
        def request(case) -> None:  # type: ignore[no-untyped-def]
            response = case.call_and_validate(headers={"Authorization": f"Bearer {API_TOKEN}"},
                                              checks=[not_a_server_error])  # fmt: skip
            statuses.append(response.status_code)
            if response.status_code == 202:
                entries = rt.redis.xrange(rt.settings.alerts_stream, response.json()["stream_id"], "+", count=1)
                assert REQUIRED <= set(entries[0][1]), entries

        request()
    assert len(statuses) >= 50 and max(statuses) < 500
