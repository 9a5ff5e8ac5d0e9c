"""SLA cards: yellow at 80 % of the limit, red once overdue, none without a limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.sla import sla_card

START = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
DUE = START + timedelta(hours=10)


@pytest.mark.parametrize(
    ("hours", "card"),
    [(0, "none"), (7.9, "none"), (8, "yellow"), (9.99, "yellow"), (10, "yellow"), (10.01, "red"), (48, "red")],
)
def test_card_follows_the_share_of_the_limit_used(hours, card):
    assert sla_card(START, DUE, START + timedelta(hours=hours)) == card


def test_no_limit_no_card_and_a_zero_limit_turns_red_only_when_passed():
    assert sla_card(START, None, START + timedelta(days=30)) == "none"
    assert sla_card(None, DUE, START) == "none"
    assert sla_card(START, START, START) == "none"
    assert sla_card(START, START, START + timedelta(seconds=1)) == "red"
