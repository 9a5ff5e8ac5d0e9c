"""OneScreen's entry point: `create_app(settings)` builds the app; `python app.py` runs the embedded demo.

Importing this module creates nothing; everything is built inside `create_app` and started in the server's lifespan.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import dash
import uvicorn
from fastapi import FastAPI

from api import alerts_router
from services.config import Settings
from services.runtime import Runtime, StartupError, open_runtime

HERE = Path(__file__).resolve().parent
log = logging.getLogger("onescreen")


def _background_workers(rt: Runtime) -> list[Callable[[threading.Event], None]]:
    """The loops this process runs beside the web server: the persist worker, and the demo city when simulating."""
    from services.persist_worker import PersistWorker

    workers: list[Callable[[threading.Event], None]] = [PersistWorker(rt.settings, rt.engine, rt.redis).run_forever]
    if rt.settings.simulate:
        from services.simulator import Live

        live = Live(rt.settings, rt.engine, rt.redis, rate=rt.settings.simulate_rate)
        workers.append(live.run_forever)
    return workers


def _lifespan(rt: Runtime) -> Callable[[FastAPI], contextlib.AbstractAsyncContextManager[None]]:
    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        stop = threading.Event()
        threads = [threading.Thread(target=work, args=(stop,), name=getattr(work, "__qualname__", "worker"),
                                    daemon=True) for work in _background_workers(rt)]
        for thread in threads:
            thread.start()
        try:
            yield
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=5)
            await rt.async_redis.aclose()
            rt.close()

    return lifespan


def create_app(settings: Settings, runtime: Runtime | None = None) -> dash.Dash:
    """Build the Dash app on FastAPI, its pages and its resources. Raises StartupError on bad configuration."""
    rt = runtime or open_runtime(settings)
    server = FastAPI(title="OneScreen", version="0.1.0", lifespan=_lifespan(rt))
    server.state.runtime = rt
    server.include_router(alerts_router(rt.settings, rt.engine, rt.redis))
    app = dash.Dash(
        __name__,
        server=server,
        use_pages=True,
        pages_folder=str(HERE / "dashboards"),
        assets_folder=str(HERE / "assets"),
        assets_ignore=r"bootstrap\.min\.css",
        external_stylesheets=["/assets/vendor/bootstrap.min.css"],
        websocket_callbacks=True,
        websocket_inactivity_timeout=0,
        suppress_callback_exceptions=True,
        update_title=None,
        title="一屏统览 OneScreen",
    )
    # Register callbacks now: after a restart the page's websocket reconnects before any HTTP request arrives.
    app._setup_server()
    return app


def _prepare_demo(rt: Runtime) -> None:
    """Install the catalogs and seed the demo city when the store is empty (the README's run command)."""
    from services.catalog import install_catalog
    from services.simulator import seed_if_empty

    with rt.sessions() as session:
        install_catalog(session, districts=rt.city.rows())
        session.commit()
    report = seed_if_empty(rt.engine)
    if report is not None:
        log.info("seeded the demo city in %.1f s: %s", report.seconds, report.counts)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = Settings()
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
    log.info("OneScreen wall: http://%s:%d/wall", settings.host, settings.port)
    uvicorn.run(app.server, host=settings.host, port=settings.port, log_level="info")


if __name__ == "__main__":
    main()
