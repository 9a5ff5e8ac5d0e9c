"""The live alert push every alert page shares: a websocket callback that waits for the entries after the page's last
id, read from the worker's one shared stream reader (dashboards/_alert_hub.py), never a connection of its own.

Why the loop is started by an Input and not only at connect: the browser shares one websocket per origin through
Dash's SharedWorker, which may swap that socket (a page navigation, a network blip) without telling the page.
A loop left on the old socket keeps running but its page no longer answers, so the page runs a watchdog: when no
heartbeat has arrived for a few seconds it bumps its `push-restart` store, which starts a fresh loop on the live
socket. The loops of one page (one renderer id) hand over: the newest owns the page, older ones stop, and the
newest resumes after the last id any of them pushed, so a restart never shows an alert twice or skips one.

Pacing: each update costs the browser more than the server (Dash's renderer runs every component's selector for each
store dispatch), so an alert after a quiet spell goes out at once and a storm is gathered into at most one update per
PUSH_GAP_SECONDS. A ticker row used to be five Dash components (~150 dispatches an update, now ~6). With the light
rows a 30 ms gap keeps up at 100 alerts/s on an idle 2-core machine (bench/alerts.py: p50 47, p99 149 ms; 100 ms
cost a storm's alerts ~50 ms of waiting on average, p50 82 ms); a browser starved of CPU (load average 7 on 2 cores)
falls behind at 40 ms, so a wall's display PC must not be the machine's busiest tenant.
The gap also grows with the screens this worker carries (`push_gap`): every update costs the worker too (the whole
ticker serialised and compressed for one socket), so at 100 alerts/s two hundred screens at 33 updates a second each
would need more than the worker has; with the gap at PER_SCREEN_GAP_SECONDS a screen, a worker sends about
1 / PER_SCREEN_GAP_SECONDS updates a second in a storm however many screens it serves, and a quiet stream's alert
still goes out at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import dash
import redis
from dash import dcc, set_props

from dashboards._alert_hub import AlertHub, stream_order
from dashboards._entry_facts import entry_facts
from dashboards._runtime import runtime
from services.access import Scope
from services.alerts import Entry, StormFolder, TickerRow, utc_time

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 2.0
WATCHDOG_MS = 2_000
PUSH_GAP_SECONDS = 0.03  # at most ~33 page updates a second; an alert after a quiet gap goes out at once
BATCH = 1_100  # entries in one update at most: a gap's worth of a storm of 1 000 alerts/s, behind a 1 s stall
PER_SCREEN_GAP_SECONDS = 0.0005  # a worker's storm updates: ~2 000 a second over all its screens
_REMEMBERED = 2_000
SEEN_KEEP = 5_000

_owner: dict[str, object] = {}  # renderer id -> token of the loop that owns the page
_pushed: OrderedDict[str, str] = OrderedDict()  # renderer id -> last stream id pushed to it (bounded)


def push_components(prefix: str, last_id: str | None) -> list[Any]:
    """The stores a pushed page holds: where it stands in the stream (unless its list keeps that itself, `None`),
    the heartbeat, and the restart watchdog."""
    position = [] if last_id is None else [dcc.Store(id=f"{prefix}alert-last-id", data=last_id)]
    return [
        *position,
        dcc.Store(id=f"{prefix}stream-heartbeat"),
        dcc.Store(id=f"{prefix}heartbeat-seen"),
        dcc.Store(id=f"{prefix}push-restart", data=0),
        dcc.Interval(id=f"{prefix}push-watchdog", interval=WATCHDOG_MS),
    ]


def storm_folder(rows: Iterable[tuple[Any, Any, Any, Any]], window_minutes: float) -> StormFolder:
    """The storm rows a page shows now, from each row's (stream id, storm key, count, sent), so a restarted loop
    carries on counting the page's storms."""
    return StormFolder([TickerRow(str(head_id or ""), str(group or ""), int(count or 1), utc_time(sent or ""))
                        for head_id, group, count, sent in rows], timedelta(minutes=window_minutes))


def restore_folder(children: list[Any] | None, window_minutes: float) -> StormFolder:
    """`storm_folder` read back from rendered rows' hooks (data-alert-id, -group, -count, -sent)."""
    props = (child.get("props", {}) for child in children or [] if isinstance(child, dict))
    return storm_folder(((p.get("data-alert-id"), p.get("data-group"), p.get("data-count"), p.get("data-sent"))
                         for p in props), window_minutes)


def _remember(renderer: str, last_id: str) -> None:
    _pushed[renderer] = last_id
    _pushed.move_to_end(renderer)
    while len(_pushed) > _REMEMBERED:
        _pushed.popitem(last=False)


def alert_hub() -> AlertHub:
    """This worker's shared stream reader (dashboards/_alert_hub.py), made on first use on the serving loop from
    the app's Runtime: kept on the app's server state, so a second app (or a server restarted on a new loop) gets
    its own."""
    state = dash.get_app().server.state
    hub: AlertHub | None = getattr(state, "alert_hub", None)
    if hub is None or hub.loop is not asyncio.get_running_loop():
        rt = runtime()
        hub = state.alert_hub = AlertHub(rt.async_redis, rt.settings.alerts_stream)
    return hub


