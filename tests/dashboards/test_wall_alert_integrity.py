"""issue 17 on the wall. Point 1: one entry that breaks the alert stream's contract must never blank the wall (a
fresh /wall rendered blank, the page-router callback answering 500, while such an entry was among the stream's
recent ones). Point 4: an urgent update whose alert never reached us pops up like a new alert."""

from __future__ import annotations

import dash
from fastapi.testclient import TestClient

from dashboards._wall_ticker import PopupPacer
from services.alerts import publish
from services.platform.runtime import Runtime
from tests.dashboards.conftest import WALL_TOKEN

SAME_ORIGIN = {"Origin": "http://testserver"}

ALERT = {"id": "W-1", "source": "test", "sent": "2026-11-23T10:00:00+08:00", "severity": "severe",
         "urgency": "immediate", "certainty": "observed", "category": "met", "event": "暴雨",
         "headline": "思明区暴雨橙色预警"}  # fmt: skip
POISON = [{**ALERT, "id": "W-2", "sent": "9999-12-31T23:59:59-14:00", "headline": "溢出"},
          {**ALERT, "id": "W-3", "sent": "0001-01-01T00:00:00+14:00", "headline": "下溢"},
          {**ALERT, "id": "W-4", "headline": "空\x00字符"}, {"id": "W-5"}]  # fmt: skip


def test_the_wall_renders_with_poison_entries_among_the_recent_ones(wall_app: dash.Dash,
                                                                    wall_runtime: Runtime) -> None:
    settings = wall_runtime.settings
    for fields in [ALERT, *POISON]:
        publish(wall_runtime.redis, settings.alerts_stream, fields, settings.stream_maxlen)
    with TestClient(wall_app.server, base_url="http://testserver") as client:
        assert client.get(f"/wall?token={WALL_TOKEN}").status_code == 200
        answer = client.post("/_dash-update-component", headers=SAME_ORIGIN, json={
            "output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/wall"},
                       {"id": "_pages_location", "property": "search", "value": ""}],
            "changedPropIds": ["_pages_location.pathname"], "state": []})  # fmt: skip
    assert answer.status_code == 200, answer.text[:500]
    assert "思明区暴雨橙色预警" in answer.text and "alert-ticker" in answer.text
    assert "溢出" not in answer.text and "W-5" not in answer.text


def test_an_urgent_update_pops_up_and_a_cancel_does_not() -> None:
    """A CAP Update whose Alert never reached us is the operators' first word of it: before, only msg_type 'alert'
    could raise the pop-up and its chime."""
    pacer = PopupPacer()
    pacer.add([("1-0", {**ALERT, "msg_type": "cancel", "references": "W-0", "severity": "extreme"})])
    assert pacer.top is None
    pacer.add([("2-0", {**ALERT, "msg_type": "update", "references": "W-0", "severity": "extreme"})])
    assert pacer.top is not None and pacer.top["severity"] == "extreme" and pacer.count == 1
