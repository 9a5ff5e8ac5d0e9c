"""The live push shows a district-bound user only their districts' alerts and the city-wide ones."""

from __future__ import annotations

from dashboards._alert_push import in_scope
from services.access import CITY_WIDE, Scope


def _entry(stream_id: str, district: str) -> tuple[str, dict[str, str]]:
    return stream_id, {"id": stream_id, "district": district, "headline": stream_id}


def test_a_district_scope_sees_its_own_and_city_wide_alerts_only():
    entries = [_entry("1-0", "350203"), _entry("2-0", "350206"), _entry("3-0", "")]
    siming = Scope.of(districts=["350203"])
    assert [sid for sid, _ in in_scope(entries, siming)] == ["1-0", "3-0"]
    assert in_scope(entries, CITY_WIDE) == entries
    assert in_scope(entries, Scope.of(departments=["police"])) == entries  # alerts carry no department
