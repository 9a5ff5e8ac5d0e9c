"""components.indicator_figures: plain frames in, dark-theme figures with thresholds, highlights and no tile source."""

from __future__ import annotations

import json

import pandas as pd
import plotly.io as pio

from components.indicator_figures import comparison_figure, district_choropleth, trend_figure
from components.theme import ACCENT, OFFLINE_MAP_STYLE, STATUS_COLOURS

LABELS = {"avg": "均值", "range": "最小–最大", "max": "最大值", "latest": "最新值", "normal": "正常", "warn": "预警",
          "alarm": "报警", "nodata": "无数据", "trend_title": "趋势", "map_title": "各区最新值", "compare_title": "各区对比",
          "time_axis": "时间", "district_axis": "区县", "value_axis": "空气质量指数（AQI）", "avg_axis": "均值（AQI）"}  # fmt: skip
NAMES = {"350203": "思明区", "350206": "湖里区", "350211": "集美区"}
GEOJSON = {
    "type": "FeatureCollection",
    "features": [
        {"type": "Feature", "id": code, "properties": {"adcode": code},
         "geometry": {"type": "Polygon", "coordinates": [[[118 + i, 24], [118.1 + i, 24], [118 + i, 24.1], [118 + i, 24]]]}}
        for i, code in enumerate(NAMES)
    ],
}  # fmt: skip


def _trend() -> pd.DataFrame:
    starts = pd.date_range("2026-03-01 00:00", periods=3, freq="h", tz="UTC")
    return pd.DataFrame({"bucket_start": starts, "avg": [90.0, 110.0, 210.0], "min": [80.0, 95.0, 190.0],
                         "max": [99.0, 130.0, 230.0], "n": [12, 12, 12]})  # fmt: skip


def test_trend_has_band_average_and_both_threshold_lines_in_local_time() -> None:
    figure = trend_figure(_trend(), zone="Asia/Shanghai", unit="AQI", warn=100, alarm=200, labels=LABELS, lang="zh-CN")
    band, line = figure.data
    assert (band.name, line.name) == ("最小–最大", "均值")
    assert list(line.y) == [90.0, 110.0, 210.0]
    assert pd.Timestamp(line.x[0]) == pd.Timestamp("2026-03-01 08:00")  # UTC midnight is 08:00 in Shanghai
    assert list(band.y) == [99.0, 130.0, 230.0, 190.0, 95.0, 80.0]
    lines = {(s.y0, s.line.color) for s in figure.layout.shapes}
    assert lines == {(100, STATUS_COLOURS["warn"]), (200, STATUS_COLOURS["alarm"])}
    assert {a.text for a in figure.layout.annotations} == {"预警 100", "报警 200"}
    assert figure.layout.paper_bgcolor == "rgba(0,0,0,0)"
    pio.to_json(figure, validate=True)


def test_trend_without_thresholds_or_data() -> None:
    empty = _trend().iloc[:0]
    figure = trend_figure(empty, zone="UTC", unit="", warn=None, alarm=None, labels=LABELS, lang="en")
    assert figure.layout.shapes == () and list(figure.data[1].y) == []


def test_comparison_sorts_by_average_and_highlights_the_selected_district() -> None:
    frame = pd.DataFrame({"district": ["350203", "350206", "350211"], "avg": [120.0, 80.0, 150.0],
                          "max": [180.0, 95.0, 260.0], "last": [100.0, 70.0, 240.0]})  # fmt: skip
    figure = comparison_figure(frame, names=NAMES, selected="350203", unit="AQI", labels=LABELS)
    bars, peaks = figure.data
    assert list(bars.y) == ["湖里区", "思明区", "集美区"] and list(bars.x) == [80.0, 120.0, 150.0]
    assert list(bars.marker.color).count(ACCENT) == 1 and bars.marker.color[1] == ACCENT
    assert [row[0] for row in bars.customdata] == ["350206", "350203", "350211"], "a bar click names its district"
    assert list(peaks.x) == [95.0, 180.0, 260.0]


