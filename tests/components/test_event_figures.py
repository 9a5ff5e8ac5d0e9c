"""The /events figures from hand-made frames: trace types, what a click carries, no tile source anywhere."""

from __future__ import annotations

import base64
import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from components.event_figures import (
    dispatch_timeline,
    district_choropleth,
    grid_map,
    linkage_bars,
    point_map,
    trend_line,
    zoom_for,
)

SQUARE = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "id": "A", "properties": {},
     "geometry": {"type": "Polygon", "coordinates": [[[118.0, 24.4], [118.1, 24.4], [118.1, 24.5], [118.0, 24.4]]]}},
    {"type": "Feature", "id": "B", "properties": {},
     "geometry": {"type": "MultiPolygon", "coordinates": [[[[118.2, 24.4], [118.3, 24.4], [118.3, 24.5],
                                                            [118.2, 24.4]]]]}}]}
LABELS = {"open": "open", "overdue": "overdue", "events": "events"}


def _points(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    return pd.DataFrame({"id": np.arange(n), "lon": rng.uniform(118, 118.3, n), "lat": rng.uniform(24.4, 24.5, n),
                         "status": rng.choice(["reported", "dispatched", "closed"], n),
                         "severity": rng.choice(["minor", "severe"], n), "category": "traffic"})


def _decoded(spec: dict) -> np.ndarray:
    return np.frombuffer(base64.b64decode(spec["bdata"]), dtype="<" + spec["dtype"])


def test_point_map_is_webgl_one_trace_per_status_over_outlines():
    frame = _points(1000)
    figure = point_map(SQUARE, frame, colour_by="status", names={"closed": "结案"})
    outline, *dots = figure["data"]
    assert outline["type"] == "scatter" and outline["mode"] == "lines"
    assert np.isnan(_decoded(outline["x"])).sum() == 2  # one polyline per ring, rings cut by NaN
    assert {t["type"] for t in dots} == {"scattergl"} and sum(len(_decoded(t["x"])) for t in dots) == 1000
    assert "结案" in {t["name"] for t in dots}
    closed = next(t for t in dots if t["name"] == "结案")
    ids = _decoded(closed["customdata"])
    assert set(ids) == set(frame.loc[frame["status"] == "closed", "id"])  # a click carries the event id
    assert np.allclose(_decoded(closed["x"]), frame.set_index("id").loc[ids, "lon"], atol=1e-5)
    assert figure["layout"]["yaxis"]["scaleanchor"] == "x"
    by_severity = point_map(SQUARE, _points(100), colour_by="severity")
    assert {t["name"] for t in by_severity["data"][1:]} == {"minor", "severe"}


def test_big_groups_are_split_below_plotlys_spatial_index_threshold():
    frame = _points(120_000).assign(status="closed")
    dots = point_map(SQUARE, frame)["data"][1:]
    assert [len(_decoded(t["x"])) for t in dots] == [50_000, 50_000, 20_000]
    assert [t["showlegend"] for t in dots] == [True, False, False] and {t["legendgroup"] for t in dots} == {"closed"}


def test_density_view_draws_a_density_layer_instead_of_dots():
    figure = point_map(SQUARE, _points(500), density=True)
    assert [t["type"] for t in figure["data"]] == ["scatter", "histogram2dcontour"]


def test_a_hundred_thousand_points_travel_as_typed_arrays():
    text = pio.to_json(point_map(SQUARE, _points(100_000)), validate=False)
    assert '"bdata"' in text and len(text) < 2_000_000
    go.Figure(point_map(SQUARE, _points(100)))  # and Plotly's own validation accepts the figure


def test_choropleths_are_offline_and_carry_what_a_click_needs():
    counts = pd.DataFrame({"district": ["A"], "events": [5], "open": [3], "overdue": [1]})
    figure = district_choropleth(SQUARE, {"A": "甲", "B": "乙"}, counts, center=(24.45, 118.15), labels=LABELS)
    assert figure["data"][0]["locations"] == ["A", "B"] and figure["data"][0]["z"] == [3, 0]
    style = figure["layout"]["map"]["style"]
    assert all("url" not in source and "tiles" not in source for source in style["sources"].values())
    assert [layer["type"] for layer in style["layers"]] == ["background"]
    cells = {"type": "FeatureCollection", "features": [dict(SQUARE["features"][0], id="A-r1c2")]}
    drilled = grid_map(cells, pd.DataFrame({"cell": ["A-r1c2"], "events": [4]}), _points(50),
                       bounds=(118.0, 24.4, 118.1, 24.5), labels=LABELS)
    shaded, *dots = drilled["data"]
    assert shaded["type"] == "choroplethmap" and {t["type"] for t in dots} == {"scattermap"}
    assert shaded["z"] == [4]
    assert sorted(i for t in dots for i in _decoded(t["customdata"])) == list(range(50))
    assert zoom_for((118.0, 24.4, 118.1, 24.5)) > zoom_for((117.8, 24.3, 118.5, 24.9))
    assert "http" not in json.dumps(figure["layout"]["map"]) + json.dumps(drilled["layout"]["map"])
    go.Figure(figure), go.Figure(drilled)  # Plotly's own validation accepts both


def test_timeline_draws_done_stages_solid_and_running_ones_dotted_to_now():
    now = pd.Timestamp("2026-11-23 12:00", tz="UTC")
    frame = pd.DataFrame({
        "department": ["police", "medical"],
        "dispatched_at": [now - pd.Timedelta(hours=2), now - pd.Timedelta(hours=1)],
        "accepted_at": [now - pd.Timedelta(hours=1.5), pd.NaT],
        "arrived_at": [now - pd.Timedelta(hours=1), pd.NaT],
        "finished_at": [pd.NaT, pd.NaT],
    })
    figure = dispatch_timeline(frame, names={"police": "公安"}, stage_labels={"accept": "签收", "arrive": "到场",
                                                                            "finish": "处置"}, now=now,
                               texts={"empty": "暂无", "axis": "时间（本地）"})
    assert figure.layout.xaxis.title.text == "时间（本地）"
    drawn = {(t.name, t.line.dash): [y for y in t.y if y] for t in figure.data if len(t.x)}
    assert drawn == {("签收", "solid"): ["公安", "公安"], ("签收", "dot"): ["medical", "medical"],
                     ("到场", "solid"): ["公安", "公安"], ("处置", "dot"): ["公安", "公安"]}


def test_linkage_bars_put_the_worst_bottleneck_on_top_and_trend_is_a_share():
    stats = pd.DataFrame({"department": ["police", "water"], "finish_p50": [30.0, 90.0], "finish_p90": [60.0, 300.0],
                          "rank": [2, 1]})
    bars = linkage_bars(stats, names={"water": "水务"}, texts={"p50": "p50", "p90": "p90", "title": "用时",
                                                              "x": "用时（分钟）", "y": "部门"})
    assert list(bars.data[0].y) == ["police", "水务"]  # the horizontal axis draws its last category on top
    assert (bars.layout.title.text, bars.layout.xaxis.title.text, bars.layout.yaxis.title.text) == (
        "用时", "用时（分钟）", "部门")
    trend = trend_line(pd.DataFrame({"period": pd.to_datetime(["2026-11-22", "2026-11-23"]), "events": [10, 12],
                                     "multi_share": [0.2, 0.25]}),
                       texts={"name": "share", "title": "多部门协同趋势", "x": "日期", "y": "占比（%）"})
    assert trend.layout.yaxis.tickformat == ".0%"
    # the trend had no title and no axis titles: a reader could not tell what the line measured, nor in what unit
    assert (trend.layout.title.text, trend.layout.xaxis.title.text, trend.layout.yaxis.title.text) == (
        "多部门协同趋势", "日期", "占比（%）")


def test_an_event_without_dispatches_gets_a_timeline_that_says_why_it_is_empty():
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in ("department", "dispatched_at", "accepted_at",
                                                                "arrived_at", "finished_at")})
    figure = dispatch_timeline(empty, names={}, stage_labels={"accept": "签收", "arrive": "到场", "finish": "处置"},
                               now=pd.Timestamp("2026-11-23 12:00", tz="UTC"),
                               texts={"empty": "暂无处置记录：事件尚未派遣到部门", "axis": "时间"})
    assert [a.text for a in figure.layout.annotations] == ["暂无处置记录：事件尚未派遣到部门"]
    assert not figure.data and figure.layout.xaxis.visible is False
