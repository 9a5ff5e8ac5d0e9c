"""Provisioned screens and playlists (screens/*.toml): the shipped ones load, the default wall is the first screen,
a tiled screen's panels stay inside their tiles, and every kind of mistake is one line naming file, line and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from services.citypack import PackError, load_pack, screen_boxes, tile_box
from services.config import DEFAULT_PACK

ROOT = Path(__file__).resolve().parents[3]
LANSHAN = ROOT / "tests" / "citypacks" / "lanshan"

GOOD = """name_zh = "测试屏"
name_en = "Test screen"
columns = 2
rows = 2

[[panels]]
kind = "kpis"
at = [1, 1]
codes = ["aqi", "river_level"]

[[panels]]
kind = "alerts"
at = [2, 1]
span = [1, 2]
"""


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    """A copy of the tests' made-up city with one screen file to spoil."""
    root = tmp_path / "lanshan"
    shutil.copytree(LANSHAN, root)
    (root / "screens" / "overview.toml").write_text(GOOD, encoding="utf-8")
    return root


def _problems(root: Path) -> list[str]:
    with pytest.raises(PackError) as caught:
        load_pack(root)
    return [line.removeprefix(f"{root}/") for line in caught.value.problems]


def test_the_default_wall_is_the_first_screen_and_reproduces_the_fixed_layout() -> None:
    pack = load_pack(DEFAULT_PACK)
    assert [s.name for s in pack.screens][0] == "overview" == pack.screen_or_default(None).name
    overview = pack.screens[0]
    assert [p.kind for p in overview.panels] == ["kpis", "map", "alerts", "focus", "approvals"]
    assert [t.name_en for t in overview.panels[3].topics] == ["Traffic", "Environment", "12345 hotline", "Lifelines"]
    header, boxes, unit = screen_boxes(overview, 1920, 1080)
    # The CSS grid it replaces: 12 px padding and gaps, a 72 px header, columns 1 : 1.6 : 1, three equal rows.
    assert (header.x, header.y, header.width, header.height, unit) == (12, 12, 1896, 72, 1)
    assert [(b.x, b.y, b.width, b.height) for b in boxes] == [
        (12, 96, 520, 644), (544, 96, 832, 644), (1388, 96, 520, 972), (12, 752, 520, 316), (544, 752, 832, 316)]
    assert pack.playlist("duty") and pack.playlist("duty").screens == ("overview", "traffic")  # type: ignore[union-attr]


def test_a_tiled_screens_panels_stay_inside_their_tiles_and_type_follows_one_tile() -> None:
    triple = load_pack(DEFAULT_PACK).screen_or_default("triple")
    assert triple.tiling and triple.canvas == (5760, 1080)
    header, boxes, unit = screen_boxes(triple, 5760, 1080)
    assert unit == 1, "a 5760x1080 wall of three 1080p tiles reads like three 1080p screens"
    tiles = [tile_box(triple.tiling, n) for n in (1, 2, 3)]
    assert [(t.x, t.width) for t in tiles] == [(0, 1920), (1920, 1920), (3840, 1920)]
    for box in boxes:
        assert any(t.x + 12 <= box.x and box.x + box.width <= t.x + t.width - 12 for t in tiles), box


def test_a_bezel_is_kept_clear_and_lanshan_has_its_own_screen(pack: Path) -> None:
    text = GOOD.replace("columns = 2", "columns = 4").replace('at = [2, 1]', 'at = [3, 1]')
    (pack / "screens" / "overview.toml").write_text(
        text.replace("rows = 2\n", "rows = 2\n\n[tiling]\ncolumns = 2\ntile = [1920, 1080]\nbezel = 40\n", 1),
        encoding="utf-8")
    screen = load_pack(pack).screens[0]
    assert screen.canvas == (3880, 1080)
    _header, boxes, _unit = screen_boxes(screen, 3880, 1080)
    assert boxes[0].x + boxes[0].width <= 1920 - 12 and boxes[1].x >= 1960 + 12
    own = load_pack(LANSHAN).screens[0]
    assert "river_level" in own.codes() and "temple_fair_crowd" in own.codes()


