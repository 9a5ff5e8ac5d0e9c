"""uvicorn's HTTP protocols with a header-read deadline: a connection that has not sent a whole request head within
`HEADER_TIMEOUT_SECONDS` is closed.

uvicorn times out an idle keep-alive connection, but not one that opens and then sends its request line and headers
slowly (or never finishes them): 3 000 such half-open requests would each hold a connection for as long as the
client likes (slowloris). `python app.py` uses `server_protocol()`; the production command names the class with
`--http services.platform.serving:HttpToolsHeaderTimeout` (or `...:H11HeaderTimeout`). Behind a proxy that buffers
request heads (nginx does) the proxy's own `client_header_timeout` does the same job.
"""

from __future__ import annotations

import asyncio
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_TIMEOUT_SECONDS = 10.0


class _HeaderDeadline:
    """The deadline's bookkeeping, shared by both protocols (which own `loop` and `transport`)."""

    header_timeout = HEADER_TIMEOUT_SECONDS
    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport
    _deadline: asyncio.TimerHandle | None = None

    def _arm(self) -> None:
        if self._deadline is None:
            self._deadline = self.loop.call_later(self.header_timeout, self._expire)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expire(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.transport.close()


class H11HeaderTimeout(_HeaderDeadline, H11Protocol):
    """h11: waiting for a request head is h11's IDLE state for the client's side."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self._arm()
        else:
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


def _httptools_protocol() -> type[Any] | None:
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:  # httptools is optional (uvicorn[standard])
        return None

    class HttpToolsHeaderTimeout(_HeaderDeadline, HttpToolsProtocol):
        """httptools: a request head is whole at `on_headers_complete`; the next one is awaited once answered."""

        _awaiting_head = True

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def on_headers_complete(self) -> None:
            self._awaiting_head = False
            self._disarm()
            super().on_headers_complete()

        def on_response_complete(self) -> None:
            self._awaiting_head = True
            super().on_response_complete()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self._awaiting_head and not self.transport.is_closing():
                self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

    return HttpToolsHeaderTimeout


HttpToolsHeaderTimeout = _httptools_protocol()


def server_protocol() -> type[Any]:
    """The faster protocol uvicorn would pick (httptools when installed, else h11), with the header deadline."""
    return HttpToolsHeaderTimeout or H11HeaderTimeout
