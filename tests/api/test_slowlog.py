"""A slow request is logged with the collector time inside it; a quick one is not logged."""

from __future__ import annotations

import asyncio
import gc
import logging

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from api.slowlog import SlowRequestLog
from services.platform import GcPauses


async def _slow(_request):
    gc.collect()
    await asyncio.sleep(0.05)
    return PlainTextResponse("slow")


async def _quick(_request):
    return PlainTextResponse("quick")


def test_slow_requests_are_logged_with_their_gc_time(caplog):
    pauses = GcPauses()
    pauses.install()
    app = Starlette(routes=[Route("/slow", _slow), Route("/quick", _quick)])
    app.add_middleware(SlowRequestLog, pauses=pauses, slow_ms=30)
    try:
        with caplog.at_level(logging.WARNING, logger="onescreen.slow"), TestClient(app) as client:
            assert client.get("/quick").status_code == 200
            assert client.get("/slow").status_code == 200
    finally:
        pauses.uninstall()
    lines = [record.getMessage() for record in caplog.records if record.name == "onescreen.slow"]
    assert len(lines) == 1 and lines[0].startswith("slow request GET /slow ")
    assert "in 1 collections" in lines[0] or "collections)" in lines[0]
