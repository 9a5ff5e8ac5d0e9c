"""SLA cards shared by events and applications: yellow at 80 % of the time limit, red once overdue (DESIGN.md).

One function so that the event map, the linkage panel and the approvals pages colour a case the same way.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

SlaCard = Literal["none", "yellow", "red"]

YELLOW_SHARE = 0.8


def sla_card(started: datetime | None, due: datetime | None, now: datetime) -> SlaCard:
    """The card of a case started at `started` with its limit at `due`, seen at `now`.

    "red" once `now` is past `due`; "yellow" once 80 % of the limit (started → due) is used; otherwise "none".
    A case without a limit (or a start) never gets a card; a limit not after its start is red as soon as it is due.
    For a finished case pass its finish time as `now`, so it keeps the card it earned.
    """
    if due is None or started is None:
        return "none"
    if now > due:
        return "red"
    limit = (due - started).total_seconds()
    if limit <= 0:
        return "none"
    used = (now - started).total_seconds()
    return "yellow" if used >= YELLOW_SHARE * limit else "none"
