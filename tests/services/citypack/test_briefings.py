"""The pack's `briefings.toml` (the scheduled briefings and their wording) is checked like the other optional pack
files: one `file:line: field: reason` line per mistake, and a pack without it schedules nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from services.citypack import check_pack, load_pack
from services.citypack.briefings import SENTENCES, Schedule

ROOT = Path(__file__).resolve().parents[3]
XIAMEN = ROOT / "citypacks" / "xiamen"
LANSHAN = ROOT / "tests" / "citypacks" / "lanshan"


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    return Path(shutil.copytree(XIAMEN, tmp_path / "xiamen"))


def test_the_shipped_pack_schedules_a_weekly_and_a_daily_briefing_worded_in_both_languages() -> None:
    briefings = load_pack(XIAMEN).briefings
    assert briefings.schedules == (
        Schedule("weekly", "weekly", "0 8 * * 1", ("zh-CN", "en"), (), "var/briefings"),  # no mail server in the demo
        Schedule("daily", "daily", "30 7 * * *", ("zh-CN",), (), "var/briefings"),
    )
    assert sorted(briefings.sentences) == ["en", "zh-CN"]
    assert all(sorted(words) == sorted(SENTENCES) for words in briefings.sentences.values())


def test_a_pack_without_the_file_schedules_nothing() -> None:
    assert not (LANSHAN / "briefings.toml").exists()
    assert load_pack(LANSHAN).briefings.schedules == ()


def test_each_mistake_is_one_line_at_its_line(pack: Path) -> None:
    path = pack / "briefings.toml"
    text = path.read_text(encoding="utf-8")
    text = text.replace('cron = "0 8 * * 1"', 'cron = "every monday"').replace('period = "daily"', 'period = "monthly"')
    text = text.replace('# email = ["leaders@example.gov.cn"]', 'email = ["leaders"]')
    text = text.replace("上升{change}%", "上升{change}%{mood}").replace('weekly_previous = "last week"\n', "")
    path.write_text(text, encoding="utf-8")
    lines = text.splitlines()

    def at(start: str, nth: int = 0) -> int:
        return [n for n, line in enumerate(lines, start=1) if line.startswith(start)][nth]

    cron, email, period = at('cron = "every'), at('email = ["leaders"]'), at('period = "monthly')
    assert check_pack(pack) == [
        f"{path}:{cron}: briefing[1].cron: 'every monday' is not a cron expression "
        "(minute hour day month weekday)",
        f"{path}:{email}: briefing[1].email: must be a list of e-mail addresses",
        f"{path}:{period}: briefing[2].period: 'monthly' is not one of daily, weekly",
        f"{path}:{at('rise =')}: sentences.zh-CN.rise: unknown field {{mood}} (allowed: period, previous_period, "
        "measure, current, previous, change, year_ago, year_change, driver, driver_change)",
        f"{path}:{at('[sentences.en]')}: sentences.en.weekly_previous: missing or empty",
    ]


def test_a_briefing_needs_somewhere_to_go(pack: Path) -> None:
    path = pack / "briefings.toml"
    text = path.read_text(encoding="utf-8").replace('languages = ["zh-CN"]\nfolder = "var/briefings"\n',
                                                    'languages = ["zh-CN", "fr"]\n')
    path.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    line, entry = lines.index('languages = ["zh-CN", "fr"]') + 1, lines.index("[[briefing]]", 10) + 1
    assert check_pack(pack) == [f"{path}:{line}: briefing[2].languages: must be a list of zh-CN, en",
                                f"{path}:{entry}: briefing[2].email: a briefing needs e-mail addresses or a "
                                "folder to go to"]
