"""HTTP callbacks off the event loop: Dash 4.4.1's FastAPI backend runs every sync callback in place, on the loop.

Its `/_dash-update-component` handler is an `async def` that calls the callback directly (`ctx.run(partial_func)`),
so a 300 ms query blocks the whole worker for 300 ms: every other request, every websocket handshake and every
wall's alert push on it waits (issue 17's 10 M run: 13 ms callbacks at p95 2–15 s, walls timing out in the
handshake). Dash's websocket transport already hands sync callbacks to a thread pool; this gives HTTP callbacks
(browsers without SharedWorker, such as Chrome on Android, and every caller of the endpoint) the same: the route
is replaced by one that runs Dash's own steps in Starlette's thread pool and awaits only what is a coroutine.
"""

from __future__ import annotations

import inspect
from contextvars import copy_context
from typing import Any, cast

import dash
from dash.types import CallbackExecutionBody
from fastapi import FastAPI, Request, Response
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

PATH = "_dash-update-component"


def _call(app: dash.Dash, body: CallbackExecutionBody) -> tuple[Any, Any]:
    """Dash's dispatch steps (dash/backends/_fastapi.py `serve_callback`), in a worker thread: (context, result)."""
    # pylint: disable=protected-access
    cb_ctx = app._initialize_context(body)
    func = app._prepare_callback(cb_ctx, body)
    args = app._inputs_to_vals(cb_ctx.inputs_list + cb_ctx.states_list)
    partial = app._execute_callback(func, args, cb_ctx.outputs_list, cb_ctx)
    return cb_ctx, copy_context().run(partial)


def serve_callbacks_in_threads(app: dash.Dash) -> None:
    """Swap the app's `/_dash-update-component` route for one that runs sync callbacks in the thread pool."""
    server: FastAPI = app.server
    path = app.config.routes_pathname_prefix + PATH

    async def dispatch(request: Request) -> Response:
        body = cast(CallbackExecutionBody, request.state.json_body)  # read by Dash's middleware before the route runs
        cb_ctx, result = await run_in_threadpool(_call, app, body)
        if inspect.iscoroutine(result):  # an async callback: awaited on the loop, as Dash does
            result = await result
        return cast(Response, cb_ctx.dash_response.set_response(data=result))

    routes = server.router.routes
    index = next(i for i, route in enumerate(routes) if isinstance(route, APIRoute) and route.path == path)
    routes[index] = APIRoute(path, dispatch, methods=["POST"], name=PATH, include_in_schema=False)
