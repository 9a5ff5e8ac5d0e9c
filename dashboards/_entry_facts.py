"""What the push loops derive from a stream entry, derived once per worker rather than once per screen.

A worker's screens are handed the very same entry objects by its one stream reader (dashboards/_alert_hub.py), and
each screen's ticker, storm tally and repeat filter need the same few facts of each: its sender key, its storm group,
its stream minute, its times, its row as drawn. At 100 alerts/s on 200 screens that was 20 000 derivations a second
on one interpreter, and the push loops took every sample of the worker (py-spy, issue 17). The facts are memoised by
the entry object's identity (the memo holds the object, so its id cannot be reused while it is remembered); an entry
built elsewhere (a store row at a page's opening) gets facts of its own, computed as before.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from dashboards._alert_hub import stream_order
from services.alerts import sent_time, storm_key, utc_time

REMEMBERED = 4_096  # entries: more than the hub keeps (KEEP to 2 × KEEP), so a screen on time always finds them,
REMEMBERED_MINUTES = 2  # and none older than this before the newest (a quiet city's memo stays small)


def alert_key(fields: Mapping[str, str]) -> str:
    """Who sent it and their id for it ('' when the producer gave none: then it cannot be a repeat)."""
    return f"{fields.get('source', '')}|{fields['id']}" if fields.get("id") else ""


@dataclass(slots=True)
class EntryFacts:
    """One entry's facts; `drawn` holds its ticker row per (lang, zone, local day), headline apart (each page's)."""

    key: str
    group: str
    minute: int  # the epoch minute it reached the stream (its stream id's)
    sent: datetime | None
    expires: datetime | None
    received: datetime  # the stored time for a row read from the store, else its stream id's time
    drawn: dict[tuple[Any, ...], dict[str, Any]] = field(default_factory=dict)


_memo: OrderedDict[int, tuple[Mapping[str, str], EntryFacts]] = OrderedDict()
_newest = [0]  # the newest stream minute seen: the memo keeps what is near it, whatever order entries came in


def entry_facts(stream_id: str, fields: Mapping[str, str]) -> EntryFacts:
    """The facts of the entry (stream_id, fields), from the memo when this very object was seen before."""
    held = _memo.get(id(fields))
    if held is not None and held[0] is fields:
        return held[1]
    ms = stream_order(stream_id)[0]
    facts = EntryFacts(alert_key(fields), storm_key(fields), ms // 60_000, sent_time(fields),
                       utc_time(fields.get("expires") or ""),
                       utc_time(fields.get("received", "")) or datetime.fromtimestamp(ms / 1000, UTC))
    _newest[0] = max(_newest[0], facts.minute)
    if facts.minute < _newest[0] - REMEMBERED_MINUTES:  # an old row (a page's opening): used once, not kept
        return facts
    _memo[id(fields)] = (fields, facts)
    while len(_memo) > REMEMBERED or next(iter(_memo.values()))[1].minute < _newest[0] - REMEMBERED_MINUTES:
        _memo.popitem(last=False)
    return facts
