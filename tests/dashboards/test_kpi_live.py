"""dashboards._kpi_live: which wall cards a batch of stream entries recolours (the browser side is test_wall_alarm)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dashboards._kpi_live import card_statuses
from services.indicators.rules import Reading, ThresholdRules
from tests.services.indicators.data import Def

CATALOG = {d.code: d for d in (Def("aqi", "AQI", "environment", "", "lower", 100, 200),
                                Def("noise", "噪声", "environment", "dB", "lower", 60, 70))}  # fmt: skip
T0 = datetime(2026, 5, 1, tzinfo=UTC)


def _entries(*readings: tuple[str, str | None, float]) -> list[tuple[str, dict[str, str]]]:
    rules = ThresholdRules()
    batch = [Reading(code, district, T0 + timedelta(minutes=i), v) for i, (code, district, v) in enumerate(readings)]
    return [(f"{i + 1}-0", fields) for i, fields in enumerate(rules.evaluate(batch, CATALOG))]


def test_city_crossings_of_shown_cards_only_newest_wins() -> None:
    entries = _entries(("aqi", None, 250), ("noise", None, 65), ("aqi", "350206", 300), ("aqi", None, 150))
    assert [f["msg_type"] for _id, f in entries] == ["alert", "alert", "alert", "update"]
    assert card_statuses(entries, {"aqi", "noise"}) == {"kpi-aqi": "warn", "kpi-noise": "warn"}
    assert card_statuses(entries, {"aqi"}) == {"kpi-aqi": "warn"}, "cards not on the page are left alone"
    recovered = _entries(("aqi", None, 250), ("aqi", None, 20))
    assert card_statuses(recovered, {"aqi"}) == {"kpi-aqi": "normal"}


def test_other_sources_move_no_card() -> None:
    (_id, fields), = _entries(("aqi", None, 250))
    foreign = [("9-0", {**fields, "source": "simulator", "id": "simulator:x"}), ("9-1", {"headline": "暴雨"})]
    assert card_statuses(foreign, {"aqi"}) == {}
