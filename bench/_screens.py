"""Many wall screens on one server without a browser each: Dash's websocket protocol spoken as the page speaks it.

Each screen renders /wall through the pages router (so its push starts from the ticker position the page holds),
opens `/_dash-ws-callback` with its own renderer id, starts the persistent alert push and notes when each alert's
stream id first arrives in a ticker update. The protocol pieces are bench/concurrency.py's.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import defaultdict
from typing import Any

import httpx2
import websockets
from concurrency import ROUTER, _components, _messages, push_request, ticker_arrivals


class Screens:
    """`count` websocket screens of /wall, run on a loop of their own in a thread: `start()`, then `stop()`."""

    def __init__(self, base: str, wall_path: str, count: int) -> None:
        self.base, self.wall_path, self.count = base, wall_path, count
        self.arrived: dict[int, dict[str, float]] = defaultdict(dict)  # screen -> stream id -> arrival (ms)
        self.duplicated = 0
        self.pushing = 0
        self.cookies: dict[str, str] = {}
        self.dependencies: list[dict[str, Any]] = []
        self.props: dict[str, dict[str, Any]] = {}
        self._closing = False
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), name="screens", daemon=True)

    def start(self, timeout: float = 120) -> None:
        """Open every screen and wait until each one's push has answered."""
        self._thread.start()
        deadline = time.monotonic() + timeout
        while self.pushing < self.count and time.monotonic() < deadline:
            time.sleep(0.2)
        if self.pushing < self.count:
            raise SystemExit(f"only {self.pushing} of {self.count} screens went live within {timeout:g} s")

    def stop(self) -> None:
        self._closing = True
        self._thread.join(timeout=30)

    def figure(self, sent: dict[str, float]) -> dict[str, Any]:
        """Latency XADD → websocket arrival over every screen and alert, with lost and duplicated."""
        spent = sorted(arrived[sid] - at for arrived in self.arrived.values() for sid, at in sent.items()
                       if sid in arrived)
        return {"spent": spent, "screens": len(self.arrived), "expected": len(sent) * self.count,
                "lost": len(sent) * self.count - len(spent), "duplicated": self.duplicated}

    async def _run(self) -> None:
        async with httpx2.AsyncClient(base_url=self.base, timeout=120) as client:
            (await client.get(self.wall_path, follow_redirects=True)).raise_for_status()
            cookies = dict(client.cookies)
            dependencies = (await client.get("/_dash-dependencies")).json()
            path, _, search = self.wall_path.partition("?")
            body = {**ROUTER, "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                                         {"id": "_pages_location", "property": "search", "value": "?" + search}]}
            answer = await client.post("/_dash-update-component", json=body)
            answer.raise_for_status()
        self.cookies, self.dependencies = cookies, dependencies
        self.props = _components(answer.json(), {})  # the page's components by id, as rendered
        request = push_request(dependencies, self.props)
        await asyncio.gather(*(self._screen(cookies, request, number) for number in range(self.count)))

    async def _screen(self, cookies: dict[str, str], request: dict[str, Any], number: int) -> None:
        url = self.base.replace("http://", "ws://") + "/_dash-ws-callback"
        headers = {"Origin": self.base, "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
        async with websockets.connect(url, additional_headers=headers, max_size=None, open_timeout=60) as ws:
            await ws.send(json.dumps({**request, "rendererId": f"bench-screen-{number}"}))
            await ws.recv()  # the push runs: its first heartbeat or rows
            self.pushing += 1
            while not self._closing:
                try:
                    message = await asyncio.wait_for(ws.recv(), timeout=0.5)
                except TimeoutError:
                    continue
                text = message if isinstance(message, str) else message.decode()
                now_ms = time.time() * 1000
                if "get_props_request" in text:
                    for request_message in _messages(text):
                        if request_message.get("type") == "get_props_request":
                            await ws.send(json.dumps({"type": "get_props_response",
                                                      "requestId": request_message["requestId"], "payload": None}))
                await self.heard(number, text, now_ms)

    async def heard(self, number: int, text: str, now_ms: float) -> None:
        """A message screen `number` received at `now_ms`: the alerts its ticker update carries (a bench that
        watches something else overrides this)."""
        self.duplicated += ticker_arrivals(text, self.arrived[number], now_ms)
