"""A city pack: the one folder that makes a deployment one city rather than another (DESIGN.md, "City pack").

`load_pack` reads and checks everything in it at once and raises `PackError` with one `file:line: field: reason`
line per problem, so the app never starts half-configured and whoever builds a pack for a new city fixes every
mistake in one round (`python -m services.citypack check DIR` prints the same lines).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from services.access import Role
from services.alerts.schema import CATEGORIES as CAP_CATEGORIES
from services.citypack.briefings import Briefings, load_briefings
from services.citypack.contacts import Contacts, load_contacts
from services.citypack.emergency import EmergencyRouting, load_emergency
from services.citypack.files import wiring_problems
from services.citypack.hotline_limits import HotlineLimits, load_hotline_limits
from services.citypack.oncall import Roster, load_roster
from services.citypack.plan_model import Plan
from services.citypack.plans import Known, load_plans
from services.citypack.reading import line_of, read_toml
from services.citypack.screens import Playlist, Screen, load_screens
from services.geo import City, CityFileError, load_city
from services.store.catalog import CatalogError, Catalogs, load_catalogs

ADCODE = re.compile(r"\d{6}")
USERNAME = re.compile(r"[a-z0-9][a-z0-9_.-]{1,63}")
REQUIRED_FILES = ("city.toml", "districts.geojson", "departments.csv", "indicators.csv", "indicator_bands.csv",
                  "matters.csv", "categories.csv", "users.csv", "emergency.csv")


class PackError(ValueError):
    """A city pack that cannot be used; `problems` holds one line per error."""

    def __init__(self, root: Path, problems: Sequence[str]) -> None:
        self.root, self.problems = root, list(problems)
        super().__init__(f"city pack {root}: {len(self.problems)} problem(s)\n" + "\n".join(self.problems))


@dataclass(frozen=True)
class Area:
    """One administrative area above the districts (the city itself, its province)."""

    adcode: str
    name_zh: str
    name_en: str
    level: str  # province | city


@dataclass(frozen=True)
class FirstUser:
    """An account the pack creates on first start: its role and the areas and departments it is bound to."""

    username: str
    role: Role
    display_name: str
    areas: tuple[str, ...]  # district adcodes (a province or the city itself means no binding)
    departments: tuple[str, ...]


@dataclass(frozen=True)
class CityPack:
    """Everything a city pack holds, checked. `levels` runs from the top down: province, city, then `city`'s
    districts."""

    root: Path
    name: str
    province: Area | None
    city_area: Area
    timezone: str
    city: City
    catalogs: Catalogs
    users: tuple[FirstUser, ...]
    emergency: EmergencyRouting
    screens: tuple[Screen, ...]  # file-name order: the first is the default wall
    playlists: tuple[Playlist, ...]
    plans: tuple[Plan, ...] = ()  # plans/*.toml, file-name order (services/plans/)
    roster: Roster = Roster()  # oncall.toml: who is on duty
    contacts: Contacts = Contacts()  # notify.toml: how each department is notified (services/notify/)
    hotline_limits: HotlineLimits = HotlineLimits()  # the optional hotline_limits.csv, else the defaults
    briefings: Briefings = Briefings()  # briefings.toml: the scheduled briefings (services/briefing/)

    def plan(self, code: str) -> Plan | None:
        """The plan called `code`, None when there is none."""
        return next((plan for plan in self.plans if plan.code == code), None)

    def screen(self, name: str | None) -> Screen | None:
        """The screen called `name`, None when there is none."""
        return next((screen for screen in self.screens if screen.name == name), None)

    def screen_or_default(self, name: str | None) -> Screen:
        """The screen called `name`, else the default wall (the first screen)."""
        return self.screen(name) or self.screens[0]

    def playlist(self, name: str | None) -> Playlist | None:
        """The playlist called `name`, None when there is none."""
        return next((playlist for playlist in self.playlists if playlist.name == name), None)

    @property
    def levels(self) -> tuple[Area, ...]:
        return (*((self.province,) if self.province else ()), self.city_area)

    def district_scope(self, areas: Sequence[str]) -> tuple[str, ...]:
        """The district adcodes a scope naming `areas` binds to: none (no binding) if it names the city or its
        province."""
        above = {area.adcode for area in self.levels}
        return () if any(code in above for code in areas) else tuple(areas)


class _Problems:
    def __init__(self, root: Path) -> None:
        self.root, self.lines = root, list[str]()

    def add(self, file: str, where: int | str, field: str, reason: str) -> None:
        self.lines.append(f"{self.root / file}:{where}: {field}: {reason}")


def _key_line(text: str, key: str) -> int:
    """The line of `key = ...` in a TOML text (1 when not found: the file as a whole)."""
    return line_of(text, rf"{re.escape(key)}\s*=")


def _area(table: Any, file: str, text: str, section: str, level: str, problems: _Problems) -> Area | None:
    if not isinstance(table, dict):
        problems.add(file, 1, section, f"missing [{section}] table")
        return None
    ok = True
    for key in ("adcode", "name_zh", "name_en"):
        if not isinstance(table.get(key), str) or not table[key].strip():
            problems.add(file, _key_line(text, key), f"{section}.{key}", "missing or empty")
            ok = False
    adcode = str(table.get("adcode", ""))
    if ok and not ADCODE.fullmatch(adcode):
        problems.add(file, _key_line(text, "adcode"), f"{section}.adcode", f"{adcode!r} is not a 6-digit GB/T 2260 code")
        ok = False
    elif ok and level == "province" and not adcode.endswith("0000"):
        problems.add(file, _key_line(text, "adcode"), f"{section}.adcode", f"{adcode!r} is not a province code (NN0000)")
        ok = False
    elif ok and level == "city" and not adcode.endswith("00"):
        problems.add(file, _key_line(text, "adcode"), f"{section}.adcode", f"{adcode!r} is not a city code (NNNN00)")
        ok = False
    return Area(adcode, table["name_zh"].strip(), table["name_en"].strip(), level) if ok else None


def _city_toml(root: Path, problems: _Problems) -> tuple[Area | None, Area | None, str]:
    file = "city.toml"
    if not (root / file).is_file():
        return None, None, ""  # reported as a missing file
    read = read_toml(root / file, file, problems.add)
    if read is None:
        return None, None, ""
    text, document = read
    city = _area(document.get("city"), file, text, "city", "city", problems)
    province = (_area(document["province"], file, text, "province", "province", problems)
                if "province" in document else None)
    if city and province and city.adcode[:2] != province.adcode[:2]:
        problems.add(file, _key_line(text, "adcode"), "city.adcode",
                     f"{city.adcode} is not in province {province.adcode}")
    zone = str(document.get("city", {}).get("timezone", "")) if isinstance(document.get("city"), dict) else ""
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.add(file, _key_line(text, "timezone"), "city.timezone",
                     f"{zone!r} is not an IANA time zone, e.g. Asia/Shanghai")
    return province, city, zone


def _districts(path: Path, root: Path, city_area: Area | None, problems: _Problems) -> City | None:
    file = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
    try:
        city = load_city(path)
    except CityFileError as exc:
        problems.add(file, 1, "features", str(exc))
        return None
    for index, adcode in enumerate(city.adcodes, start=1):
        if not ADCODE.fullmatch(adcode):
            problems.add(file, f"feature {index}", "adcode", f"{adcode!r} is not a 6-digit GB/T 2260 code")
        elif city_area and adcode[:2] != city_area.adcode[:2]:
            problems.add(file, f"feature {index}", "adcode", f"{adcode} is not in the city's province "
                                                             f"({city_area.adcode[:2]}xxxx)")
    duplicates = sorted({code for code in city.adcodes if city.adcodes.count(code) > 1})
    for adcode in duplicates:
        problems.add(file, "features", "adcode", f"{adcode} appears more than once")
    return city


def _users(root: Path, pack_areas: set[str] | None, departments: set[str] | None,
           problems: _Problems) -> list[FirstUser]:
    """The first users; areas and departments are checked only when their files could be read (None: not)."""
    file, users, seen = "users.csv", list[FirstUser](), set[str]()
    columns = ("username", "role", "display_name", "areas", "departments")
    try:
        handle = (root / file).open(encoding="utf-8-sig", newline="")
    except OSError:
        return users  # reported as a missing file
    with handle:
        reader = csv.DictReader(handle)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            problems.add(file, 1, "header", f"lacks column(s) {', '.join(missing)}")
            return users
        roles = {role.value: role for role in Role}
        for row in reader:
            line, values = reader.line_num, {c: (row.get(c) or "").strip() for c in columns}
            before = len(problems.lines)
            if not USERNAME.fullmatch(values["username"]):
                problems.add(file, line, "username", f"{values['username']!r} is not a lower-case login name")
            elif values["username"] in seen:
                problems.add(file, line, "username", f"duplicate {values['username']!r}")
            if values["role"] not in roles:
                problems.add(file, line, "role", f"unknown role {values['role']!r} (allowed: {', '.join(sorted(roles))})")
            areas, depts = tuple(values["areas"].split()), tuple(values["departments"].split())
            for code in areas:
                if pack_areas is not None and code not in pack_areas:
                    problems.add(file, line, "areas", f"unknown area {code!r} (a province, city or district adcode)")
            for code in depts:
                if departments is not None and code not in departments:
                    problems.add(file, line, "departments", f"unknown department {code!r}")
            seen.add(values["username"])
            if len(problems.lines) == before:
                users.append(FirstUser(values["username"], roles[values["role"]], values["display_name"], areas, depts))
    return users


def check_pack(root: Path, *, districts: Path | None = None) -> list[str]:
    """Every problem of the pack at `root`, one line each (empty when it is usable)."""
    try:
        load_pack(root, districts=districts)
    except PackError as exc:
        return exc.problems
    return []


def load_pack(root: Path, *, districts: Path | None = None) -> CityPack:
    """Read and check the pack at `root` (`districts` replaces its districts.geojson: `ONESCREEN_CITY`)."""
    root = root.resolve()
    problems = _Problems(root)
    if not root.is_dir():
        raise PackError(root, [f"{root}: -: not a folder (set ONESCREEN_CITY_PACK to a city pack folder)"])
    for file in REQUIRED_FILES:
        if not (root / file).is_file() and not (file == "districts.geojson" and districts):
            problems.add(file, 0, "-", "missing file")
    before = len(problems.lines)
    province, city_area, zone = _city_toml(root, problems)
    levels_read = city_area is not None and len(problems.lines) == before
    outlines = districts or root / "districts.geojson"  # a missing pack file is reported once, above
    city = _districts(outlines, root, city_area, problems) if districts or outlines.is_file() else None
    try:
        catalogs: Catalogs | None = load_catalogs(root)
    except CatalogError as exc:
        problems.lines.extend(line for line in exc.problems if "catalog file not found" not in line)
        catalogs = None
    areas = ({area.adcode for area in (province, city_area) if area} | set(city.adcodes)
             if city and levels_read else None)
    departments = {d.code for d in catalogs.departments} if catalogs else None
    users = _users(root, areas, departments, problems)
    codes = {i.code for i in catalogs.indicators} if catalogs else None
    if codes is not None:
        problems.lines.extend(wiring_problems(root, codes))
    emergency, routing_problems = load_emergency(root, departments)
    for problem in routing_problems:
        problems.add(*problem)
    screens, playlists = load_screens(root, codes, problems.add)
    plans, roster = _plans_and_roster(root, catalogs, city)
    departments_read = {d.code for d in catalogs.departments} if catalogs else None
    contacts = load_contacts(root, departments_read)
    limits, limit_problems = load_hotline_limits(root, {c.code for c in catalogs.categories} if catalogs else None,
                                                 zone)
    briefings, briefing_problems = load_briefings(root)
    for problem in (*plans[1], *roster[1], *contacts[1], *limit_problems, *briefing_problems):
        problems.add(*problem)
    if (problems.lines or city is None or catalogs is None or city_area is None or emergency is None
            or limits is None):
        raise PackError(root, problems.lines)
    return CityPack(root, root.name, province, city_area, zone, city, catalogs, tuple(users), emergency, screens,
                    playlists, plans[0], roster[0], contacts[0], limits, briefings)


def _plans_and_roster(root: Path, catalogs: Catalogs | None, city: City | None) -> tuple[
        tuple[tuple[Plan, ...], list[tuple[str, int, str, str]]], tuple[Roster, list[tuple[str, int, str, str]]]]:
    """The pack's emergency plans and on-call roster with their problems, checked against what could be read."""
    departments = {d.code for d in catalogs.departments} if catalogs else None
    districts = set(city.adcodes) if city else None
    known = Known(departments, {c.code for c in catalogs.categories} if catalogs else None,
                  {i.code for i in catalogs.indicators} if catalogs else None, districts, CAP_CATEGORIES)
    return load_plans(root, known), load_roster(root, departments, districts)
