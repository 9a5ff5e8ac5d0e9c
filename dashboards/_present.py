"""Turns service results into what components draw: numbers formatted per language, times in the display zone."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from components.kpi import KpiCardData


def local_time(moment: datetime | None, zone: ZoneInfo, pattern: str = "%H:%M") -> str:
    return moment.astimezone(zone).strftime(pattern) if moment else "—"


# Chinese counts large numbers in 万 (10⁴) and 亿 (10⁸); a wall reads "12.6万", not "126,000".
_ZH_UNITS = ((100_000_000, 100_000_000, "亿"), (100_000, 10_000, "万"))  # (from, size, unit)
_ZH_WEEKDAYS = "一二三四五六日"


def _plain(value: float) -> str:
    """Thousands separators, and decimals only where the value needs them."""
    if abs(value) >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.1f}" if abs(value) >= 10 else f"{value:,.2f}"


def number(value: float | None, lang: str) -> str:
    """A number as a reader of `lang` writes it: `126,000` in English, `12.6万` in Chinese (from 100 000 up)."""
    if value is None:
        return "—"
    if lang == "zh-CN":
        for start, size, unit in _ZH_UNITS:
            if abs(value) >= start:
                return f"{value / size:,.1f}".removesuffix(".0") + unit
    return _plain(value)


def local_date(moment: datetime | None, zone: ZoneInfo, lang: str) -> str:
    """The date in the display zone as `lang` writes it: 2026年11月23日 星期一 / Mon 23 Nov 2026."""
    if moment is None:
        return "—"
    day = moment.astimezone(zone)
    if lang == "zh-CN":
        return f"{day.year}年{day.month}月{day.day}日 星期{_ZH_WEEKDAYS[day.weekday()]}"
    return day.strftime("%a %-d %b %Y")


def unit_text(unit: str, text: Mapping[str, str]) -> str:
    """An indicator's unit in the reader's language: words from the catalog (`unit.persons_per_h`), symbols as
    they are (%, km/h, μg/m³)."""
    return text.get(f"unit.{unit.replace('/', '_per_')}", unit)


def kpi_cards(values: Sequence[Any], lang: str, zone: ZoneInfo, text: Mapping[str, str],
              late_sources: Mapping[str, str] | None = None) -> list[KpiCardData]:
    """KpiValue rows (services.indicators) as cards; the delta compares with the same time yesterday. A card whose
    source is late (`late_sources`: code -> names) names it in its as-of note."""
    late_sources = late_sources or {}
    cards = []
    for kpi in values:
        delta = kpi.delta_day
        cards.append(
            KpiCardData(
                code=kpi.code,
                name=kpi.name_zh if lang == "zh-CN" else kpi.name_en,
                value_text=number(kpi.value, lang) if kpi.value is not None else text["kpi.no_data"],
                unit=unit_text(kpi.unit, text),
                status=kpi.status,
                delta_text=f"{text['kpi.vs_yesterday']} {number(abs(delta), lang)}" if delta is not None else "",
                delta_sign=0 if not delta else (1 if delta > 0 else -1),
                as_of_text=local_time(kpi.as_of, zone) + (f" · {text['kpi.stale']}" if kpi.stale else "")
                + (f" · {text['src.late_source']}: {late_sources[kpi.code]}" if kpi.code in late_sources else ""),
                stale=kpi.stale,
                sparkline=tuple(kpi.sparkline),
            )
        )
    return cards