@pytest.mark.parametrize(("change", "expected"), [
    (lambda t: t.replace('kind = "alerts"', 'kind = "radar"'),
     "screens/overview.toml:12: panels[2].kind: unknown panel kind 'radar'"),
    (lambda t: t.replace('"river_level"]', '"crowd_gulangyu"]'),
     "screens/overview.toml:9: panels[1].codes: unknown indicator code 'crowd_gulangyu'"),
    (lambda t: t.replace("at = [2, 1]\nspan = [1, 2]", "at = [2, 2]\nspan = [1, 2]"),
     "screens/overview.toml:13: panels[2].at: columns 2-2, rows 2-3 are outside the 2x2 grid"),
    (lambda t: t.replace("at = [2, 1]\nspan = [1, 2]", "at = [1, 1]\nspan = [1, 2]"),
     "screens/overview.toml:13: panels[2].at: overlaps panels[1]"),
    (lambda t: t.replace('name_en = "Test screen"\n', ""), "screens/overview.toml:1: name_en: missing or empty"),
    (lambda t: t.replace("rows = 2\n", "rows = 2\n\n[tiling]\ncolumns = 2\ntile = [1920, 1080]\n", 1)
     .replace("at = [1, 1]\n", "at = [1, 1]\nspan = [2, 1]\n").replace("at = [2, 1]\nspan = [1, 2]", "at = [2, 2]"),
     "screens/overview.toml:12: panels[1].at: crosses a tile boundary"),
    (lambda t: t.replace("columns = 2", "columns = 3").replace("rows = 2\n", "rows = 2\n\n[tiling]\ncolumns = 2\n"
                                                                           "tile = [1920, 1080]\n", 1),
     "screens/overview.toml:3: columns: 3 tracks do not divide among 2 tile(s)"),
    (lambda t: t + '\n[[panels]]\nkind = "focus"\nat = [1, 2]\n',
     "screens/overview.toml:16: panels[3].topics: a focus panel needs [[panels.topics]]"),
    (lambda t: t + '\n[[panels]]\nkind = "kpis"\nat = [1, 2]\ncodes = ["aqi"]\n',
     "screens/overview.toml:16: panels[3].kind: a second 'kpis' panel (panels[1])"),
    (lambda t: t.replace("[[panels]]", "[[panels", 1), "screens/overview.toml:6: -: not TOML"),
])
def test_each_mistake_in_a_screen_is_one_line(pack: Path, change, expected: str) -> None:
    file = pack / "screens" / "overview.toml"
    file.write_text(change(GOOD), encoding="utf-8")
    problems = _problems(pack)
    assert len(problems) == 1 and problems[0].startswith(expected), problems


def test_a_playlist_names_known_screens_of_one_shape(pack: Path) -> None:
    (pack / "screens" / "wide.toml").write_text(GOOD.replace("columns = 2", 'canvas = [3840, 1080]\ncolumns = 2'),
                                                encoding="utf-8")
    (pack / "screens" / "playlists.toml").write_text(
        '[night]\nname_zh = "夜间"\nname_en = "Night"\nscreens = ["overview", "nightly"]\nseconds = 30\n\n'
        '[mixed]\nname_zh = "混合"\nname_en = "Mixed"\nscreens = ["overview", "wide"]\nseconds = 2\n',
        encoding="utf-8")
    assert _problems(pack) == [
        "screens/playlists.toml:4: night.screens: unknown screen 'nightly' (known: overview, wide)",
        "screens/playlists.toml:11: mixed.seconds: seconds per screen, 5 to 86400",
        "screens/playlists.toml:10: mixed.screens: screens of different canvases or tilings (a playlist keeps one "
        "canvas)",
    ]


def test_a_pack_without_screens_says_so(pack: Path) -> None:
    shutil.rmtree(pack / "screens")
    assert _problems(pack) == ["screens:0: -: missing folder (at least one screen: the default wall)"]