def push_gap() -> float:
    """The least time between two updates of one screen, now: PUSH_GAP_SECONDS, or more when this worker carries
    so many screens that their updates would take more than its time."""
    return max(PUSH_GAP_SECONDS, len(_owner) * PER_SCREEN_GAP_SECONDS)


async def _read(last_id: str, first: bool, last_push: float) -> list[Entry]:
    hub = alert_hub()
    loop = asyncio.get_running_loop()
    entries = await hub.read_after(last_id, block_ms=None if first else 1000, count=100)
    gap = push_gap()
    if entries and len(entries) < BATCH and loop.time() - last_push < gap:
        # A storm: gather what arrives within the gap into one update, so the browser never falls behind.
        await asyncio.sleep(gap - (loop.time() - last_push))
        entries += await hub.read_after(entries[-1][0], block_ms=None, count=BATCH - len(entries))
    return entries


class SeenAlerts:
    """The alerts a ticker has shown, by sender and producer id: a message posted again (a retry, a resent CAP
    file) is one row in SQL, so it must be one on the wall, not a "×3" and a second pop-up. Bounded: the newest
    SEEN_KEEP, far more than a storm window holds."""

    def __init__(self, keys: Iterable[str] = ()) -> None:
        self._keys: OrderedDict[str, None] = OrderedDict.fromkeys(keys)

    def first_sightings(self, entries: list[Entry]) -> list[Entry]:
        """The entries not shown before (nor twice within `entries`), remembered from now on."""
        fresh = []
        for entry in entries:
            key = entry_facts(*entry).key
            if key and key in self._keys:
                continue
            if key:
                self._keys[key] = None
                if len(self._keys) > SEEN_KEEP:
                    self._keys.popitem(last=False)
            fresh.append(entry)
        return fresh


def in_scope(entries: list[Entry], scope: Scope) -> list[Entry]:
    """The entries a scope may see: those of its districts, and those for no district (city-wide warnings)."""
    if not scope.districts:
        return entries
    return [entry for entry in entries if not entry[1].get("district") or scope.allows_district(entry[1]["district"])]


async def run_push(ws: Any, prefix: str, last_id: str, show: Callable[[list[Entry]], None], scope: Scope, *,
                   store_position: bool = True, tick: Callable[[], None] | None = None,
                   on_signals: Callable[[list[Entry], str], None] | None = None, signal_id: str = "") -> None:
    """Call `show(entries)` with every entry after `last_id` that `scope` may see, while this loop owns the page;
    beat when quiet. The page's position goes to its `alert-last-id` store after each read, unless
    `store_position` is false: then `show` keeps it with what it shows (each renderer update costs the page).
    `tick()` runs after every read (at least once a second), for updates a page sends later than the alerts.
    At most BATCH entries go in one update: a page that shows only its newest rows draws those, and in a storm
    (more than it shows within one gap) says what it did not draw (dashboards/_storm_summary.py).
    `on_signals(signals, position)` hears the status signals (services/alerts/status.py) after `signal_id` ('' =
    from now on) that `scope` may see, with the id of the last one read."""
    renderer = str(getattr(ws, "_renderer_id", "") or id(ws))
    token = object()
    _owner[renderer] = token
    pushed = _pushed.get(renderer)
    if pushed and stream_order(pushed) > stream_order(last_id or "0-0"):
        last_id = pushed  # an older loop got further than the page's state said when this one was asked for
    loop = asyncio.get_running_loop()
    last_beat = last_push = 0.0
    first = True
    signal_id = signal_id or alert_hub().signal_position()
    try:
        while not ws.is_shutdown and _owner.get(renderer) is token:
            try:
                entries = await _read(last_id, first, last_push)
            except (redis.RedisError, OSError) as exc:
                log.warning("alert stream unreachable, retrying: %s", exc)
                set_props(f"{prefix}stream-heartbeat", {"data": {"ok": False, "at": datetime.now(UTC).isoformat()}})
                await asyncio.sleep(1.0)
                continue
            first = False
            if entries and not ws.is_shutdown and _owner.get(renderer) is token:
                last_id, last_push = entries[-1][0], loop.time()
                _remember(renderer, last_id)
                visible = in_scope(entries, scope)
                if visible:
                    show(visible)
                if store_position:
                    set_props(f"{prefix}alert-last-id", {"data": last_id})
            if on_signals is not None and not ws.is_shutdown and _owner.get(renderer) is token:
                signals = alert_hub().signals_after(signal_id)
                if signals:
                    signal_id = signals[-1][0]
                    on_signals(in_scope(signals, scope), signal_id)
            if tick is not None and not ws.is_shutdown and _owner.get(renderer) is token:
                tick()
            if loop.time() - last_beat >= HEARTBEAT_SECONDS:
                last_beat = loop.time()
                set_props(f"{prefix}stream-heartbeat", {"data": {"ok": True, "at": datetime.now(UTC).isoformat()}})
    finally:
        if _owner.get(renderer) is token:
            del _owner[renderer]


# The two clientside halves, registered by each page for its own prefix (callbacks live in page modules).
HEARTBEAT_JS = "function(beat) { return window.onescreen.heartbeat(beat); }"
WATCHDOG_JS = "function(_n, restarts) { return window.onescreen.watchdog(restarts); }"
