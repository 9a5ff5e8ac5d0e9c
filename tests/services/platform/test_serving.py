"""The header-read deadline (issue 17, point 9): half-open requests are closed by the server, whole ones answered,
on a real uvicorn server with each protocol."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from starlette.responses import PlainTextResponse

from services.platform.serving import H11HeaderTimeout, HttpToolsHeaderTimeout

PROTOCOLS = [H11HeaderTimeout, *([HttpToolsHeaderTimeout] if HttpToolsHeaderTimeout else [])]
HALF_OPEN = 200


@pytest.fixture(params=PROTOCOLS, ids=lambda protocol: protocol.__name__)
def server_port(request: pytest.FixtureRequest) -> Iterator[int]:
    protocol: Any = type("QuickDeadline", (request.param,), {"header_timeout": 0.5})
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = uvicorn.Server(uvicorn.Config(PlainTextResponse("ok"), host="127.0.0.1", port=port, http=protocol,
                                           log_level="warning", backlog=HALF_OPEN * 2))  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    yield port
    server.should_exit = True
    thread.join(timeout=10)


def _closed_by_server(connection: socket.socket) -> bool:
    try:
        return connection.recv(1024) == b""
    except (ConnectionResetError, TimeoutError):
        return False


def test_half_open_requests_are_closed_and_whole_ones_answered(server_port: int) -> None:
    half_open = []
    for _ in range(HALF_OPEN):
        connection = socket.create_connection(("127.0.0.1", server_port))
        connection.sendall(b"GET /wall HTTP/1.1\r\nHost: wall\r\nX-Slow: ")  # never finishes its head
        connection.settimeout(10)
        half_open.append(connection)
    slow_but_whole = socket.create_connection(("127.0.0.1", server_port))
    slow_but_whole.sendall(b"GET / HTTP/1.1\r\nHost: wall\r\n\r\n")
    slow_but_whole.settimeout(10)
    assert slow_but_whole.recv(1024).startswith(b"HTTP/1.1 200")
    try:
        assert all(_closed_by_server(connection) for connection in half_open)
    finally:
        for connection in [*half_open, slow_but_whole]:
            connection.close()
