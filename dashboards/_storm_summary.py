"""Storm mode: when alerts come faster than a screen can draw them, the screen says what it is not showing.

At 1 000 alerts a second a ticker of thirty rows shows each for a few milliseconds, and a wall that drops them
silently looks calm in the middle of a storm. The push loop tallies every alert it reads (each once, by sender and
id, as the store keeps it) by the minute it reached the stream: the minute of its stream id, which the store keeps
with the alert, so the line's counts can be checked against SQL. A minute with more than a ticker's worth of
alerts is a storm; its line (components/storm_summary.py) gives the count, by severity and by district, and the storm
groups, and stays up until two minutes after the storm ends. Every alert is still stored and listed in the console.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from dash import set_props

from components.i18n import translator
from components.storm_summary import StormView, storm_lines
from dashboards._alert_push import SeenAlerts
from dashboards._entry_facts import entry_facts
from dashboards._present import local_time
from dashboards._runtime import runtime
from services.alerts import Entry

STORM_PER_MINUTE = 30  # a ticker's worth: beyond it a minute's alerts cannot all be on screen at once
SHOWN_MINUTES = 2  # the current minute and the one before
FLUSH_SECONDS = 1.0


@dataclass
class MinuteTally:
    """One minute's alerts: how many, by severity, by district (adcode, '' for city-wide), and the storm groups."""

    count: int = 0
    severities: Counter[str] = field(default_factory=Counter)
    districts: Counter[str] = field(default_factory=Counter)
    groups: set[str] = field(default_factory=set)


class StormTally:
    """Every alert read, each once, by the epoch minute it reached the stream; only the newest minutes are kept."""

    def __init__(self) -> None:
        self.minutes: dict[int, MinuteTally] = {}
        self._seen = SeenAlerts()

    def add(self, entries: list[Entry]) -> None:
        for stream_id, fields in self._seen.first_sightings(entries):
            facts = entry_facts(stream_id, fields)
            tally = self.minutes.get(facts.minute)
            if tally is None:
                tally = self.minutes[facts.minute] = MinuteTally()
            tally.count += 1
            tally.severities[fields.get("severity") or "unknown"] += 1
            tally.districts[fields.get("district") or ""] += 1
            tally.groups.add(facts.group)
        for old in sorted(self.minutes)[:-SHOWN_MINUTES]:
            del self.minutes[old]

    def storms(self, now_minute: int) -> list[tuple[int, MinuteTally]]:
        """The stormy minutes among the last SHOWN_MINUTES before `now_minute`, newest first."""
        return [(minute, tally) for minute, tally in sorted(self.minutes.items(), reverse=True)
                if minute > now_minute - SHOWN_MINUTES and tally.count > STORM_PER_MINUTE]


class StormLine:
    """A page's storm summary element, sent at most once a second and only when it changed."""

    def __init__(self, element_id: str, lang: str, drawn: int) -> None:
        rt = runtime()
        self.element_id, self.lang, self.drawn = element_id, lang, drawn
        self.zone, self.names, self.text = rt.settings.zone, rt.city.names(lang), translator(lang)
        self.tally = StormTally()
        self._shown: list[StormView] = []
        self._sent_at = float("-inf")

    def add(self, entries: list[Entry]) -> None:
        self.tally.add(entries)

    def flush(self) -> None:
        now = time.monotonic()
        if now - self._sent_at < FLUSH_SECONDS:
            return
        views = self.views(int(time.time()) // 60)
        if views == self._shown:
            return
        set_props(self.element_id, {"data": storm_lines(views, self.text, self.lang, self.names)})
        self._shown, self._sent_at = views, now

    def views(self, now_minute: int) -> list[StormView]:
        return [StormView(local_time(datetime.fromtimestamp(minute * 60, UTC), self.zone, "%H:%M"), tally.count,
                          dict(tally.severities.most_common()), dict(tally.districts.most_common()),
                          len(tally.groups), max(0, tally.count - self.drawn))
                for minute, tally in self.tally.storms(now_minute)]
