"""The approvals figures from plain frames: the throughput Patch brings a drawn figure to exactly what a fresh
build of the newer window shows (in place: the still-filling hour rewritten, new hours appended, old ones
dropped), and the ranking, review, bundle figures and drill tables carry what the page relies on."""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.io as pio
from dash import html

from components.approval_figures import (
    bundle_figure,
    card_badge,
    ranking_figure,
    review_figure,
    table,
    throughput_figure,
    throughput_patch,
    titled,
)

NAMES = {"received": "受理", "completed": "办结", "backlog": "在办"}


def _hours(start: str, n: int, seed: int) -> pd.DataFrame:
    hours = pd.date_range(start, periods=n, freq="h", tz="UTC")
    return pd.DataFrame({"hour": hours, "received": [(i * 7 + seed) % 13 for i in range(n)],
                         "completed": [(i * 5 + seed) % 11 for i in range(n)],
                         "backlog": [100 + i + seed for i in range(n)]})


def _apply(figure: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """What the browser does with a Patch's operations (the three kinds throughput_patch uses)."""
    for op in patch["operations"]:
        *path, last = op["location"]
        target = figure
        for step in path:
            target = target[step]
        if op["operation"] == "Assign":
            target[last] = op["params"]["value"]
        elif op["operation"] == "Append":
            target[last].append(op["params"]["value"])
        elif op["operation"] == "Delete":
            del target[last]
        else:
            raise AssertionError(f"unexpected operation {op['operation']}")
    return figure


def _plain(figure: Any) -> dict[str, Any]:
    data = pio.to_json(figure, validate=False)
    plain = pio.from_json(data).to_plotly_json()
    for trace in plain["data"]:
        trace["x"], trace["y"] = list(trace["x"]), list(trace["y"])
    return plain


def test_throughput_patch_equals_a_fresh_build_of_the_newer_window():
    before = _hours("2026-11-22 10:00", 24, 0)
    later = before.iloc[2:].copy()
    later.loc[later.index[-1], ["received", "completed", "backlog"]] = [40, 30, 222]  # the filling hour grew
    extra = _hours("2026-11-23 10:00", 2, 3)
    after = pd.concat([later, extra], ignore_index=True)
    labels = lambda f: [h.strftime("%d %H:%M") for h in f["hour"]]  # noqa: E731
    drawn = _plain(throughput_figure(before, labels(before), NAMES))
    recent = after.iloc[-3:]

    patch, last = throughput_patch(recent, [h.isoformat() for h in recent["hour"]], labels(recent),
                                   before["hour"].iloc[-1].isoformat(), size=24)

    patched = _apply(drawn, patch.to_plotly_json())
    fresh = _plain(throughput_figure(after, labels(after), NAMES))
    assert last == after["hour"].iloc[-1].isoformat()
    for got, want in zip(patched["data"], fresh["data"], strict=True):
        assert got["x"] == want["x"] and got["y"] == want["y"] and len(got["y"]) == 24
    assert patched["layout"] == fresh["layout"]


def test_throughput_patch_within_the_same_hour_only_rewrites_the_last_point():
    frame = _hours("2026-11-22 10:00", 24, 0)
    recent = frame.iloc[-1:].assign(received=99)
    patch, last = throughput_patch(recent, [frame["hour"].iloc[-1].isoformat()], ["x"],
                                   frame["hour"].iloc[-1].isoformat(), size=24)
    ops = patch.to_plotly_json()["operations"]
    assert last == frame["hour"].iloc[-1].isoformat()
    assert {op["operation"] for op in ops} == {"Assign"} and len(ops) == 3
    assert ops[0] == {"operation": "Assign", "location": ["data", 0, "y", 23], "params": {"value": 99}}


def test_ranking_bars_carry_their_code_and_rate():
    frame = pd.DataFrame({"key": ["d1", "d2", "d3"], "on_time_rate": [0.99, 0.8, float("nan")],
                          "received": [10, 20, 0]})
    figure = ranking_figure(frame, {"d1": "一", "d2": "二"}, {"on_time": "按期"})
    bar = figure.data[0]
    assert list(bar.y) == ["d3", "二", "一"]  # worst at the bottom of a horizontal bar chart
    assert [c[0] for c in bar.customdata] == ["d3", "d2", "d1"] and list(bar.x) == [0, 80, 99]
    assert bar.text[0] == "—"


def test_review_and_bundle_figures():
    reviews = review_figure({1: 3, 5: 40}, {v: f"L{v}" for v in range(1, 6)})
    assert list(reviews.data[0].x) == ["L5", "L4", "L3", "L2", "L1"] and list(reviews.data[0].y) == [40, 0, 0, 0, 3]
    bundles = pd.DataFrame({"bundle": ["b1"], "cases": [4], "parallel_hours": [10.0], "sequential_hours": [30.0],
                            "saved_hours": [20.0], "saved_share": [2 / 3]})
    figure = bundle_figure(bundles, {"b1": "出生一件事"}, {"parallel": "并联", "sequential": "串联"})
    assert [t.name for t in figure.data] == ["串联", "并联"] and figure.data[1].x[0] == 10.0


def test_drill_table_buttons_and_cards():
    rows = [{"key": "d1", "name": "一", "n": 3, "card": card_badge("red", "红牌")}]
    built = table(rows, [("name", "名称"), ("n", "件数"), ("card", "时限")], drill="department", table_id="t",
                  empty="无")
    body = built.children[1].children[0]
    button = body.children[0].children
    assert isinstance(button, html.Button) and button.id == {"type": "apv-drill", "level": "department", "key": "d1"}
    assert body.children[2].children.to_plotly_json()["props"]["data-card"] == "red"
    assert isinstance(table([], [("name", "名称")], table_id="t", empty="无"), html.P)


def test_daily_throughput_is_on_a_date_axis_of_iso_days_and_hours_are_categories():
    """Strings like "11-26" on an untyped axis was read as a date in 2012 (Plotly drew "Jan 1 2012 … Jan 29"): days are ISO dates
    on a date axis, clock hours a category axis."""
    days = pd.DataFrame({"received": [5, 7], "completed": [4, 6], "backlog": [10, 11]})
    daily = throughput_figure(days, ["2026-11-26", "2026-11-27"], NAMES, xaxis={"type": "date", "dtick": 86_400_000},
                              markers=True)
    assert daily.layout.xaxis.type == "date" and list(daily.data[0].x) == ["2026-11-26", "2026-11-27"]
    assert daily.data[0].mode == "lines+markers", "a single day must still show"
    hourly = throughput_figure(_hours("2026-11-22 10:00", 3, 0), ["10:00", "11:00", "12:00"], NAMES)
    assert hourly.layout.xaxis.type == "category"


def test_a_titled_chart_names_itself_and_its_axes():
    figure = titled(throughput_figure(_hours("2026-11-22 10:00", 3, 0), ["10:00", "11:00", "12:00"], NAMES),
                    {"title": "办件量", "x": "时间", "y": "办件量（件）", "y2": "在办（件）"})
    assert figure.layout.title.text == "办件量"
    assert (figure.layout.xaxis.title.text, figure.layout.yaxis.title.text, figure.layout.yaxis2.title.text) == (
        "时间", "办件量（件）", "在办（件）")
    pio.to_json(figure, validate=True)
