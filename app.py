"""OneScreen's entry point: `create_app(settings)` builds the app; `python app.py` runs the embedded demo.

Importing this module creates nothing; everything is built inside `create_app` and started in the server's lifespan.
"""

from __future__ import annotations

import contextlib
import inspect
import logging
import sys
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import dash
import uvicorn
from fastapi import FastAPI

from api import (
    alerts_router,
    applications_router,
    events_router,
    hotline_router,
    open311_router,
    readings_router,
)
from api.auth import Integrators
from api.errors import install_error_handlers
from api.gate import Gate
from api.ops import TimingMiddleware, ops_router
from api.ratelimit import Limiter
from api.security import SecurityMiddleware
from api.slowlog import SlowRequestLog
from dashboards._auth import callback_guard, guard_pages, install_websocket_guard
from dashboards._dispatch import serve_callbacks_in_threads
from dashboards._leader_briefing import period_pdf
from dashboards.login import forbidden_page, login_router
from services.auth import LocalPasswordProvider, ensure_admin, ensure_demo_users, wall_token
from services.config import Settings
from services.platform import (
    SHOWN_ON_PURPOSE,
    GcPauses,
    Runtime,
    StartupError,
    configure_logging,
    freeze_after_start,
    open_runtime,
    server_protocol,
)
from services.sources import declare_sources
from services.workers import background_loops, briefing_loop, install_catalogs, run_until_signalled

HERE = Path(__file__).resolve().parent
log = logging.getLogger("onescreen")


def _lifespan(rt: Runtime, pauses: GcPauses) -> Callable[[FastAPI], contextlib.AbstractAsyncContextManager[None]]:
    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        pauses.install()
        freeze_after_start()  # issue 17's tail: collections walk what requests make, not the whole app
        stop = threading.Event()
        loops = background_loops(rt, _briefing_pdf(rt)) if rt.settings.background else []
        threads = [threading.Thread(target=work, args=(stop,), name=getattr(work, "__qualname__", "worker"),
                                    daemon=True) for work in loops]
        for thread in threads:
            thread.start()
        try:
            yield
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=5)
            await rt.aclose()
            pauses.uninstall()

    return lifespan


def _briefing_pdf(rt: Runtime) -> Callable[..., bytes]:
    """The scheduled briefings' PDF, drawn by the pages' renderer (the domain draws nothing), in the city's name."""
    return period_pdf(lambda lang: rt.settings.city_name_zh if lang == "zh-CN" else rt.settings.city_name_en)


def _run_first_request_hooks(app: dash.Dash) -> None:
    """Run now what Dash runs on the first HTTP request: registering the callbacks (after a restart the page's
    websocket reconnects before any HTTP request arrives) and the pages router with its title callback (the page
    served by that first request would lack the title callback's script: one console error on every cold start).
    The router hook is a coroutine that never awaits, so it is stepped to its end here, inside or outside a loop."""
    for hook in app.backend._before_request_funcs:
        result = hook()
        if inspect.iscoroutine(result):
            try:
                result.send(None)
            except StopIteration:
                continue
            result.close()
            raise RuntimeError(f"{hook.__qualname__} awaits: it cannot run before the first request")


