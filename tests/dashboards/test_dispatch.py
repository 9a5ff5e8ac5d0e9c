"""An HTTP callback that takes its time holds up nothing else on its worker (issue 17: Dash's FastAPI backend ran
every sync callback on the event loop, so one slow query stalled every request, handshake and push beside it)."""

from __future__ import annotations

import asyncio
import threading

import dash
import httpx
from dash import Input, Output, html
from fastapi import FastAPI

from dashboards._dispatch import serve_callbacks_in_threads

WAIT_SECONDS = 10


def _app_with_a_blocking_callback() -> tuple[dash.Dash, threading.Event]:
    """An app whose one callback blocks its thread until another request, `/release`, has been served."""
    released = threading.Event()
    server = FastAPI()

    @server.get("/release")
    async def release() -> dict[str, bool]:
        released.set()
        return {"released": True}

    app = dash.Dash(__name__, server=server)
    app.layout = html.Div([html.Button(id="go"), html.Div(id="out")])

    @app.callback(Output("out", "children"), Input("go", "n_clicks"))
    def wait_for_release(_clicks: int | None) -> str:
        return "released" if released.wait(WAIT_SECONDS) else "blocked"

    app._setup_server()  # pylint: disable=protected-access
    serve_callbacks_in_threads(app)
    return app, released


async def _callback_beside_another_request(server: FastAPI) -> tuple[httpx.Response, httpx.Response]:
    body = {"output": "out.children", "outputs": {"id": "out", "property": "children"},
            "inputs": [{"id": "go", "property": "n_clicks", "value": 1}], "changedPropIds": ["go.n_clicks"]}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=server), base_url="http://test") as client:
        callback = asyncio.create_task(client.post("/_dash-update-component", json=body))
        await asyncio.sleep(0.2)  # the callback is in its wait before the other request is sent
        other = await client.get("/release")
        return await callback, other


def test_a_blocking_callback_leaves_the_loop_free_for_other_requests() -> None:
    app, released = _app_with_a_blocking_callback()
    answer, other = asyncio.run(_callback_beside_another_request(app.server))
    assert other.json() == {"released": True}
    assert answer.status_code == 200, answer.text
    assert answer.json()["response"]["out"]["children"] == "released"  # on the loop it waited out its 10 s
