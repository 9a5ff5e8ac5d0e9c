"""The wall's KPI cards follow the threshold rules at once: a crossing or recovery on the alert stream recolours its
indicator's card in the same push that puts the alert on the ticker, instead of waiting for the slow refresh.

Only the card's status hooks change (`data-status` and the status class), by property update: nothing is rebuilt,
and the value and sparkline follow at the next refresh. Entries are decoded by `services.indicators.status_change`, so
only the rules' own messages for the whole city (the wall's cards are city-wide) move a card.
"""

from __future__ import annotations

from collections.abc import Collection

from dash import set_props

from services.alerts import Entry
from services.indicators import status_change


def card_statuses(entries: list[Entry], codes: Collection[str]) -> dict[str, str]:
    """Card id -> the status the newest of `entries` gives it, for the city cards of `codes` (the cards shown)."""
    statuses: dict[str, str] = {}
    for _stream_id, fields in entries:
        change = status_change(fields)
        if change is not None and change.district is None and change.code in codes:
            statuses[f"kpi-{change.code}"] = change.status
    return statuses


def push_kpi_statuses(entries: list[Entry], codes: Collection[str]) -> None:
    """Inside a websocket callback: set each affected card's status hooks (call it with every pushed batch)."""
    for card_id, status in card_statuses(entries, codes).items():
        set_props(card_id, {"data-status": status, "className": f"kpi-card status-{status}"})
