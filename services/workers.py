"""The background loops as processes of their own, for production: `python -m services.workers persist`.

In the embedded demo the web process runs these loops in threads (app.py). With several uvicorn workers they run
once, beside the web tier: each loop in its own process, stopped cleanly by SIGTERM or Ctrl-C. Several persist
processes may run at once: they share the stream through the consumer group, each under its own consumer name.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import threading
from collections.abc import Callable

from services.briefing import Render
from services.config import Settings
from services.platform.logs import configure_logging
from services.platform.runtime import Runtime, StartupError, open_runtime

log = logging.getLogger("onescreen.workers")

Loop = Callable[[threading.Event], None]


def persist_loop(rt: Runtime) -> Loop:
    from services.alerts.persist import PersistWorker

    consumer = f"persist-{socket.gethostname()}-{os.getpid()}"
    return PersistWorker(rt.settings, rt.engine, rt.redis, consumer).run_forever


def simulate_loop(rt: Runtime) -> Loop:
    from services.demo.simulator import Live

    return Live(rt.settings, rt.engine, rt.redis, rate=rt.settings.simulate_rate, sessions=rt.sessions,
                pack=rt.pack).run_forever


def escalate_loop(rt: Runtime) -> Loop:
    from services.alerts.escalation import EscalationLoop

    return EscalationLoop(rt.settings, rt.engine, rt.redis, rt.pack.emergency, contacts=rt.pack.contacts,
                          roster=rt.pack.roster).run_forever


def associate_loop(rt: Runtime) -> Loop:
    from services.approvals.association import AssociationJob

    return AssociationJob(rt.sessions).run_forever


def hotline_loop(rt: Runtime) -> Loop:
    from services.hotline.readings import HotlineReadingsJob
    from services.store.cache import cache_of

    return HotlineReadingsJob(rt.settings, rt.engine, rt.sessions, rt.redis, cache=cache_of(rt.sessions)).run_forever


def sources_loop(rt: Runtime) -> Loop:
    from services.sources import build_loop

    return build_loop(rt).run_forever


def notify_loop(rt: Runtime) -> Loop:
    from services.notify import NotifyLoop, channels_from

    return NotifyLoop(rt.sessions, channels_from(rt.settings, os.environ)).run_forever


def deadlines_loop(rt: Runtime) -> Loop:
    from services.plans import DeadlineLoop, Notices

    notices = Notices(rt.pack.contacts, rt.pack.roster, rt.settings.zone)
    return DeadlineLoop(rt.sessions, notices, rt.pack.plans).run_forever


def supervise_loop(rt: Runtime) -> Loop:
    from services.supervision import EscalationJob

    return EscalationJob(rt.sessions, contacts=rt.pack.contacts, zone=rt.settings.zone).run_forever


def briefing_loop(rt: Runtime, render: Render) -> Loop:
    from services.briefing import BriefingJob
    from services.notify import channels_from

    return BriefingJob(rt.sessions, rt.pack.briefings, rt.settings.zone, channels_from(rt.settings, os.environ),
                       render).run_forever


LOOPS: dict[str, Callable[[Runtime], Loop]] = {"persist": persist_loop, "escalate": escalate_loop,
                                              "associate": associate_loop, "simulate": simulate_loop,
                                              "sources": sources_loop, "notify": notify_loop,
                                              "deadlines": deadlines_loop, "supervise": supervise_loop,
                                              "hotline": hotline_loop}


def background_loops(rt: Runtime, render_briefing: Render | None = None) -> list[Loop]:
    """The loops a single-process OneScreen runs in threads; the demo city only when simulating, the hotline's
    derived readings unless the 12345 platform sends its own, and the scheduled briefings when the pack has some,
    they are on, and the caller gives their renderer (the domain draws no PDF: app.py passes the pages' one)."""
    names = ["persist", "escalate", "associate", "sources", "notify", "deadlines", "supervise",
             *(["hotline"] if rt.settings.hotline_readings else []), *(["simulate"] if rt.settings.simulate else [])]
    briefings = ([briefing_loop(rt, render_briefing)]
                 if render_briefing is not None and rt.settings.briefings and rt.pack.briefings.schedules else [])
    return [*(LOOPS[name](rt) for name in names), *briefings]


def install_catalogs(rt: Runtime) -> None:
    """Districts, departments, indicators and matters: what every page expects to find, installed or updated."""
    from services.store.catalog import install_catalog

    with rt.sessions() as session:
        install_catalog(session, districts=rt.city.rows(), catalogs=rt.pack.catalogs)
        session.commit()


def run_until_signalled(loop: Loop) -> None:
    """Run `loop` in this thread until SIGTERM or SIGINT asks it to stop."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    loop(stop)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m services.workers", description=__doc__.splitlines()[0])
    parser.add_argument("loop", choices=["migrate", *sorted(LOOPS)],
                        help="a background loop to run, or 'migrate' to bring the schema and catalogs up to date")
    args = parser.parse_args(argv)
    settings = Settings()
    configure_logging(settings.log_format)
    try:  # only `migrate` changes the schema, so many web workers never race to migrate at once
        rt = open_runtime(settings, migrate_schema=args.loop == "migrate")
    except StartupError as exc:
        parser.exit(2, f"onescreen: {exc}\n")
    if args.loop == "migrate":
        install_catalogs(rt)
        rt.close()
        return
    try:
        loop = LOOPS[args.loop](rt)
    except StartupError as exc:  # e.g. a bad sources file: one line per error, no traceback
        rt.close()
        parser.exit(2, f"onescreen: {exc}\n")
    log.info("running the %s loop (pid %d)", args.loop, os.getpid())
    try:
        run_until_signalled(loop)
    finally:
        rt.close()


if __name__ == "__main__":
    main()
