"""The wall's incident section and the area traces, built from plain data."""

from __future__ import annotations

from components.i18n import translator
from components.incident_map import area_traces, incident_map
from components.incident_panel import incident_section, incident_view, return_chip

TEXT = translator("zh-CN")
SQUARE = {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}}
CITY = {"type": "FeatureCollection", "features": [{**SQUARE, "id": "A"}, {**SQUARE, "id": "B"}]}
DATA = {"name": "防汛预案", "level": "III", "area": "影响区域：A", "checks_done": 1, "checks_total": 4,
        "tasks": [{"department": "water", "name": "水务", "role": "lead", "status": "accepted", "task": "排涝",
                   "left": "剩余 5 分钟", "late": False},
                  {"department": "traffic_police", "name": "交警", "role": "support", "status": "dispatched",
                   "task": "管制", "left": "超时 2 分钟", "late": True}],
        "indicators": [{"code": "rainfall", "name": "小时降雨量", "unit": "mm", "value": "42", "status": "warn"}],
        "alerts": []}


def test_the_incident_section_carries_its_hooks() -> None:
    figure = incident_map(CITY, ["A"], SQUARE, [(0.5, 0.5)])
    section = incident_section("incident", incident_view(DATA, figure, TEXT, {"type": "x"}), response="7", level="III")
    attrs = section.to_plotly_json()["props"]
    assert (attrs["data-mode"], attrs["data-response"], attrs["data-level"]) == ("incident", "7", "III")
    assert attrs["className"] == "wall-incident is-incident"
    flat = str(section)
    assert "剩余 5 分钟" in flat and "超时 2 分钟" in flat and "已完成 1/4 项" in flat and "区域内暂无预警" in flat
    assert [trace["name"] for trace in figure["data"]] == ["districts", "touched", "area", "events"]


def test_left_and_overview_sections() -> None:
    left = incident_section("left", return_chip(TEXT, {"type": "y"}), response="7", level="IV")
    assert left.to_plotly_json()["props"]["data-mode"] == "left" and TEXT["incident.return"] in str(left)
    assert incident_section("overview", []).className == "wall-incident is-overview"


def test_area_traces_for_a_maplibre_map_use_plain_lists_with_gaps() -> None:
    touched, area = area_traces([SQUARE], SQUARE, on_map=True)
    assert (touched["type"], area["type"], area["name"]) == ("scattermap", "scattermap", "area")
    assert area["lon"] == [0.0, 1.0, 1.0, 0.0, 0.0, None] and area["hoverinfo"] == "skip"
    assert area_traces([], None, on_map=False) == []