def test_comparison_draws_no_city_threshold_over_district_bars() -> None:
    """The catalog's warn and alarm are the whole city's (900 calls an hour over districts' ~40): no line for them."""
    frame = pd.DataFrame({"district": ["350203", "350206"], "avg": [41.0, 38.0], "max": [60.0, 52.0],
                          "last": [40.0, 39.0]})  # fmt: skip
    figure = comparison_figure(frame, names=NAMES, selected=None, unit="calls", labels=LABELS)
    assert figure.layout.shapes == () and figure.layout.annotations == ()


def test_every_chart_has_a_title_and_axis_titles_with_the_unit() -> None:
    trend = trend_figure(_trend(), zone="UTC", unit="AQI", warn=None, alarm=None, labels=LABELS, lang="zh-CN")
    assert trend.layout.title.text == "趋势"
    assert (trend.layout.xaxis.title.text, trend.layout.yaxis.title.text) == ("时间", "空气质量指数（AQI）")
    frame = pd.DataFrame({"district": ["350203"], "avg": [1.0], "max": [2.0], "last": [1.0]})
    compare = comparison_figure(frame, names=NAMES, selected=None, unit="AQI", labels=LABELS)
    assert compare.layout.title.text == "各区对比"
    assert (compare.layout.xaxis.title.text, compare.layout.yaxis.title.text) == ("均值（AQI）", "区县")
    latest = pd.DataFrame({"district": ["350203"], "value": [1.0], "status": ["normal"]})
    shading = district_choropleth(GEOJSON, latest, names=NAMES, selected=None, center=(24.5, 118.1), unit="AQI",
                                  labels=LABELS)  # fmt: skip
    assert shading.layout.title.text == "各区最新值" and shading.data[0].colorbar.title.text == "AQI"


def test_the_trend_is_on_a_date_axis_written_as_the_language_writes_dates() -> None:
    zh = trend_figure(_trend(), zone="UTC", unit="AQI", warn=None, alarm=None, labels=LABELS, lang="zh-CN")
    en = trend_figure(_trend(), zone="UTC", unit="AQI", warn=None, alarm=None, labels=LABELS, lang="en")
    assert zh.layout.xaxis.type == en.layout.xaxis.type == "date"
    assert [s.value for s in zh.layout.xaxis.tickformatstops][1] == "%-m月%-d日"
    assert [s.value for s in en.layout.xaxis.tickformatstops][1] == "%b %-d"


def test_choropleth_is_offline_clickable_by_adcode_and_marks_missing_districts() -> None:
    latest = pd.DataFrame({"district": ["350203", "350206"], "value": [250.0, 60.0], "status": ["alarm", "normal"]})
    figure = district_choropleth(GEOJSON, latest, names=NAMES, selected="350206", center=(24.5, 118.1), unit="AQI",
                                 labels=LABELS)  # fmt: skip
    trace, outline = figure.data
    assert trace.type == "choroplethmap" and list(trace.locations) == list(NAMES)
    assert list(trace.z) == [250.0, 60.0, 0.0]
    assert [tuple(c) for c in trace.customdata] == [(250.0, "报警"), (60.0, "正常"), ("—", "无数据")]
    assert (list(outline.locations), outline.marker.line.width, outline.marker.line.color) == (["350206"], 4, ACCENT)
    assert outline.hoverinfo == "skip" and outline.showscale is False
    unselected = district_choropleth(GEOJSON, latest, names=NAMES, selected=None, center=(24.5, 118.1), unit="",
                                     labels=LABELS)  # fmt: skip
    assert len(unselected.data) == 1
    assert figure.layout.map.style == OFFLINE_MAP_STYLE
    assert "http" not in json.dumps(figure.layout.map.to_plotly_json())
    pio.to_json(figure, validate=True)
