"""The wall's ticker rows and the rules that move them, kept by the push loop and sent whole on each change.

The rules (issue 18): rows are ordered by the time each alert reached us (its stream id), not by the time its sender
wrote on it; the time shown is the sender's, with its date when that is not today. An update or cancel changes the
row of the alert it refers to in place (a status badge says so: escalated when the severity rose), never adds a row
on top. An alert joining a storm group's row moves that row to the top with its own time and headline. An alert
whose CAP `expires` has passed leaves the list (the console keeps it). An operator's action, heard as a status
signal (services/alerts/status.py), shows as the row's status.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from components.i18n import translator
from components.ticker import Row, count_text, ticker_row
from dashboards._alert_text import Headline
from dashboards._entry_facts import EntryFacts, alert_key, entry_facts
from services.alerts import referenced, sent_time, storm_key, utc_time
from services.severity import SEVERITIES

KEYS_KEPT = 8  # the identities a row answers to (its alerts and their updates): enough for updates to find it


def received_time(stream_id: str, fields: Mapping[str, str]) -> datetime:
    """When the alert reached us: the stored time for a row read from the store, else its stream id's time."""
    return entry_facts(stream_id, fields).received


def expired(fields: Mapping[str, Any], now: datetime) -> bool:
    """Whether the sender's `expires` has passed."""
    ends = utc_time(fields.get("expires") or "")
    return ends is not None and ends <= now


def sender_time(fields: Mapping[str, str], zone: ZoneInfo, now: datetime) -> str:
    """The sender's time in the display zone, with its date when that is not today's."""
    return _local_text(sent_time(fields), zone, now.astimezone(zone).date())


def _local_text(sent: datetime | None, zone: ZoneInfo, today: date) -> str:
    if sent is None:
        return "—"
    local = sent.astimezone(zone)
    return local.strftime("%H:%M:%S" if local.date() == today else "%Y-%m-%d %H:%M:%S")


def _rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


class LiveTicker:
    """The rows of one page's ticker, newest first, at most `size`."""

    def __init__(self, rows: list[Row], *, size: int, window: timedelta, lang: str, zone: ZoneInfo,
                 headline: Headline) -> None:
        self.rows, self.size, self.window, self.lang, self.zone = rows, size, window, lang, zone
        self.text, self.headline = translator(lang), headline

    def add(self, stream_id: str, fields: Mapping[str, str], now: datetime) -> bool:
        """Take one entry read from the stream (or the store); whether the rows changed."""
        facts = entry_facts(stream_id, fields)
        if facts.expires is not None and facts.expires <= now:
            return False
        msg_type = fields.get("msg_type") or "alert"
        if msg_type != "alert":
            keys = {f"{sender}|{ident}" for sender, ident in referenced(fields.get("references"),
                                                                        fields.get("source", ""))}
            row = next((row for row in self.rows if keys & set(row.get("keys", ()))), None)
            if row is not None:
                self._change(row, fields)
                return True
        else:
            row = self._group_of(facts)
            if row is not None:
                self._grow(row, stream_id, fields, now)
                return True
        row = self._row(stream_id, fields, now)
        if msg_type != "alert":
            self._set_status(row, "cancelled" if msg_type == "cancel" else "updated")
        self.rows.insert(0, row)
        del self.rows[self.size:]
        return True

    def signal(self, fields: Mapping[str, str]) -> bool:
        """An operator's action on an alert (services/alerts/status.py): the status of the row it is on."""
        key = alert_key(fields)
        row = next((row for row in self.rows if key in row.get("keys", ())), None)
        status = fields.get("status", "")
        if row is None or row.get("status") in ("cancelled", status) or status == "new":
            return False
        self._set_status(row, status)
        return True

    def expire(self, now: datetime) -> bool:
        """Drop the rows whose alerts have expired; whether any was."""
        kept = [row for row in self.rows if not expired(row, now)]
        changed = len(kept) != len(self.rows)
        self.rows[:] = kept
        return changed

    def _row(self, stream_id: str, fields: Mapping[str, str], now: datetime) -> Row:
        """The entry's row: drawn once per worker, language and day (dashboards/_entry_facts.py), each page's
        headline on its copy."""
        facts = entry_facts(stream_id, fields)
        today = now.astimezone(self.zone).date()
        drawn = facts.drawn.get((self.lang, self.zone, today))
        if drawn is None:
            drawn = ticker_row(stream_id, fields, _local_text(facts.sent, self.zone, today), self.lang,
                               group=facts.group, sent=fields.get("sent", ""), alert=facts.key)
            drawn |= {"received": facts.received.isoformat(), "expires": fields.get("expires", ""),
                      "status": "", "status_label": "", "keys": [facts.key] if facts.key else []}
            facts.drawn[(self.lang, self.zone, today)] = drawn
        return {**drawn, "headline": self.headline(fields), "keys": list(drawn["keys"])}

    def _group_of(self, facts: EntryFacts) -> Row | None:
        """The live row of the entry's storm group within the window: every screen of a worker runs this for every
        entry, against each of its rows, so only the rows of its group have their time read."""
        for row in self.rows:
            if row["group"] != facts.group or row.get("status") == "cancelled":
                continue
            last = utc_time(row.get("sent", ""))
            if last and facts.sent and abs(facts.sent - last) <= self.window:
                return row
        return None

    def _grow(self, row: Row, stream_id: str, fields: Mapping[str, str], now: datetime) -> None:
        """A storm group grew: its row goes to the top, showing its newest alert."""
        newest = self._row(stream_id, fields, now)
        row["count"] += 1
        row |= {"badge": count_text(row["count"]), "headline": newest["headline"], "time": newest["time"],
                "sent": newest["sent"], "received": newest["received"], "expires": newest["expires"]}
        _answer_to(row, newest["alert"])
        self.rows.remove(row)
        self.rows.insert(0, row)

    def _change(self, row: Row, fields: Mapping[str, str]) -> None:
        """An update or cancel of the row's alert, in place."""
        severity = fields.get("severity") or row["severity"]
        if fields.get("msg_type") == "cancel":
            status = "cancelled"
        elif _rank(severity) < _rank(row["severity"]):
            status = "escalated"
        else:
            status = "escalated" if row.get("status") == "escalated" else "updated"
        changed = ticker_row(row["id"], {**fields, "severity": severity, "headline": self.headline(fields)},
                             row["time"], self.lang)
        row |= {"severity": changed["severity"], "label": changed["label"],
                "group": storm_key({**row, **fields, "severity": severity}),  # a new level is a new storm group
                "headline": changed["headline"] or row["headline"], "expires": fields.get("expires", "")}
        _answer_to(row, alert_key(fields))
        self._set_status(row, status)

    def _set_status(self, row: Row, status: str) -> None:
        row["status"] = status
        row["status_label"] = self.text.get(f"ticker.status.{status}", "")


def _answer_to(row: Row, key: str) -> None:
    """The row answers to `key` too (an update may refer to it); the first alert's key is always kept, since an
    operator's action on a storm group names its first alert."""
    keys = row.get("keys") or []
    if key and key not in keys:
        row["keys"] = keys[:1] + [*keys[1:], key][-(KEYS_KEPT - 1):] if keys else [key]
