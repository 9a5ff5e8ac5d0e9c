"""The console's plan panel builders: hooks carry the plan, level and states; an active response has its controls,
a closed one its summary instead; the texts come from the catalog in both languages."""

from __future__ import annotations

from typing import Any

import pytest

from components.i18n import translator
from components.plan_panel import response_panel, suggestions


def _find(node: Any, predicate: Any) -> list[Any]:
    found = [node] if predicate(node) else []
    children = getattr(node, "children", None)
    for child in children if isinstance(children, list) else [children] if children is not None else []:
        found += _find(child, predicate)
    return found


def _view(status: str) -> dict[str, Any]:
    return {"id": 7, "name": "防汛预案", "level": "III", "status": status, "event_id": 42, "cancel_proposed": True,
            "updated": None, "summary": "积水已排除" if status == "closed" else None,
            "tasks": [{"department": "water", "name": "水务", "role": "lead", "task": "排水", "due": "12-02 09:30",
                       "status": "accepted"}],
            "checks": [{"key": "c1", "text": "封闭通道", "done": None}, {"key": "c2", "text": "转移", "done": "09:10 op1"}],
            "deliveries": [{"department": "water", "name": "水务", "channel": "dingtalk", "state": "failed",
                            "attempts": 8, "error": "webhook X_URL: HTTP 503"}]}


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_suggestions_carry_their_plan_and_level(lang: str) -> None:
    text = translator(lang)
    panel = suggestions([{"code": "flood", "name": "Flood", "level": "II", "reasons": ["why"]}], text)
    (card,) = _find(panel, lambda n: getattr(n, "className", "") == "plan-suggestion")
    assert card.to_plotly_json()["props"]["data-plan"] == "flood"
    assert _find(panel, lambda n: getattr(n, "id", None) == {"type": "plan-activate", "index": "flood"})
    assert suggestions([], text).children == text["plans.none"]


def test_an_active_response_has_its_controls_and_unticked_items_a_button() -> None:
    panel = response_panel(_view("active"), translator("zh-CN")).to_plotly_json()["props"]
    assert (panel["data-status"], panel["data-level"], panel["data-cancel-proposed"]) == ("active", "III", "true")
    tree = response_panel(_view("active"), translator("zh-CN"))
    assert [n.id["index"] for n in _find(tree, lambda n: isinstance(getattr(n, "id", None), dict)
                                         and n.id.get("type") == "plan-check")] == ["c1"]
    assert _find(tree, lambda n: getattr(n, "id", None) == {"type": "plan-cmd", "index": "stand_down"})


def test_a_closed_response_shows_its_summary_and_no_controls() -> None:
    tree = response_panel(_view("closed"), translator("en"))
    assert not _find(tree, lambda n: isinstance(getattr(n, "id", None), dict) and n.id.get("type") == "plan-cmd")
    assert _find(tree, lambda n: getattr(n, "children", None) == "积水已排除")
    (delivery,) = _find(tree, lambda n: getattr(n, "className", "") == "plan-delivery")
    assert delivery.to_plotly_json()["props"]["data-state"] == "failed"
