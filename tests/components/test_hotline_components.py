"""The /hotline builders: every bar carries what it drills by, every number that stands for orders is a drill
button with its hooks, and the panel carries the stable hooks of the order's life."""

from __future__ import annotations

import pandas as pd

from components.hotline_figures import categories_figure, volume_figure
from components.hotline_order import Part, order_actions, order_body
from components.hotline_panels import DRILL, Tile, plain_table, tiles, topic_list, verdicts


def _ids(component) -> list:  # type: ignore[no-untyped-def]
    """Every id in a component tree."""
    found = []
    stack = [component]
    while stack:
        node = stack.pop()
        if isinstance(node, list | tuple):
            stack.extend(node)
            continue
        if getattr(node, "id", None) is not None:
            found.append(node.id)
        children = getattr(node, "children", None)
        if children is not None and not isinstance(children, str | int):
            stack.append(children)
    return found


def test_the_volume_chart_stacks_one_trace_per_channel_with_its_hour_and_channel() -> None:
    hours = pd.to_datetime(["2026-12-01 08:00", "2026-12-01 09:00", "2026-12-01 09:00"]).tz_localize("Asia/Shanghai")
    frame = pd.DataFrame({"hour": hours, "hour_key": ["k8", "k9", "k9"], "channel": ["phone", "phone", "web"],
                          "orders": [3, 5, 2]})
    figure = volume_figure(frame, {"phone": "电话", "web": "网站", "app": "APP"}, {"title": "t", "y": "y"}, "zh-CN")
    assert [trace.name for trace in figure.data] == ["电话", "网站"]  # no empty trace for the app
    assert figure.layout.barmode == "stack"
    assert [list(point) for point in figure.data[0].customdata] == [["k8", "phone"], ["k9", "phone"]]
    assert list(figure.data[1].y) == [2]


def test_the_categories_chart_draws_the_biggest_on_top_with_its_code() -> None:
    frame = pd.DataFrame({"category": ["traffic", "water"], "orders": [9, 4]})
    figure = categories_figure(frame, {"traffic": "道路交通"}, {"title": "t", "x": "x"})
    assert list(figure.data[0].y) == ["water", "道路交通"] and list(figure.data[0].customdata) == ["water", "traffic"]


def test_tiles_drill_and_carry_their_raw_value() -> None:
    drawn = tiles([Tile("orders", "工单量", "1.2万", "12000", ("all", "")), Tile("answer_rate", "接通率", "—", "")])
    assert drawn[0].id == {"type": DRILL, "kind": "all", "value": ""}
    assert getattr(drawn[0], "data-value") == "12000" and getattr(drawn[0], "data-tile") == "orders"
    assert drawn[1].id == "hl-kpi-answer_rate" and getattr(drawn[1], "data-value") == ""


def test_tables_lists_and_verdicts_make_their_numbers_drill_buttons() -> None:
    table = plain_table([{"key": "water", "orders": 5, "overdue": 0}], [("orders", "工单"), ("overdue", "超期")],
                        table_id="t", empty="无", key="key", drills={"orders": "department",
                                                                      "overdue": "department_overdue"})
    assert {"type": DRILL, "kind": "department", "value": "water"} in _ids(table)
    assert not any(isinstance(i, dict) and i["kind"] == "department_overdue" for i in _ids(table))  # 0: no drill
    assert plain_table([], [("orders", "工单")], table_id="t", empty="无", key="key").children == "无"
    assert {"type": DRILL, "kind": "topic", "value": "停水"} in _ids(topic_list([("停水", "本周 9")], "无"))
    assert {"type": DRILL, "kind": "satisfaction", "value": "dissatisfied"} in _ids(
        verdicts([("dissatisfied", "不满意", 3)]))


def test_the_order_panel_carries_the_hooks_of_its_life() -> None:
    titles = {k: k for k in ("followup", "dispatches", "no_dispatches", "history", "no_history")}
    body = order_body(order_id=7, status="dispatched", title="#7", cards=[("回复", "red", "红牌")], fields=[],
                      titles=titles, follow_up=("", "尚未回访"),
                      dispatches=[Part("3", "水务 · 已退单", "returned", (("department", "water"),)),
                                  Part("4", "市政 · 已派遣", "dispatched", (("department", "municipal"),), "退单")],
                      history=[])
    heading = body[0]
    assert getattr(heading, "data-order-id") == "7" and getattr(heading, "data-status") == "dispatched"
    ids = _ids(body)
    assert {"type": "hl-return", "dispatch": 4} in ids and {"type": "hl-return", "dispatch": 3} not in ids
    assert "hl-order-dispatches" in ids and "hl-order-history" in ids
    hidden = order_actions({k: k for k in ("dispatch", "redispatch", "reply", "close", "follow_up", "departments",
                                           "text", "reached", "satisfaction")}, [], [], [], may_act=False)
    assert "d-none" in hidden.className and "hl-act-close" in _ids(hidden)  # the ids stay for the callbacks
