"""The wall's map panel refreshes in place: its callback sends a Patch of the traces' data (each district's shade, the
labels' counts, the dots), never a new figure, and the patched numbers are the store's."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import numpy as np
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select

from dashboards._auth import as_principal
from dashboards._wall_map import map_panel, map_patch
from services.access import Principal, Role
from services.events import queries as events
from services.store import Event


def decoded(spec: dict[str, str]) -> np.ndarray:
    """A plotly.js typed-array spec back as numpy, as the browser reads it."""
    return np.frombuffer(base64.b64decode(spec["bdata"]), dtype="<" + spec["dtype"])


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
                          *(("data", districts, *key.split(".")) for key in ("x", "y", "marker.color", "customdata"))}
    with wall_runtime.sessions() as session:
        expected = events.open_by_district(session=session, now=datetime.now(UTC)).set_index("district")
    counts = [int(expected["open"].get(code, 0)) for code in names]
    assert [paths[("layout", "annotations", i, "text")] for i in range(districts)] == [
        f"{name}<br><b>{n}</b>" for name, n in zip(names.values(), counts, strict=True)]
    busiest = counts.index(max(counts))
    assert paths[("layout", "annotations", busiest, "hovertext")] == (
        f"在办事件 {counts[busiest]} · 超期 {int(expected['overdue'].get(list(names)[busiest], 0))}")
    assert paths[("data", busiest, "fillcolor")] == "rgb(47, 209, 255)", "the busiest district takes the top shade"
    dots = {key: decoded(paths[("data", districts, key)]) for key in ("x", "y", "customdata")}
    assert len(dots["x"]) == len(dots["y"]) == len(dots["customdata"]) > 0
    with wall_runtime.sessions() as session:
        shown = session.execute(select(Event.id, Event.lon).where(Event.id.in_(dots["customdata"].tolist()))).all()
    assert len(shown) == len(dots["customdata"]), "every dot is an event"
    lon_of = dict(shown)
    assert all(abs(lon_of[i] - x) < 1e-4 for i, x in zip(dots["customdata"].tolist(), dots["x"], strict=True))
    assert as_of.tzinfo is not None and as_of_text.count(":") == 2
    graph = first.children[1].children[0]  # the panel's body holds the graph, built once
    assert graph.id == "event-map"
    assert [t["type"] for t in graph.figure["data"]] == ["scatter"] * districts + ["scattergl"]
    assert graph.figure["data"][busiest]["fillcolor"] == "rgb(47, 209, 255)"
    assert graph.figure["layout"]["annotations"][busiest]["text"].endswith(f"<b>{counts[busiest]}</b>")


def test_a_new_event_reaches_the_drawn_map_on_the_next_refresh(dash_duo, open_page, wall_runtime):
    """In the browser: the refresh's typed arrays are decoded and drawn, and a new open event is among the dots."""
    open_page("/wall", role="wall")
    dash_duo.wait_for_element("#event-map canvas.gl-canvas-context", timeout=15)
    with wall_runtime.sessions() as session:
        event = Event(category="fire", source="patrol", severity="extreme", status="reported",
                      reported_at=datetime.now(UTC), district="350203", lat=24.4532, lon=118.0891)
        session.add(event)
        session.commit()
        new_id = event.id
    dash_duo.driver.execute_script("window.dash_clientside.set_props('map-refresh', {interval: 500});")
    drawn = """const gd = document.querySelector('#event-map .js-plotly-plot');
               const dots = gd._fullData[gd._fullData.length - 1];
               return [dots.type, Array.from(dots.customdata || []).includes(arguments[0]), dots._length];"""
    WebDriverWait(dash_duo.driver, 20).until(lambda d: d.execute_script(drawn, new_id)[1])
    kind, _, length = dash_duo.driver.execute_script(drawn, new_id)
    assert kind == "scattergl" and length > 1
    assert dash_duo.get_logs() == [], "the browser console has errors"
