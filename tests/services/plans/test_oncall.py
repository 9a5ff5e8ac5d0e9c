"""The on-call roster: who is on duty for a department, in a district or city-wide, at a local time; night shifts
cross midnight; a bad roster is refused line by line."""

from __future__ import annotations

import shutil
from datetime import datetime, time
from pathlib import Path

from services.citypack import check_pack
from services.plans import Duty, Roster

ROOT = Path(__file__).resolve().parents[3]
LANSHAN = ROOT / "tests" / "citypacks" / "lanshan"


def _duty(name: str, start: str, end: str, district: str = "", weekdays: tuple[int, ...] = ()) -> Duty:
    return Duty("water", district, name, "139", "值班", "on duty", weekdays, time.fromisoformat(start),
                time.fromisoformat(end))


ROSTER = Roster((_duty("day", "08:00", "20:00"), _duty("night", "20:00", "08:00", weekdays=(1, 2, 3, 4, 5)),
                 _duty("district", "00:00", "00:00", district="990102")))


def test_the_district_shift_comes_before_the_city_wide_one() -> None:
    monday_noon = datetime(2026, 11, 30, 12, 0)
    assert ROSTER.on_duty("water", "990102", monday_noon).name == "district"  # type: ignore[union-attr]
    assert ROSTER.on_duty("water", "990103", monday_noon).name == "day"  # type: ignore[union-attr]
    assert ROSTER.on_duty("power", None, monday_noon) is None


def test_a_night_shift_belongs_to_the_day_it_starts() -> None:
    friday_night, saturday_early = datetime(2026, 12, 4, 23, 0), datetime(2026, 12, 5, 3, 0)
    assert ROSTER.on_duty("water", None, friday_night).name == "night"  # type: ignore[union-attr]
    assert ROSTER.on_duty("water", None, saturday_early).name == "night"  # type: ignore[union-attr]
    assert ROSTER.on_duty("water", None, datetime(2026, 12, 5, 23, 0)) is None  # Saturday's night: nobody listed


def test_a_bad_roster_is_one_line_per_mistake(tmp_path: Path) -> None:
    pack = tmp_path / "lanshan"
    shutil.copytree(LANSHAN, pack)
    (pack / "oncall.toml").write_text(
        '[[duty]]\ndepartment = "harbour"\ndistrict = "990199"\nname = "甲"\nphone = "1"\ntitle_zh = "值班"\n'
        'title_en = "On duty"\nfrom = "8:00"\nto = "20:00"\nweekdays = [0]\n', encoding="utf-8")
    file = pack.resolve() / "oncall.toml"
    assert check_pack(pack) == [f"{file}:2: duty[1].department: unknown department 'harbour'",
                                f"{file}:3: duty[1].district: unknown district '990199'",
                                f"{file}:8: duty[1].from: '8:00' is not a time of day HH:MM",
                                f"{file}:10: duty[1].weekdays: must be a list of ISO weekdays, 1 (Monday) to 7"]
