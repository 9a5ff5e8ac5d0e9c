"""The storm summary: one line per stormy minute, saying how many alerts came and which, instead of a silent cap.

Pure builder: the counts arrive as a `StormView` (dashboards/_storm_summary.py tallies them) and become the `data`
of a `StormSummary`, drawn by `assets/push.js` as the ticker is: `<div class="storm-summary">` of
`<div class="storm-line">` lines, each carrying its figures as data attributes (`data-minute`, `data-count`,
`data-groups`, `data-severity`, `data-district`, the last two as JSON), so tests and kiosk tooling read the numbers
the operator reads. Hidden while there is no storm.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from components.ticker import SEVERITY_LABELS, PushComponent

STORM_ID = "alert-storm"


@dataclass(frozen=True)
class StormView:
    """One minute's tally: `minute` as the reader's clock shows it, counts by severity and by district (adcode),
    the storm groups among them, and how many the screen did not draw one by one."""

    minute: str
    count: int
    severities: Mapping[str, int]
    districts: Mapping[str, int]
    groups: int
    not_drawn: int


class StormSummary(PushComponent):
    """`data` is `{"lines": [storm_line …]}`."""

    _namespace = "onescreen_push"
    _type = "StormSummary"


def storm_box(element_id: str = STORM_ID) -> StormSummary:
    """The summary's place on a page, empty (hidden) until a storm."""
    return StormSummary(id=element_id, data={"lines": []}, className="storm-summary")


def storm_lines(views: list[StormView], text: Mapping[str, str], lang: str, district_names: Mapping[str, str]
                ) -> dict[str, Any]:
    """The summary's data: a line per stormy minute, newest first."""
    labels = SEVERITY_LABELS.get(lang, SEVERITY_LABELS["zh-CN"])
    lines = []
    for view in views:
        parts = [text["storm.title"], text["storm.minute"].format(minute=view.minute, count=view.count),
                 " ".join(f"{labels.get(sev, sev)} {n}" for sev, n in view.severities.items()),
                 " ".join(f"{district_names.get(code) or code or text['storm.city_wide']} {n}"
                          for code, n in view.districts.items()),
                 text["storm.groups"].format(groups=view.groups)]
        if view.not_drawn:
            parts.append(text["storm.not_drawn"].format(hidden=view.not_drawn))
        lines.append({"text": " · ".join(parts), "minute": view.minute, "count": str(view.count),
                      "groups": str(view.groups), "severity": json.dumps(dict(view.severities)),
                      "district": json.dumps(dict(view.districts))})
    return {"lines": lines}
