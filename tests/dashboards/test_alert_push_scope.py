"""The live push: a district-bound user sees only their districts' alerts and the city-wide ones; a worker paces its
screens' updates by how many it carries."""

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


def test_the_gap_between_updates_grows_with_the_screens_a_worker_carries(monkeypatch):
    """A worker's storm updates stay about 1 / PER_SCREEN_GAP_SECONDS a second in all, however many screens."""
    from dashboards import _alert_push

    monkeypatch.setattr(_alert_push, "_owner", {"wall": object()})
    assert _alert_push.push_gap() == _alert_push.PUSH_GAP_SECONDS
    monkeypatch.setattr(_alert_push, "_owner", {f"screen-{n}": object() for n in range(200)})
    assert _alert_push.push_gap() == 200 * _alert_push.PER_SCREEN_GAP_SECONDS > _alert_push.PUSH_GAP_SECONDS
