"""notify.toml's messages are the city's wording: each a template naming only its own fields, every mistake one
line at its line (the same check as briefings.toml's sentences)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from services.citypack import check_pack, load_pack
from services.citypack.contacts import MESSAGES

ROOT = Path(__file__).resolve().parents[3]
XIAMEN = ROOT / "citypacks" / "xiamen"


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    return Path(shutil.copytree(XIAMEN, tmp_path / "xiamen"))


def test_the_shipped_pack_words_every_message() -> None:
    assert sorted(load_pack(XIAMEN).contacts.messages) == sorted(MESSAGES)


def test_a_broken_or_unknown_field_and_a_missing_message_are_each_one_line(pack: Path) -> None:
    path = pack / "notify.toml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("请{department}立即处置", "请{department}立即处置{mood}").replace("（{link}）", "（{link）")
    text = "\n".join(line for line in text.splitlines() if not line.startswith("duty =")) + "\n"
    path.write_text(text, encoding="utf-8")
    lines = text.splitlines()

    def at(start: str) -> int:
        return next(n for n, line in enumerate(lines, start=1) if line.startswith(start))

    assert check_pack(pack) == [
        f"{path}:{at('[messages]')}: messages.duty: missing or empty",
        f"{path}:{at('alert_escalation =')}: messages.alert_escalation: unknown field {{mood}} (allowed: headline, "
        "minutes, department)",
        f"{path}:{at('supervision_escalation =')}: messages.supervision_escalation: not a template: expected '}}' "
        "before end of string",
    ]
