"""The hotline's time limits of a pack: hours and working days (weekends skipped in the city's zone), a category's
own row before `*`, defaults for a pack without the file, and one line per mistake."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from services.citypack import HotlineLimits, LimitRow, Span, check_pack, load_pack

ROOT = Path(__file__).resolve().parents[3]
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.mark.parametrize(("span", "start", "due"), [
    ("2h", _local(2026, 12, 4, 23, 0), _local(2026, 12, 5, 1, 0)),  # hours run through the night and weekend
    ("1wd", _local(2026, 12, 4, 10, 0), _local(2026, 12, 7, 10, 0)),  # Friday → Monday
    ("5wd", _local(2026, 12, 1, 9, 30), _local(2026, 12, 8, 9, 30)),  # Tuesday → Tuesday
    ("1wd", _local(2026, 12, 5, 15, 0), _local(2026, 12, 8, 0, 0)),  # taken on Saturday: counted from Monday
    ("2wd", _local(2026, 12, 6, 23, 59), _local(2026, 12, 9, 0, 0)),  # Sunday night: likewise
])  # fmt: skip
def test_working_days_skip_the_weekend_in_the_citys_zone(span, start, due):
    assert Span.parse(span).after(start.astimezone(UTC), SHANGHAI) == due.astimezone(UTC)


def test_a_working_day_is_counted_in_the_citys_zone_not_in_utc():
    # Friday 07:00 in the city is still Thursday 23:00 in UTC: one working day later is Monday 07:00
    start = _local(2026, 12, 4, 7, 0).astimezone(UTC)
    assert Span.parse("1wd").after(start, SHANGHAI) == _local(2026, 12, 7, 7, 0).astimezone(UTC)


@pytest.mark.parametrize("text", ["", "5", "5d", "-2h", "0h", "1.5wd", "两天"])
def test_a_limit_that_is_not_hours_or_whole_working_days_is_refused(text):
    with pytest.raises(ValueError, match="time limit|whole days"):
        Span.parse(text)


def test_a_categorys_own_row_comes_before_the_star_row_and_the_defaults_fill_the_gaps():
    limits = HotlineLimits((LimitRow("gas", "urgent", Span(1, "h"), Span(4, "h")),
                            LimitRow("*", "urgent", Span(3, "h"), Span(12, "h"))), "Asia/Shanghai")
    assert limits.row("gas", "urgent").reply == Span(1, "h")
    assert limits.row("water", "urgent").reply == Span(3, "h")
    assert limits.row("water", "ordinary").reply == Span(5, "wd")  # no ordinary row: the default's
    with pytest.raises(ValueError, match="unknown urgency"):
        limits.row("water", "soon")


def test_the_xiamen_pack_has_its_limits_and_a_pack_without_the_file_takes_the_defaults():
    xiamen = load_pack(ROOT / "citypacks" / "xiamen").hotline_limits
    assert xiamen.row("gas", "ordinary").reply == Span(4, "h") and xiamen.timezone == "Asia/Shanghai"
    other = load_pack(ROOT / "tests" / "citypacks" / "lanshan").hotline_limits
    assert other.rows == HotlineLimits().rows


def test_every_mistake_in_the_file_is_one_line(tmp_path):
    pack = tmp_path / "pack"
    shutil.copytree(ROOT / "citypacks" / "xiamen", pack)
    (pack / "hotline_limits.csv").write_text(
        "category,urgency,reply_limit,close_limit\n*,urgent,2h,24h\nufo,ordinary,1wd,2wd\n*,urgent,3h,1wd\n"
        "water,soon,2h,2h\nwater,ordinary,2 days,1.5wd\n", encoding="utf-8")
    problems = [line.split(": ", 1)[0].rsplit("/", 1)[1] + ": " + line.split(": ", 1)[1]
                for line in check_pack(pack)]
    assert problems == [
        "hotline_limits.csv:3: category: unknown category 'ufo' (a code of categories.csv, or *)",
        "hotline_limits.csv:4: urgency: duplicate row for * urgent",
        "hotline_limits.csv:5: urgency: unknown urgency 'soon' (allowed: urgent, ordinary)",
        "hotline_limits.csv:6: reply_limit: '2 days' is not a time limit: write hours as 2h or working days as 5wd "
        "(more than 0)",
        "hotline_limits.csv:6: close_limit: '1.5wd': working days are whole days (5wd); write part of a day in hours",
    ]
    (pack / "hotline_limits.csv").write_text("category,urgency,reply\n", encoding="utf-8")
    assert [line.rsplit(": ", 2)[-2:] for line in check_pack(pack)] == [
        ["header", "lacks column(s) reply_limit, close_limit"]]
