"""Turns service results into what components draw: numbers formatted per language, times in the display zone."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from components.kpi import KpiCardData


def local_time(moment: datetime | None, zone: ZoneInfo, pattern: str = "%H:%M") -> str:
    return moment.astimezone(zone).strftime(pattern) if moment else "—"


def number(value: float | None, lang: str) -> str:
    """Thousands separators, and one decimal only where the value needs it."""
    if value is None:
        return "—"
    if abs(value) >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.1f}" if abs(value) >= 10 else f"{value:,.2f}"


def kpi_cards(values: Sequence[Any], lang: str, zone: ZoneInfo, text: dict[str, str] | Any) -> list[KpiCardData]:
    """KpiValue rows (services.indicators) as cards; the delta compares with the same time yesterday."""
    cards = []
    for kpi in values:
        delta = kpi.delta_day
        cards.append(
            KpiCardData(
                code=kpi.code,
                name=kpi.name_zh if lang == "zh-CN" else kpi.name_en,
                value_text=number(kpi.value, lang) if kpi.value is not None else text["kpi.no_data"],
                unit=kpi.unit,
                status=kpi.status,
                delta_text=f"{text['kpi.vs_yesterday']} {number(abs(delta), lang)}" if delta is not None else "",
                delta_sign=0 if not delta else (1 if delta > 0 else -1),
                as_of_text=local_time(kpi.as_of, zone) + (f" · {text['kpi.stale']}" if kpi.stale else ""),
                stale=kpi.stale,
                sparkline=tuple(kpi.sparkline),
            )
        )
    return cards
