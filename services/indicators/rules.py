"""Threshold rules: indicator readings in, alert stream entries out (DESIGN.md "Alert stream (contract)").

State per (indicator code, district): the level (normal / warn / alarm) and the id of the open alert, at most one.
Crossing into warn or alarm opens an alert; a change between warn and alarm sends one 'update' referencing it; the
way back to normal sends a 'cancel' referencing it. Hysteresis: leaving a level needs the value to pass back beyond
that level's threshold by a dead band (5 % of the warn–alarm span by default, or a per-indicator band), so a value
hovering at a threshold raises one alert, not one per reading.

The state describes the measured condition, not the operator's workflow: an alert an operator resolved stays open
here until the value recovers, so the same condition is not alerted twice. `load_open` rebuilds it at start from the
rules' own alert/update/cancel rows in the alerts table. Message ids are deterministic (indicator, area, reading
time, message type), so replaying readings after a restart yields ids the persist worker already deduplicates.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple, Protocol
from zoneinfo import ZoneInfo

import redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.alerts.stream import publish
from services.config import Settings
from services.indicators.queries import status_of
from services.store import Alert

logger = logging.getLogger(__name__)

SOURCE = "rules"
_LEVELS = {"normal": 0, "nodata": 0, "warn": 1, "alarm": 2}
_SEVERITY = {1: "moderate", 2: "severe"}
_URGENCY = {1: "expected", 2: "immediate"}
_LEVEL_OF_SEVERITY = {"moderate": 1, "severe": 2, "extreme": 2}
_CATEGORIES = {
    "traffic": "transport",
    "transport": "transport",
    "environment": "env",
    "lifelines": "infra",
    "lifeline": "infra",
    "public_safety": "safety",
    "tourism": "safety",
    "utilities": "infra",
    "infrastructure": "infra",
    "safety": "safety",
    "security": "security",
    "fire": "fire",
    "health": "health",
    "weather": "met",
    "rescue": "rescue",
}


class IndicatorDef(Protocol):
    """What a rule needs of an indicator (services.store.Indicator fits)."""

    @property
    def code(self) -> str: ...
    @property
    def name_zh(self) -> str: ...
    @property
    def domain(self) -> str: ...
    @property
    def unit(self) -> str: ...
    @property
    def direction(self) -> str: ...
    @property
    def warn(self) -> float | None: ...
    @property
    def alarm(self) -> float | None: ...


class Reading(NamedTuple):
    """One measurement as the rules see it; any (code, district, ts, value) tuple works too."""

    code: str
    district: str | None
    ts: datetime
    value: float


@dataclass
class _Open:
    alert_id: str
    level: int


class ThresholdRules:
    """Per (indicator, area) threshold state with hysteresis; thread-safe."""

    def __init__(
        self,
        *,
        district_names: Mapping[str, str] | None = None,
        city_name: str = "全市",
        zone: str = "Asia/Shanghai",
        band_fraction: float = 0.05,
        bands: Mapping[str, float] | None = None,
    ):
        if band_fraction < 0 or any(b < 0 for b in (bands or {}).values()):
            raise ValueError("dead bands must be zero or positive")
        self._names = dict(district_names or {})
        self._city = city_name
        self._zone = ZoneInfo(zone)
        self._fraction = band_fraction
        self._bands = dict(bands or {})
        self._open: dict[tuple[str, str | None], _Open] = {}
        self._seen: dict[tuple[str, str | None], datetime] = {}
        self._lock = threading.Lock()

    @property
    def open_alerts(self) -> dict[tuple[str, str | None], tuple[str, str]]:
        """(code, district) -> (open alert id, 'warn' | 'alarm')."""
        with self._lock:
            return {k: (o.alert_id, "alarm" if o.level == 2 else "warn") for k, o in self._open.items()}

    def evaluate(
        self,
        readings: Iterable[tuple[str, str | None, datetime, float]],
        indicators: Mapping[str, IndicatorDef],
    ) -> list[dict[str, str]]:
        """Stream entries for the crossings in `readings` (taken in time order); readings not newer than the last
        one evaluated for their indicator and area are skipped (late arrivals must not flip the state back)."""
        checked = [_checked(r, indicators) for r in readings]
        messages: list[dict[str, str]] = []
        with self._lock:
            for code, district, ts, value in sorted(checked, key=lambda r: r[2]):
                key = (code, district)
                if key in self._seen and ts <= self._seen[key]:
                    logger.debug("skipping late reading %s %s %s", code, district, ts.isoformat())
                    continue
                self._seen[key] = ts
                message = self._step(indicators[code], district, ts, value)
                if message is not None:
                    messages.append(message)
        return messages

    def load_open(self, session: Session) -> int:
        """Rebuild the open alerts from the rules' rows in the alerts table; returns how many are open."""
        stmt = (
            select(
                Alert.alert_id, Alert.event, Alert.district, Alert.msg_type, Alert.references, Alert.severity
            )
            .where(Alert.source == SOURCE)
            .order_by(Alert.sent_at, Alert.id)
        )
        rebuilt: dict[tuple[str, str | None], _Open] = {}
        for alert_id, code, district, msg_type, references, severity in session.execute(stmt):
            key = (code, district)
            level = _LEVEL_OF_SEVERITY.get(severity, 1)
            current = rebuilt.get(key)
            refers = current is not None and current.alert_id in (references or "").split()
            if msg_type == "alert":
                rebuilt[key] = _Open(alert_id, level)
            elif msg_type == "update" and current is not None and refers:
                current.level = level
            elif msg_type == "cancel" and refers:
                del rebuilt[key]
        with self._lock:
            self._open = rebuilt
        return len(rebuilt)

    def _step(
        self, ind: IndicatorDef, district: str | None, ts: datetime, value: float
    ) -> dict[str, str] | None:
        key = (ind.code, district)
        current = self._open.get(key)
        level = self._level(ind, value, current.level if current else 0)
        if current is None:
            if level == 0:
                return None
            message = self._message(ind, district, ts, value, "alert", level, None)
            self._open[key] = _Open(message["id"], level)
            return message
        if level == current.level:
            return None
        if level == 0:
            del self._open[key]
            return self._message(ind, district, ts, value, "cancel", 0, current.alert_id)
        message = self._message(ind, district, ts, value, "update", level, current.alert_id)
        if level < current.level:
            message["headline"] = (
                f"{self._area(district)} {ind.name_zh} 降为预警（当前 {_fmt(value, ind.unit)}）"
            )
        current.level = level
        return message

    def _level(self, ind: IndicatorDef, value: float, current: int) -> int:
        """The new level: up at once, down only past the threshold by the dead band."""
        raw = _LEVELS[status_of(value, ind.warn, ind.alarm, ind.direction)]
        if raw >= current:
            return raw
        band = self._band(ind)
        shift = band if ind.direction == "lower" else -band
        warn = None if ind.warn is None else ind.warn - shift
        alarm = None if ind.alarm is None else ind.alarm - shift
        held = _LEVELS[status_of(value, warn, alarm, ind.direction)]
        return max(raw, min(current, held))

    def _band(self, ind: IndicatorDef) -> float:
        if ind.code in self._bands:
            return self._bands[ind.code]
        if ind.warn is not None and ind.alarm is not None and ind.warn != ind.alarm:
            return self._fraction * abs(ind.alarm - ind.warn)
        threshold = ind.alarm if ind.alarm is not None else ind.warn
        return self._fraction * abs(threshold or 0.0)

    def _area(self, district: str | None) -> str:
        return self._city if district is None else self._names.get(district, district)

    def _message(
        self,
        ind: IndicatorDef,
        district: str | None,
        ts: datetime,
        value: float,
        msg_type: str,
        level: int,
        references: str | None,
    ) -> dict[str, str]:
        area = self._area(district)
        shown = _fmt(value, ind.unit)
        if msg_type == "cancel":
            headline = f"{area} {ind.name_zh} 恢复正常（当前 {shown}）"
        else:
            verb = "达到" if ind.direction == "lower" else "降至"
            name, threshold = ("报警阈值", ind.alarm) if level == 2 else ("预警阈值", ind.warn)
            headline = f"{area} {ind.name_zh} {verb} {shown}（{name} {_fmt(threshold, ind.unit)}）"
        fields = {
            "id": f"{SOURCE}:{ind.code}:{district or 'city'}:{ts:%Y%m%dT%H%M%SZ}:{msg_type}",
            "source": SOURCE,
            "sent": ts.astimezone(self._zone).isoformat(timespec="seconds"),
            "severity": _SEVERITY.get(level, "minor"),
            "urgency": _URGENCY.get(level, "past"),
            "certainty": "observed",
            "category": _CATEGORIES.get(ind.domain, "other"),
            "event": ind.code,
            "headline": headline,
            "description": (
                f"{ind.name_zh}（{ind.code}）当前 {shown}；预警阈值 {_fmt(ind.warn, ind.unit)}，"
                f"报警阈值 {_fmt(ind.alarm, ind.unit)}"
            ),
            "msg_type": msg_type,
        }
        if district is not None:
            fields["district"] = district
        if references is not None:
            fields["references"] = references
        return fields


