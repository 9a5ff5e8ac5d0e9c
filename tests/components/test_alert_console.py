"""The console's words for what the alert commands say in codes: every refusal and every audited action has a text
in both languages, filled from the refusal's own parameters (issue 18: refusals were English in a Chinese UI)."""

from __future__ import annotations

from string import Formatter

import pytest

from components.alert_console import refusal_text
from components.i18n import LANGUAGES, translator
from services.alerts import ACTIONS
from services.alerts.actions import REFUSALS, UNSILENCE, ActionRefused


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(template) if name}


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("code", sorted(REFUSALS))
def test_every_refusal_is_worded_from_its_own_parameters(code: str, lang: str) -> None:
    refusal = ActionRefused(code, **{name: "x" for name in _fields(REFUSALS[code])})
    text = translator(lang)
    assert _fields(text[f"alerts.refused.{code}"]) <= set(refusal.params)
    assert refusal_text(refusal.code, refusal.params, text).strip()


def test_a_refused_move_names_the_action_and_the_status_in_the_interface_language() -> None:
    refusal = ActionRefused("status", action="acknowledge", status="acknowledged")
    assert str(refusal) == "cannot acknowledge an alert that is acknowledged"  # logs and the API stay English
    assert refusal_text(refusal.code, refusal.params, translator("zh-CN")) == "不能确认：该预警状态为“已确认”"
    assert (refusal_text(refusal.code, refusal.params, translator("en"))
            == "Cannot acknowledge: the alert's status is Acknowledged")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_audited_action_has_a_name(lang: str) -> None:
    text = translator(lang)
    assert all(text.get(f"alerts.did.{action}") for action in (*ACTIONS, UNSILENCE))
    assert all(text.get(f"alerts.action.{action}") for action in ACTIONS)
