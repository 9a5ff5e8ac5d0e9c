"""Naming the late sources where stale data shows (issue 19): on the wall's KPI cards and in the operator console,
so a duty officer sees which department's feed stopped, not only that a panel turned amber."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from dash import html

from components.i18n import translator
from components.sources import late_sources_note
from dashboards._runtime import runtime
from services import sources


def _name(source: sources.LateSource, lang: str) -> str:
    return source.name_zh if lang == "zh-CN" else source.name_en


def names_by_indicator(late: dict[str, list[sources.LateSource]], codes: Sequence[str], lang: str) -> dict[str, str]:
    """Indicator code -> the late sources it depends on, for the card's stale note."""
    named = {}
    for code in codes:
        found = late.get(f"kpi-{code}", []) + late.get("kpi-*", [])
        if found:
            named[code] = "、".join(dict.fromkeys(_name(source, lang) for source in found))
    return named


def console_note(lang: str) -> html.Div:
    """`#console-late-sources`: every late or silent source, for the operator console's header."""
    with runtime().sessions() as session:
        late = sources.late_sources(session, now=datetime.now(UTC))
    text = translator(lang)
    unique = {source.id: source for found in late.values() for source in found}
    return late_sources_note([(_name(s, lang), text[f"src.state.{s.state}"]) for s in unique.values()], text)