def publish_crossings(
    rules: ThresholdRules,
    readings: Iterable[tuple[str, str | None, datetime, float]],
    indicators: Mapping[str, IndicatorDef],
    redis_client: redis.Redis,
    settings: Settings,
) -> list[str]:
    """Evaluate `readings` and XADD every resulting alert to the stream; returns the new stream ids."""
    messages = rules.evaluate(readings, indicators)
    return [publish(redis_client, settings.alerts_stream, m, settings.stream_maxlen) for m in messages]


class StatusChange(NamedTuple):
    """What one of the rules' stream entries says about an indicator card: its area's new status."""

    code: str
    district: str | None
    status: str


def status_change(fields: Mapping[str, str]) -> StatusChange | None:
    """Decode a stream entry that this module published (None for any other entry): alert and update carry the
    level in their severity, cancel means back to normal."""
    if fields.get("source") != SOURCE or not fields.get("id", "").startswith(f"{SOURCE}:") or not fields.get("event"):
        return None
    msg_type = fields.get("msg_type")
    if msg_type == "cancel":
        status = "normal"
    elif msg_type in ("alert", "update") and fields.get("severity") in _LEVEL_OF_SEVERITY:
        status = "alarm" if _LEVEL_OF_SEVERITY[fields["severity"]] == 2 else "warn"
    else:
        return None
    return StatusChange(fields["event"], fields.get("district") or None, status)


def _checked(
    reading: tuple[str, str | None, datetime, float], indicators: Mapping[str, IndicatorDef]
) -> tuple[str, str | None, datetime, float]:
    try:
        code, district, ts, value = reading
    except (TypeError, ValueError) as exc:
        raise ValueError(f"a reading must be (code, district, ts, value), got {reading!r}") from exc
    if code not in indicators:
        raise ValueError(f"reading for unknown indicator code {code!r}")
    if not isinstance(ts, datetime) or ts.tzinfo is None:
        raise ValueError(f"reading {code!r} ts must be a timezone-aware datetime, got {ts!r}")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"reading {code!r} at {ts.isoformat()} value must be a finite number, got {value!r}")
    return code, district, ts, float(value)


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "无"
    return f"{value:.2f}".rstrip("0").rstrip(".") + unit
