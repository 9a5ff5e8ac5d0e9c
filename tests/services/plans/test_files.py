"""Plan files (`plans/*.toml` of a city pack): the demo city's plans load whole; a plan written for another city
loads in that city's pack; a bad plan is refused by the pack check with one `file:line: field: reason` line per
mistake, at the line of the mistake."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from services.citypack import check_pack, load_pack

ROOT = Path(__file__).resolve().parents[3]
LANSHAN = ROOT / "tests" / "citypacks" / "lanshan"

GOOD = """\
[plan]
name_zh = "防汛应急预案"
name_en = "Flood plan"
level = "III"
event_category = "flooding"

[[trigger]]
kind = "cap"
events = ["暴雨", "Flood"]
min_severity = "severe"
areas = ["990102"]

[[trigger]]
kind = "indicator"
indicator = "river_level"
above = 8.5
level = "II"

[[department]]
code = "urban_mgmt"
task_zh = "清理排水口"
task_en = "Clear the outfalls"
within_minutes = 45

[[department]]
code = "water"
role = "lead"
task_zh = "开泵排水"
task_en = "Run the pumps"
within_minutes = 30

[[checklist]]
zh = "人员转移完毕"
en = "People evacuated"

[watch]
indicators = ["river_level"]
layers = ["flooding", "alerts", "area"]

[notice]
zh = "{plan}：{level}级响应，请{department}于{deadline}前{task}"
en = "{plan}: level {level}; {department}: {task} by {deadline}"
"""


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    copy = tmp_path / "lanshan"
    shutil.copytree(LANSHAN, copy)
    (copy / "plans").mkdir()
    return copy


def _line(text: str, start: str) -> int:
    return next(number for number, line in enumerate(text.splitlines(), start=1) if line.startswith(start))


def test_the_demo_city_ships_five_plans_each_with_a_lead_and_a_checklist() -> None:
    plans = load_pack(ROOT / "citypacks" / "xiamen").plans
    assert {plan.code for plan in plans} == {"flood", "typhoon", "fire", "hazmat", "crowd"}
    for plan in plans:
        assert plan.tasks[0].role == "lead" and len(plan.tasks) >= 3, plan.code
        assert plan.checklist and plan.notice_zh and plan.notice_en and plan.indicators


def test_a_plan_loads_in_another_citys_pack_lead_first(pack: Path) -> None:
    (pack / "plans" / "flood.toml").write_text(GOOD, encoding="utf-8")
    (plan,) = load_pack(pack).plans
    assert (plan.code, plan.level, plan.event_category) == ("flood", "III", "flooding")
    assert [(t.department, t.role, t.within_minutes) for t in plan.tasks] == [("water", "lead", 30),
                                                                              ("urban_mgmt", "support", 45)]
    assert plan.triggers[0].areas == ("990102",) and plan.triggers[1].above == 8.5
    assert plan.triggers[1].level == "II" and plan.checklist[0].en == "People evacuated"


def test_a_pack_without_plans_is_valid() -> None:
    assert load_pack(LANSHAN).plans == ()


def test_each_mistake_is_one_line_naming_file_line_and_field(pack: Path) -> None:
    bad = (GOOD.replace('code = "urban_mgmt"', 'code = "harbour"')
           .replace('within_minutes = 30', 'within_minutes = "soon"')
           .replace('areas = ["990102"]', 'areas = ["110101"]')
           .replace('min_severity = "severe"', 'min_severity = "red"')
           .replace('level = "II"', 'level = "V"')
           .replace('indicator = "river_level"\nabove', 'indicator = "tide"\nabove')
           .replace("by {deadline}", "by {when}"))
    (pack / "plans" / "flood.toml").write_text(bad, encoding="utf-8")
    file = pack.resolve() / "plans" / "flood.toml"
    at = {name: _line(bad, start) for name, start in (
        ("areas", "areas"), ("severity", "min_severity"), ("level", 'level = "V"'), ("tide", 'indicator = "tide"'),
        ("harbour", 'code = "harbour"'), ("soon", 'within_minutes = "soon"'), ("en", 'en = "{plan}'))}
    assert check_pack(pack) == [
        f"{file}:{at['areas']}: trigger[1].areas: unknown district '110101'",
        f"{file}:{at['severity']}: trigger[1].min_severity: 'red' is not a CAP severity "
        "(one of extreme, severe, moderate, minor)",
        f"{file}:{at['level']}: trigger[2].level: 'V' is not a response level (one of I, II, III, IV)",
        f"{file}:{at['tide']}: trigger[2].indicator: unknown indicator 'tide'",
        f"{file}:{at['harbour']}: department[1].code: unknown department 'harbour'",
        f"{file}:{at['soon']}: department[2].within_minutes: "
        "'soon' is not a positive whole number of minutes",
        f"{file}:{at['en']}: notice.en: unknown field {{when}} "
        "(allowed: plan, level, headline, district, department, task, deadline)",
    ]


def test_a_file_that_is_not_toml_is_refused_at_its_line(pack: Path) -> None:
    (pack / "plans" / "fire.toml").write_text('[plan]\nname_zh = "火灾"\nlevel = III\n', encoding="utf-8")
    (problem,) = check_pack(pack)
    assert problem.startswith(f"{pack.resolve() / 'plans' / 'fire.toml'}:3: -: not TOML")


def test_a_plan_needs_triggers_a_lead_department_and_its_notice(pack: Path) -> None:
    text = '[plan]\nname_zh = "空"\nname_en = "Empty"\nlevel = "IV"\nevent_category = "fire"\n\n' \
           '[[department]]\ncode = "fire"\ntask_zh = "灭火"\ntask_en = "Fight it"\nwithin_minutes = 10\n'
    (pack / "plans" / "empty.toml").write_text(text, encoding="utf-8")
    file = pack.resolve() / "plans" / "empty.toml"
    assert check_pack(pack) == [
        f"{file}:1: trigger: a plan needs at least one [[trigger]]",
        f"{file}:7: department: no department has role = \"lead\"",
        f"{file}:1: notice: missing [notice] table with zh and en templates",
        f"{file}:1: notice.zh: missing or empty",
        f"{file}:1: notice.en: missing or empty",
    ]
