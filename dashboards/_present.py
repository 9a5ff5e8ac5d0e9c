"""Turns service results into what components draw: numbers formatted per language, times in the display zone."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
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


def number(value: float | None, lang: str, decimals: int | None = None) -> str:
    """A number as a reader of `lang` writes it: `126,000` in English, `12.6万` in Chinese (from 100 000 up), with
    `decimals` digits after the point when given (the indicator catalog's), else as many as its size needs."""
    if value is None:
        return "—"
    if lang == "zh-CN":
        for start, size, unit in _ZH_UNITS:
            if abs(value) >= start:
                return f"{value / size:,.1f}".removesuffix(".0") + unit
    return _plain(value) if decimals is None else f"{value:,.{decimals}f}"


def _tone(change: float, direction: str) -> str:
    """'better' | 'worse' | 'same': a change read with the indicator's direction ('higher' or 'lower' is better)."""
    if not change:
        return "same"
    return "better" if (change > 0) == (direction == "higher") else "worse"


def _delta_words(sign: int, tone: str, text: Mapping[str, str]) -> str:
    if not sign:
        return text["kpi.same"]
    return text["kpi.change"].format(way=text["kpi.up" if sign > 0 else "kpi.down"], tone=text[f"kpi.{tone}"])


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


def shown_decimals(catalog: Iterable[Any]) -> dict[str, int | None]:
    """Indicator code -> the digits its values are shown with, from the pack's catalog rows (IndicatorRow)."""
    return {row.code: row.shown_decimals for row in catalog}


def kpi_cards(values: Sequence[Any], lang: str, zone: ZoneInfo, text: Mapping[str, str],
              late_sources: Mapping[str, str] | None = None,
              decimals: Mapping[str, int | None] | None = None) -> list[KpiCardData]:
    """KpiValue rows (services.indicators) as cards; the delta compares with the same time yesterday and is
    coloured by the indicator's direction. Values and deltas carry the catalog's `decimals` (code -> digits;
    services.store.catalog.IndicatorRow.shown_decimals), so a count is never "15.7". A card whose source is late
    (`late_sources`: code -> names) names it in its as-of note."""
    late_sources, decimals = late_sources or {}, decimals or {}
    cards = []
    for kpi in values:
        digits = decimals.get(kpi.code)
        delta = None if kpi.delta_day is None else round(kpi.delta_day, 6 if digits is None else digits)
        sign = 0 if not delta else (1 if delta > 0 else -1)
        tone = _tone(sign, kpi.direction)
        cards.append(
            KpiCardData(
                code=kpi.code,
                name=kpi.name_zh if lang == "zh-CN" else kpi.name_en,
                value_text=number(kpi.value, lang, digits) if kpi.value is not None else text["kpi.no_data"],
                unit=unit_text(kpi.unit, text),
                status=kpi.status,
                delta_text=f"{text['kpi.vs_yesterday']} {number(abs(delta), lang, digits)}" if delta is not None else "",
                delta_sign=sign,
                delta_tone=tone,
                delta_words=_delta_words(sign, tone, text) if delta is not None else "",
                as_of_text=local_time(kpi.as_of, zone) + (f" · {text['kpi.stale']}" if kpi.stale else "")
                + (f" · {text['src.late_source']}: {late_sources[kpi.code]}" if kpi.code in late_sources else ""),
                stale=kpi.stale,
                sparkline=tuple(kpi.sparkline),
            )
        )
    return cards
