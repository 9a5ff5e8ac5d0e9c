"""City packs: the shipped one and the tests' made-up city load; every kind of mistake in a pack is one line naming
file, line and field, `python -m services.citypack check` prints them and exits non-zero, and the app refuses to
start on a broken pack."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from services.access import Role
from services.citypack import PackError, check_pack, load_pack
from services.config import DEFAULT_PACK, Settings
from services.platform.runtime import StartupError, open_runtime

ROOT = Path(__file__).resolve().parents[3]
LANSHAN = ROOT / "tests" / "citypacks" / "lanshan"


def test_the_default_pack_is_the_demo_city() -> None:
    pack = load_pack(DEFAULT_PACK)
    assert [area.level for area in pack.levels] == ["province", "city"]
    assert len(pack.city.adcodes) == 6 and len(pack.catalogs.categories) >= 10
    assert {user.role for user in pack.users} == set(Role) - {Role.WALL}


def test_a_made_up_city_loads_with_its_own_catalogs_and_scopes() -> None:
    pack = load_pack(LANSHAN)
    assert (pack.city_area.name_en, pack.province and pack.province.adcode) == ("Lanshan", "990000")
    assert pack.city.names() == {"990102": "青石区", "990103": "云岭区", "990104": "白沙区"}
    assert {i.code for i in pack.catalogs.indicators} >= {"river_level", "temple_fair_crowd"}
    users = {user.username: user for user in pack.users}
    assert pack.district_scope(users["operator"].areas) == (), "a scope naming the city binds to no district"
    assert pack.district_scope(users["analyst-qingshi"].areas) == ("990102",)


def test_settings_name_the_city_from_its_pack_unless_set() -> None:
    settings = Settings(city_pack=LANSHAN, _env_file=None)
    assert (settings.city_name_zh, settings.city_name_en) == ("澜山市", "Lanshan")
    assert settings.city == LANSHAN / "districts.geojson"
    assert settings.ngsi_mapping == LANSHAN / "ngsi_mapping.toml"
    assert Settings(city_pack=LANSHAN, city_name_en="Lanshan City", _env_file=None).city_name_en == "Lanshan City"


def _features(pack: Path) -> dict:
    return json.loads((pack / "districts.geojson").read_text(encoding="utf-8"))


def _drop_adcode(pack: Path) -> None:
    document = _features(pack)
    for feature in document["features"]:
        del feature["properties"]["adcode"]
    (pack / "districts.geojson").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")


def _replace(file: str, old: str, new: str) -> Callable[[Path], None]:
    def edit(pack: Path) -> None:
        text = (pack / file).read_text(encoding="utf-8")
        assert old in text
        (pack / file).write_text(text.replace(old, new, 1), encoding="utf-8")
    return edit


def _append(file: str, row: str) -> Callable[[Path], None]:
    def edit(pack: Path) -> None:
        with (pack / file).open("a", encoding="utf-8") as handle:
            handle.write(row)
    return edit


BROKEN = {
    "missing file": (lambda pack: (pack / "matters.csv").unlink(), r"matters\.csv:0: -: missing file"),
    "bad adcode": (_replace("city.toml", 'adcode = "990100"', 'adcode = "99-100"'),
                   r"city\.toml:3: city\.adcode: '99-100' is not a 6-digit GB/T 2260 code"),
    "unknown department in a matter": (_append("matters.csv", "x_permit,许可,Permit,planning,promised,20,10,\n"),
                                       r"matters\.csv:8: unknown department 'planning'"),
    "duplicate indicator code": (_append("indicators.csv", "aqi,空气,AQI,environment,AQI,lower,1,2,ecology,5\n"),
                                 r"indicators\.csv:10: duplicate code 'aqi'"),
    "GeoJSON without adcode": (_drop_adcode, r"districts\.geojson:1: features: .*missing: adcode"),
    "unknown area in a user's scope": (_append("users.csv", "xu,analyst,某人,350203,\n"),
                                       r"users\.csv:7: areas: unknown area '350203'"),
    "time zone": (_replace("city.toml", 'timezone = "Asia/Shanghai"', 'timezone = "China"'),
                  r"city\.toml:6: city\.timezone: 'China' is not an IANA time zone"),
    "unknown department in the emergency routing": (_append("emergency.csv", "geo,planning\n"),
                                                    r"emergency\.csv:12: department: unknown department 'planning'"),
    "unknown CAP category": (_replace("emergency.csv", "rescue,fire", "flood,fire"),
                             r"emergency\.csv:3: cap_category: unknown CAP category 'flood'"),
    "CAP category routed twice": (_append("emergency.csv", "fire,police\n"),
                                  r"emergency\.csv:12: cap_category: duplicate 'fire'"),
    "no fallback department": (_replace("emergency.csv", "other,urban_mgmt\n", ""),
                               r"emergency\.csv:\d+: cap_category: needs a row for 'other'"),
}


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    return Path(shutil.copytree(LANSHAN, tmp_path / "lanshan"))


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_each_kind_of_mistake_is_one_line_and_a_non_zero_exit(pack: Path, kind: str) -> None:
    breaking, expected = BROKEN[kind]
    breaking(pack)
    problems = check_pack(pack)
    assert len(problems) == 1, problems
    assert problems[0].startswith(str(pack.resolve()))
    assert __import__("re").search(expected, problems[0]), problems[0]
    done = subprocess.run([sys.executable, "-m", "services.citypack", "check", str(pack)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert problems[0] in done.stderr.splitlines()


def test_every_mistake_is_reported_in_one_run(pack: Path) -> None:
    for kind in ("bad adcode", "unknown department in a matter", "duplicate indicator code"):
        BROKEN[kind][0](pack)
    assert len(check_pack(pack)) == 3


def test_a_good_pack_checks_clean_from_the_command_line() -> None:
    done = subprocess.run([sys.executable, "-m", "services.citypack", "check", str(LANSHAN)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout.strip()) == (0, f"{LANSHAN}: ok")


def test_the_app_never_starts_half_configured(pack: Path, tmp_path: Path, redis_url: str) -> None:
    BROKEN["unknown department in a matter"][0](pack)
    settings = Settings(city_pack=pack, database_url=f"sqlite:///{tmp_path}/x.db", redis_url=redis_url,
                        _env_file=None)
    with pytest.raises(StartupError, match="unknown department 'planning'"):
        open_runtime(settings)
    assert not (tmp_path / "x.db").exists() or (tmp_path / "x.db").stat().st_size == 0


def test_a_pack_error_carries_its_lines() -> None:
    with pytest.raises(PackError) as caught:
        load_pack(ROOT / "no-such-pack")
    assert caught.value.problems == [f"{ROOT / 'no-such-pack'}: -: not a folder (set ONESCREEN_CITY_PACK to a "
                                     "city pack folder)"]
