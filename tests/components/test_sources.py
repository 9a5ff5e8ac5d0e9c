"""The /sources builders: the volume chart stacks departments per day; the catalog carries its stable hooks."""

from __future__ import annotations

import pandas as pd

from components.i18n import translator
from components.sources import SourceRow, catalog_table, late_sources_note, volume_figure


def test_volume_is_one_stacked_bar_per_department_over_days_as_categories() -> None:
    frame = pd.DataFrame({"day": ["2026-12-01", "2026-12-01", "2026-12-02", "2026-12-02"],
                          "department": ["ecology", "hotline", "ecology", ""], "rows": [5, 7, 9, 3]})
    figure = volume_figure(frame, {"ecology": "生态环境局"}, translator("zh-CN"))
    assert figure.layout.barmode == "stack" and figure.layout.xaxis.type == "category"
    assert [(bar.name, tuple(bar.y)) for bar in figure.data] == [("未登记部门", (3,)), ("生态环境局", (5, 9)),
                                                                 ("hotline", (7,))]  # no owner: said so, not blank
    assert (figure.layout.xaxis.title.text, figure.layout.yaxis.title.text) == ("日期", "交换条数（条）")


def test_catalog_rows_carry_the_source_and_its_state_and_the_note_lists_late_ones() -> None:
    text = translator("zh-CN")
    row = SourceRow("aqi", "空气", "生态环境局", "数据库抽取", "指标读数", "5分钟", "12-01 10:00", "1", "2", "0", "late",
                    "滞后", "", "城市体征", "aqi")
    table = catalog_table([row], text)
    (tr,) = table.children[1].children
    assert (tr.to_plotly_json()["props"]["data-source"], tr.to_plotly_json()["props"]["data-state"]) == ("aqi", "late")
    assert late_sources_note([("空气", "滞后")], text).children == ["来源滞后: ", "空气（滞后）"]
    assert late_sources_note([], text).children == []
