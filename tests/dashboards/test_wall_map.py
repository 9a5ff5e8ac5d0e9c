"""The wall's map panel refreshes in place: its callback sends a Patch of the two traces' data, never a new figure,
and the patched numbers are the store's."""

from __future__ import annotations

from datetime import UTC, datetime

from dashboards._auth import as_principal
from dashboards._wall_map import map_panel, map_patch
from services import events
from services.access import Principal, Role


def test_refresh_patches_counts_and_dots_into_the_figure_in_place(wall_app, wall_runtime):
    with as_principal(Principal("wang", Role.OPERATOR)):
        first = map_panel("zh-CN")
        patch, as_of, as_of_text = map_patch("zh-CN")
    operations = patch.to_plotly_json()["operations"]
    paths = {tuple(op["location"]): op["params"]["value"] for op in operations if op["operation"] == "Assign"}
    assert set(paths) == {("data", 0, "z"), ("data", 0, "customdata"), ("data", 1, "lat"), ("data", 1, "lon"),
                          ("data", 1, "marker", "color"), ("data", 1, "text"), ("data", 1, "customdata")}
    with wall_runtime.sessions() as session:
        expected = events.open_by_district(session=session, now=datetime.now(UTC)).set_index("district")["open"]
    names = wall_runtime.city.names("zh-CN")
    assert list(paths[("data", 0, "z")]) == [int(expected.get(code, 0)) for code in names]
    assert len(paths[("data", 1, "lat")]) == len(paths[("data", 1, "customdata")]) > 0
    assert as_of.tzinfo is not None and as_of_text.count(":") == 2
    graph = first.children[1].children[0]  # the panel's body holds the graph, built once
    assert graph.id == "event-map" and [t["type"] for t in graph.figure["data"]] == ["choroplethmap", "scattermap"]
