"""An `http` source against a local threaded HTTP server: a run that fails halfway resumes from the last committed
cursor, nothing is duplicated, and two workers never run one source at once."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import func, select

from services.sources import HttpSource, SourceRunner
from services.sources.assembly import ingest_writers
from services.sources.connectors import HttpConnector
from services.store import DataSource, Event
from tests.services.sources.conftest import declare

PAGE = 2


@dataclass
class Department:
    """The department's service: events after `?since=<id>`, two a page; it can be made to fail or to stall."""

    rows: list[dict[str, object]]
    fail_after: int | None = None  # answer 500 to requests for rows after this id
    stall: threading.Event | None = None  # hold the first request until set
    asked: list[int] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)


def _event(n: int) -> dict[str, object]:
    return {"id": n, "case": f"H-{n}", "category": "environment", "title": f"噪声投诉 {n}",
            "reported_at": "2026-12-01T09:30:00+08:00", "lon": 118.0894, "lat": 24.4798}


@pytest.fixture
def department() -> Iterator[tuple[Department, str]]:
    state = Department([_event(n) for n in range(1, 6)])

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            since = int(parse_qs(urlparse(self.path).query).get("since", ["0"])[0])
            state.asked.append(since)
            state.arrived.set()
            if state.stall is not None:
                state.stall.wait(30)
            if state.fail_after is not None and since >= state.fail_after:
                self.send_response(500)
                self.end_headers()
                return
            body = json.dumps({"data": [row for row in state.rows if int(row["id"]) > since][:PAGE]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state, f"http://127.0.0.1:{server.server_port}/cases"
    server.shutdown()
    server.server_close()


def _spec(url: str) -> HttpSource:
    return HttpSource.model_validate({
        "id": "noise-hotline", "name_zh": "噪声投诉系统", "name_en": "Noise complaints", "department": "ecology",
        "kind": "http", "target": "events", "url": url, "items": "data", "cursor_param": "since", "cursor_field": "id",
        "cadence": "10m", "schedule": {"every": "1m"}, "mapping": {"external_id": "case"}})


def _events(rt) -> tuple[int, int]:
    with rt.sessions() as session:
        return (session.scalar(select(func.count()).select_from(Event)),
                session.scalar(select(func.count(func.distinct(Event.external_id)))))


def test_a_run_failing_halfway_resumes_from_the_last_committed_cursor(rt, runner, department):
    state, url = department
    spec = _spec(url)
    declare(rt, spec)
    state.fail_after = 2  # the first page is served, the second answers 500 (retried, then the run fails)
    with pytest.raises(Exception, match="500"):
        runner.run(spec, HttpConnector(spec, backoff_s=0.01))
    assert state.asked == [0, 2, 2, 2]
    assert _events(rt) == (2, 2)
    with rt.sessions() as session:
        source = session.get(DataSource, spec.id)
        assert source.cursor == "2" and "500" in (source.last_error or "")

    state.fail_after, state.asked = None, []
    result = runner.run(spec, HttpConnector(spec, backoff_s=0.01))
    assert state.asked == [2, 4, 5]  # from the kept cursor on, never from the start
    assert (result.accepted, result.updated) == (3, 0)
    assert _events(rt) == (5, 5)
    with rt.sessions() as session:
        assert session.get(DataSource, spec.id).last_error is None


def test_two_workers_never_run_one_source_at_once(rt, runner, department):
    state, url = department
    spec = _spec(url)
    declare(rt, spec)
    state.stall = threading.Event()
    first: list[object] = []
    worker = threading.Thread(target=lambda: first.append(runner.run(spec, HttpConnector(spec))))
    worker.start()
    assert state.arrived.wait(10), "the first worker never reached the department"
    other = SourceRunner(rt.sessions, rt.redis.__class__.from_url(rt.settings.redis_url, decode_responses=True),
                         ingest_writers(rt), prefix=rt.settings.stream_prefix)  # a second worker: own Redis client
    assert other.run(spec, HttpConnector(spec)).ran is False
    state.stall.set()
    worker.join(30)
    assert first and first[0].ran and first[0].accepted == 5
    again = other.run(spec, HttpConnector(spec))
    assert (again.ran, again.accepted, again.updated) == (True, 0, 0)
    assert _events(rt) == (5, 5)
