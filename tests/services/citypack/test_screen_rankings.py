"""An approvals panel chooses its ranking per screen (red list or honour roll, departments or districts, minimum
volume): the shipped screens load with their choice, a pack that says nothing gets the defaults, and each mistake is
one line naming file, line and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from services import rankings
from services.citypack import PackError, load_pack, screens
from services.config import DEFAULT_PACK

LANSHAN = Path(__file__).resolve().parents[2] / "citypacks" / "lanshan"
PANEL = """name_zh = "测试屏"
name_en = "Test screen"
columns = 1
rows = 1

[[panels]]
kind = "approvals"
at = [1, 1]
"""


def _approvals(screen: screens.Screen) -> screens.Panel:
    return next(p for p in screen.panels if p.kind == "approvals")


def test_the_shipped_screens_choose_their_lists_and_an_unset_panel_gets_the_defaults(tmp_path: Path) -> None:
    xiamen = {s.name: s for s in load_pack(DEFAULT_PACK).screens}
    overview, triple = _approvals(xiamen["overview"]), _approvals(xiamen["triple"])
    assert (overview.ranking, overview.ranking_by, overview.min_volume) == ("red", "department", 30)
    assert (triple.ranking, triple.ranking_by) == ("honour", "district")
    assert load_pack(LANSHAN).screens  # the second city's screen has no approvals panel and stays valid
    root = tmp_path / "lanshan"
    shutil.copytree(LANSHAN, root)
    (root / "screens" / "overview.toml").write_text(PANEL, encoding="utf-8")
    lanshan = _approvals(load_pack(root).screens[0])
    assert (lanshan.ranking, lanshan.ranking_by, lanshan.min_volume) == ("red", "department",
                                                                        rankings.DEFAULT_MIN_VOLUME)


def test_the_pack_knows_the_lists_and_units_the_rankings_do() -> None:
    assert screens.RANKINGS == rankings.MODES
    assert screens.RANKED_UNITS == rankings.UNITS
    assert screens.DEFAULT_MIN_VOLUME == rankings.DEFAULT_MIN_VOLUME


@pytest.mark.parametrize(("extra", "expected"), [
    ('ranking = "best"', "screens/overview.toml:9: panels[1].ranking: 'best' is not one of red, honour"),
    ('ranking_by = "matter"', "screens/overview.toml:9: panels[1].ranking_by: 'matter' is not one of department, "
                              "district"),
    ("min_volume = 0", "screens/overview.toml:9: panels[1].min_volume: 0 is not a whole number from 1 to 100000 "
                       "(cases in the window before a unit is ranked)"),
])
def test_each_ranking_mistake_is_one_line(tmp_path: Path, extra: str, expected: str) -> None:
    root = tmp_path / "lanshan"
    shutil.copytree(LANSHAN, root)
    (root / "screens" / "overview.toml").write_text(PANEL + extra + "\n", encoding="utf-8")
    with pytest.raises(PackError) as caught:
        load_pack(root)
    assert [line.removeprefix(f"{root}/") for line in caught.value.problems] == [expected]


def test_only_an_approvals_panel_ranks(tmp_path: Path) -> None:
    root = tmp_path / "lanshan"
    shutil.copytree(LANSHAN, root)
    (root / "screens" / "overview.toml").write_text(PANEL.replace('"approvals"', '"map"') + 'ranking = "red"\n',
                                                      encoding="utf-8")
    with pytest.raises(PackError) as caught:
        load_pack(root)
    assert [line.removeprefix(f"{root}/") for line in caught.value.problems] == [
        "screens/overview.toml:9: panels[1].ranking: only an approvals panel ranks"]
