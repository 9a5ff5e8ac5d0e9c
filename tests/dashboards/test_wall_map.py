"""The wall's map panel refreshes in place: its callback sends a Patch of the traces' data (each district's shade, the
labels' counts, the dots), never a new figure, and the patched numbers are the store's."""

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
    names = wall_runtime.city.names("zh-CN")
    districts = len(names)
    assert set(paths) == {*(("data", i, "fillcolor") for i in range(districts)),
                          *(("layout", "annotations", i, key) for i in range(districts) for key in ("text", "hovertext")),
                          *(("data", districts, *key.split(".")) for key in ("x", "y", "marker.color", "text", "customdata"))}
    with wall_runtime.sessions() as session:
        expected = events.open_by_district(session=session, now=datetime.now(UTC)).set_index("district")
    counts = [int(expected["open"].get(code, 0)) for code in names]
    assert [paths[("layout", "annotations", i, "text")] for i in range(districts)] == [
        f"{name}<br><b>{n}</b>" for name, n in zip(names.values(), counts, strict=True)]
    busiest = counts.index(max(counts))
    assert paths[("layout", "annotations", busiest, "hovertext")] == (
        f"在办事件 {counts[busiest]} · 超期 {int(expected['overdue'].get(list(names)[busiest], 0))}")
    assert paths[("data", busiest, "fillcolor")] == "rgb(47, 209, 255)", "the busiest district takes the top shade"
    assert len(paths[("data", districts, "x")]) == len(paths[("data", districts, "customdata")]) > 0
    assert as_of.tzinfo is not None and as_of_text.count(":") == 2
    graph = first.children[1].children[0]  # the panel's body holds the graph, built once
    assert graph.id == "event-map"
    assert [t["type"] for t in graph.figure["data"]] == ["scatter"] * districts + ["scattergl"]
    assert graph.figure["data"][busiest]["fillcolor"] == "rgb(47, 209, 255)"
    assert graph.figure["layout"]["annotations"][busiest]["text"].endswith(f"<b>{counts[busiest]}</b>")