def create_app(settings: Settings, runtime: Runtime | None = None) -> dash.Dash:
    """Build the Dash app on FastAPI, its pages and its resources. Raises StartupError on bad configuration."""
    rt = runtime or open_runtime(settings)
    settings = rt.settings
    integrators = Integrators(settings.api_tokens)  # a malformed ONESCREEN_API_TOKENS stops start-up here
    with rt.sessions() as session:
        if ensure_admin(session, settings):
            log.info("created the first admin user 'admin' from ONESCREEN_ADMIN_PASSWORD")
        session.commit()
    declare_sources(rt)  # a bad sources file stops start-up here, one line per error
    gate = Gate(secret_key=settings.secret_key, wall_token=wall_token(settings), sessions=rt.sessions,
                provider=LocalPasswordProvider(), limiter=Limiter(rt.async_redis if settings.redis_url else None,
                                                                  settings.stream_prefix))
    pauses = GcPauses()
    server = FastAPI(title="OneScreen", version="0.1.0", lifespan=_lifespan(rt, pauses))
    server.state.runtime = rt
    server.state.gate = gate
    install_error_handlers(server)
    server.include_router(login_router(gate))
    server.include_router(alerts_router(rt.settings, rt.engine, rt.redis))
    for router in (events_router, readings_router, applications_router, hotline_router, open311_router):
        server.include_router(router(rt))
    server.include_router(ops_router(rt.engine, rt.redis, rt.metrics))
    app = dash.Dash(
        __name__,
        server=server,
        use_pages=True,
        pages_folder=str(HERE / "dashboards"),
        assets_folder=str(HERE / "assets"),
        assets_ignore=r"bootstrap\.min\.css|plotly-onescreen\.min\.js",
        external_stylesheets=["/assets/vendor/bootstrap.min.css"],
        websocket_callbacks=True,
        websocket_inactivity_timeout=0,
        suppress_callback_exceptions=True,
        update_title=None,
        title="一屏统览 OneScreen",
    )
    app.index_string = app.index_string.replace("<html>", f'<html lang="{settings.lang}">', 1)  # page_lang.js: ?lang=
    _run_first_request_hooks(app)
    serve_callbacks_in_threads(app)
    guard_pages()
    install_websocket_guard()
    server.state.callback_guard = callback_guard(app)
    server.add_middleware(TimingMiddleware, metrics=rt.metrics)
    server.add_middleware(SlowRequestLog, pauses=pauses)
    # Outermost: every HTTP request and websocket handshake is checked before Dash or a router sees it.
    server.add_middleware(SecurityMiddleware, gate=gate, integrators=integrators,
                          callback_guard=server.state.callback_guard, forbidden_page=forbidden_page,
                          ingest_limit=settings.ingest_max_bytes)
    return app


def _prepare_demo(rt: Runtime) -> None:
    """Install the catalogs and seed the demo city when the store is empty (the README's run command)."""
    from services.demo import seed_if_empty

    install_catalogs(rt)
    report = seed_if_empty(rt.engine, pack=rt.pack)
    if report is not None:
        log.info("seeded the demo city in %.1f s: %s", report.seconds, report.counts)
    with rt.sessions() as session:
        users = ensure_demo_users(session, rt.settings, rt.pack)
        session.commit()
    for username, role, password in users:
        log.info("demo user %-15s role %-8s password %s", username, role, password)


def production_server() -> FastAPI:
    """One uvicorn worker of the production server (`uvicorn --factory app:production_server --workers N`).

    The schema is migrated once beforehand (`python -m services.workers migrate`), so workers never race to do it.
    """
    settings = Settings()
    configure_logging(settings.log_format)
    return create_app(settings, open_runtime(settings, migrate_schema=False)).server


def main() -> None:
    try:
        settings = Settings()
        configure_logging(settings.log_format)
        rt = open_runtime(settings)
        if settings.simulate:
            _prepare_demo(rt)
        app = create_app(settings, rt)
    except StartupError as exc:
        sys.stderr.write(f"onescreen: {exc}\n")
        raise SystemExit(2) from None
    except ValueError as exc:  # pydantic's ValidationError: a setting with a wrong value
        sys.stderr.write(f"onescreen: bad configuration: {' '.join(str(exc).split())}\n")
        raise SystemExit(2) from None
    token = wall_token(settings)
    wall_link = f"http://{settings.host}:{settings.port}/wall" + (f"?token={token}" if token else "")
    log.info("OneScreen wall: %s  (sign in at http://%s:%d/login)", wall_link, settings.host, settings.port,
             extra=SHOWN_ON_PURPOSE)
    if not settings.simulate and settings.secret_key == Settings.model_fields["secret_key"].default:
        log.warning("ONESCREEN_SECRET_KEY is the development default: set a secret of your own")
    uvicorn.run(app.server, host=settings.host, port=settings.port, log_level="info", http=server_protocol(),
                timeout_keep_alive=5)  # a request head must arrive within 10 s (services/platform/serving.py)


def briefings_worker() -> None:
    """The scheduled briefings as a process of their own in production (`python app.py briefings`, beside
    `python -m services.workers …`): here rather than in services/workers.py because it needs the pages' PDF."""
    settings = Settings()
    configure_logging(settings.log_format)
    try:
        rt = open_runtime(settings, migrate_schema=False)
    except StartupError as exc:
        sys.stderr.write(f"onescreen: {exc}\n")
        raise SystemExit(2) from None
    try:
        run_until_signalled(briefing_loop(rt, _briefing_pdf(rt)))
    finally:
        rt.close()


if __name__ == "__main__":
    briefings_worker() if sys.argv[1:] == ["briefings"] else main()
