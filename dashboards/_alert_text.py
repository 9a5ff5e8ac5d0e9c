"""Headlines in the page's language where the headline is ours.

A sender's headline is shown as sent. But the threshold rules (services/indicators/rules.py) and the demo city's
simulator write theirs in Chinese from names we hold in both languages (the indicator, the district, the simulated
incident), so an English page rebuilds them from those names rather than show Chinese text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from components.i18n import translator
from dashboards._runtime import runtime
from services.indicators import RULES_SOURCE as RULES

SIMULATOR = "simulator"  # services/demo/simulator.py alert_fields' source

Headline = Callable[[Mapping[str, str]], str]


def headline_in(lang: str) -> Headline:
    """`headline(fields)`: the entry's headline for a page in `lang`."""
    if lang == "zh-CN":
        return lambda fields: fields.get("headline", "")
    rt = runtime()
    text = translator(lang)
    areas = rt.pack.city.names(lang)
    city = rt.settings.city_name_en or text["alert.city"]
    indicators = {row.code: row.name_en for row in rt.pack.catalogs.indicators}

    def headline(fields: Mapping[str, str]) -> str:
        area = areas.get(fields.get("district") or "", city)
        source, event = fields.get("source"), fields.get("event", "")
        if source == RULES and event in indicators:
            level = "cancel" if fields.get("msg_type") == "cancel" else fields.get("severity", "")
            return text["alert.rules"].format(area=area, indicator=indicators[event],
                                              level=text.get(f"alert.rules.{level}", level))
        if source == SIMULATOR and f"alert.simulated.{event}" in text:
            return text["alert.simulated"].format(area=area, event=text[f"alert.simulated.{event}"])
        return fields.get("headline", "")

    return headline


def row_fields(row: Any) -> dict[str, str]:
    """A stored alert's row (services.alerts.ConsoleRow) as the stream fields `headline_in` reads."""
    return {"headline": row.headline, "source": row.source, "event": row.event, "district": row.district or "",
            "severity": row.severity, "msg_type": "cancel" if row.status == "cancelled" else "alert"}
