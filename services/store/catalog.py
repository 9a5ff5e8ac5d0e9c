"""A city's catalogs (departments, indicators and their bands, government-service matters, event categories) read
from its city pack's CSV files, and their install into the store.

The catalogs are CSV files so that a city can edit them without code. Every bad row is reported, one line each
naming the file, the line and the reason, and loading fails with a `CatalogError` carrying them all: a silently
skipped indicator would be a blank KPI on the wall.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from services.config import DEFAULT_PACK
from services.store import Base, Department, District, Indicator, Matter

DEPARTMENTS_CSV = DEFAULT_PACK / "departments.csv"
INDICATORS_CSV = DEFAULT_PACK / "indicators.csv"
MATTERS_CSV = DEFAULT_PACK / "matters.csv"
BANDS_CSV = DEFAULT_PACK / "indicator_bands.csv"
CATEGORIES_CSV = DEFAULT_PACK / "categories.csv"

KNOWN_UNITS = frozenset({
    "index", "AQI", "km/h", "persons", "persons/h", "persons/km²", "households", "%", "μg/m³", "mg/m³", "dB",
    "MPa", "kPa", "MW", "count", "calls", "items", "min", "h", "mm", "°C", "m", "m³/h", "t",
})
DIRECTIONS = frozenset({"higher", "lower"})
MAX_DECIMALS = 3
# Units of whole things: a reading in them is shown without decimals unless the catalog's `decimals` says otherwise.
WHOLE_UNITS = frozenset({"count", "calls", "items", "persons", "persons/h", "households"})
MATTER_KINDS = frozenset({"instant", "promised"})
T = TypeVar("T")
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


class CatalogError(ValueError):
    """Catalog files cannot be used; `problems` holds one `file:line: reason` line per error, the message all."""

    def __init__(self, problems: str | Sequence[str]) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class DepartmentRow:
    code: str
    name_zh: str
    name_en: str
    kind: str


@dataclass(frozen=True)
class IndicatorRow:
    code: str
    name_zh: str
    name_en: str
    domain: str
    unit: str
    direction: str
    warn: float
    alarm: float
    source_department: str
    cadence_minutes: int
    decimals: int | None = None  # digits shown after the point; None lets the display choose by magnitude

    @property
    def shown_decimals(self) -> int | None:
        """The catalog's `decimals`, else 0 for a unit of whole things (a count is never "15.7 个")."""
        return self.decimals if self.decimals is not None else (0 if self.unit in WHOLE_UNITS else None)


@dataclass(frozen=True)
class Band:
    """One level of a national grading scale (AQI 优…严重污染, congestion 畅通…严重拥堵): values up to `upper`."""

    code: str
    level: int
    upper: float
    name_zh: str
    name_en: str
    colour: str


@dataclass(frozen=True)
class MatterRow:
    code: str
    name_zh: str
    name_en: str
    department: str
    kind: str
    statutory_days: int
    promised_days: int
    bundle: str | None


@dataclass(frozen=True)
class CategoryRow:
    code: str
    name_zh: str
    name_en: str
    time_limit_hours: float
    departments: tuple[str, ...]  # the first leads
    subcategories: tuple[str, ...]
    weight: float  # the demo's share of cases


def _rows(path: Path, columns: Sequence[str], optional: Sequence[str] = ()) -> Iterable[tuple[int, dict[str, str]]]:
    """(line number, stripped row) for each data row; the header must name every column, and may name the
    `optional` ones (empty when it does not)."""
    if not path.is_file():
        raise CatalogError(f"{path}: catalog file not found")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise CatalogError(f"{path}:1: header lacks column(s) {', '.join(missing)}")
        for row in reader:
            yield reader.line_num, {c: (row.get(c) or "").strip() for c in (*columns, *optional)}


class _Checker:
    """Validation helpers bound to one file and line, so every message carries both."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.line = 0
        self.seen: set[str] = set()
        self.problems: list[str] = []

    def fail(self, reason: str) -> CatalogError:
        return CatalogError(f"{self.path}:{self.line}: {reason}")

    @contextmanager
    def row(self) -> Iterator[None]:
        """Check one row: a failure is noted and the row skipped, so one run reports every bad row."""
        try:
            yield
        except CatalogError as exc:
            self.problems.extend(exc.problems)

    def done(self) -> None:
        """Raise every problem noted, if any."""
        if self.problems:
            raise CatalogError(self.problems)

    def require(self, row: dict[str, str], *fields: str) -> None:
        for name in fields:
            if not row[name]:
                raise self.fail(f"missing required field {name!r}")

    def unique(self, code: str) -> None:
        if code in self.seen:
            raise self.fail(f"duplicate code {code!r}")
        self.seen.add(code)

    def number(self, row: dict[str, str], name: str, cast: Callable[[str], Any] = float) -> Any:
        try:
            value = cast(row[name])
        except ValueError:
            raise self.fail(f"field {name!r} is not a number: {row[name]!r}") from None
        if isinstance(value, float) and not math.isfinite(value):
            raise self.fail(f"field {name!r} is not a finite number: {row[name]!r}")
        return value

    def one_of(self, row: dict[str, str], name: str, allowed: Iterable[str]) -> str:
        if row[name] not in allowed:
            raise self.fail(f"unknown {name} {row[name]!r} (allowed: {', '.join(sorted(allowed))})")
        return row[name]


def load_departments(path: Path = DEPARTMENTS_CSV) -> list[DepartmentRow]:
    """Departments and agencies that events are dispatched to and that own indicators and matters."""
    check, out = _Checker(path), []
    for check.line, row in _rows(path, ("code", "name_zh", "name_en", "kind")):
        with check.row():
            check.require(row, "code", "name_zh", "name_en", "kind")
            check.unique(row["code"])
            out.append(DepartmentRow(**row))
    check.done()
    return out


def _decimals(check: _Checker, row: dict[str, str]) -> int | None:
    """The optional `decimals` column: empty, or a whole number from 0 to MAX_DECIMALS."""
    if not row.get("decimals"):
        return None
    decimals = check.number(row, "decimals", int)
    if not 0 <= decimals <= MAX_DECIMALS:
        raise check.fail(f"decimals must be between 0 and {MAX_DECIMALS}, got {decimals}")
    return int(decimals)


def load_indicators(path: Path = INDICATORS_CSV, departments: Iterable[str] | None = None) -> list[IndicatorRow]:
    """Indicators with thresholds; `warn` must come before `alarm` in the bad direction. The `decimals` column is
    optional (a pack without it shows counts whole and other values by magnitude)."""
    known = set(departments) if departments is not None else {d.code for d in load_departments()}
    columns = ("code", "name_zh", "name_en", "domain", "unit", "direction", "warn", "alarm", "source_department",
               "cadence_minutes")
    check, out = _Checker(path), []
    for check.line, row in _rows(path, columns, optional=("decimals",)):
        with check.row():
            check.require(row, *columns)
            check.unique(row["code"])
            check.one_of(row, "unit", KNOWN_UNITS)
            direction = check.one_of(row, "direction", DIRECTIONS)
            warn, alarm = check.number(row, "warn"), check.number(row, "alarm")
            if direction == "lower" and not warn < alarm:
                raise check.fail(f"warn {warn} must be below alarm {alarm} when lower is better")
            if direction == "higher" and not warn > alarm:
                raise check.fail(f"warn {warn} must be above alarm {alarm} when higher is better")
            if row["source_department"] not in known:
                raise check.fail(f"unknown source_department {row['source_department']!r}")
            cadence = check.number(row, "cadence_minutes", int)
            if cadence <= 0:
                raise check.fail(f"cadence_minutes must be positive, got {cadence}")
            out.append(IndicatorRow(row["code"], row["name_zh"], row["name_en"], row["domain"], row["unit"],
                                    direction, warn, alarm, row["source_department"], cadence,
                                    _decimals(check, row)))
    check.done()
    return out


def load_bands(path: Path = BANDS_CSV, indicators: Iterable[str] | None = None) -> dict[str, tuple[Band, ...]]:
    """Grading scales by indicator code, levels in order; each level's `upper` must exceed the previous one."""
    known = set(indicators) if indicators is not None else {i.code for i in load_indicators()}
    columns = ("code", "level", "upper", "name_zh", "name_en", "colour")
    check, out = _Checker(path), dict[str, list[Band]]()
    for check.line, row in _rows(path, columns):
        with check.row():
            check.require(row, *columns)
            if row["code"] not in known:
                raise check.fail(f"unknown indicator code {row['code']!r}")
            check.unique(f"{row['code']} level {row['level']}")
            if not _COLOUR.fullmatch(row["colour"]):
                raise check.fail(f"colour must be #rrggbb, got {row['colour']!r}")
            upper = float(row["upper"]) if row["upper"] == "inf" else check.number(row, "upper")
            scale = out.setdefault(row["code"], [])
            if scale and not upper > scale[-1].upper:
                raise check.fail(f"upper {upper} must exceed the previous level's {scale[-1].upper}")
            scale.append(Band(row["code"], check.number(row, "level", int), upper, row["name_zh"], row["name_en"],
                              row["colour"]))
    check.done()
    return {code: tuple(scale) for code, scale in out.items()}


def band_of(bands: Sequence[Band], value: float | None) -> Band | None:
    """The level `value` falls in (the first whose `upper` it does not exceed); None for no value or above all."""
    if value is None or math.isnan(value):
        return None
    return next((band for band in bands if value <= band.upper), None)


def load_matters(path: Path = MATTERS_CSV, departments: Iterable[str] | None = None) -> list[MatterRow]:
    """Government-service matters; instant (即办) ones take 0 days, promised ones at most their statutory limit."""
    known = set(departments) if departments is not None else {d.code for d in load_departments()}
    columns = ("code", "name_zh", "name_en", "department", "kind", "statutory_days", "promised_days", "bundle")
    check, out = _Checker(path), []
    for check.line, row in _rows(path, columns):
        with check.row():
            check.require(row, *columns[:-1])
            check.unique(row["code"])
            if row["department"] not in known:
                raise check.fail(f"unknown department {row['department']!r}")
            kind = check.one_of(row, "kind", MATTER_KINDS)
            statutory, promised = check.number(row, "statutory_days", int), check.number(row, "promised_days", int)
            if kind == "instant" and (statutory or promised):
                raise check.fail("an instant matter takes 0 statutory and 0 promised days")
            if kind == "promised" and not 0 < promised <= statutory:
                raise check.fail(f"promised_days {promised} must be between 1 and statutory_days {statutory}")
            out.append(MatterRow(row["code"], row["name_zh"], row["name_en"], row["department"], kind, statutory,
                                 promised, row["bundle"] or None))
    check.done()
    return out


def load_categories(path: Path = CATEGORIES_CSV, departments: Iterable[str] | None = None) -> list[CategoryRow]:
    """Event categories with their time limits and the departments a case goes to (the first leads)."""
    known = set(departments) if departments is not None else {d.code for d in load_departments()}
    columns = ("code", "name_zh", "name_en", "time_limit_hours", "departments", "subcategories", "weight")
    check, out = _Checker(path), []
    for check.line, row in _rows(path, columns):
        with check.row():
            check.require(row, "code", "name_zh", "name_en", "time_limit_hours", "departments")
            check.unique(row["code"])
            hours = check.number(row, "time_limit_hours")
            if hours <= 0:
                raise check.fail(f"time_limit_hours must be positive, got {hours}")
            departments_of = tuple(row["departments"].split("|"))
            unknown = [code for code in departments_of if code not in known]
            if unknown:
                raise check.fail(f"unknown department {unknown[0]!r} in departments")
            weight = check.number(row, "weight") if row["weight"] else 1.0
            if weight < 0:
                raise check.fail(f"weight must not be negative, got {weight}")
            subcategories = tuple(filter(None, row["subcategories"].split("|"))) or (row["name_zh"],)
            out.append(CategoryRow(row["code"], row["name_zh"], row["name_en"], hours, departments_of,
                                   subcategories, weight))
    check.done()
    return out


@dataclass(frozen=True)
class Catalogs:
    """A city's catalogs, read together and checked against each other."""

    departments: tuple[DepartmentRow, ...]
    indicators: tuple[IndicatorRow, ...]
    bands: dict[str, tuple[Band, ...]] = field(hash=False)
    matters: tuple[MatterRow, ...]
    categories: tuple[CategoryRow, ...]

    def category(self, code: str) -> CategoryRow | None:
        return next((c for c in self.categories if c.code == code), None)


def load_catalogs(folder: Path = DEFAULT_PACK) -> Catalogs:
    """Every catalog of a pack folder; a CatalogError lists the problems of all files at once. The files that
    refer to departments (or indicators) are checked only once those could be read, so one broken file does not
    bury its own error under a line per row of the others."""
    problems: list[str] = []

    def attempt(load: Callable[[], T]) -> T | None:
        try:
            return load()
        except CatalogError as exc:
            problems.extend(exc.problems)
            return None

    departments = attempt(lambda: load_departments(folder / "departments.csv"))
    if departments is None:
        raise CatalogError(problems)
    codes = [d.code for d in departments]
    indicators = attempt(lambda: load_indicators(folder / "indicators.csv", departments=codes))
    bands = (attempt(lambda: load_bands(folder / "indicator_bands.csv", indicators=[i.code for i in indicators]))
             if indicators is not None else None)
    matters = attempt(lambda: load_matters(folder / "matters.csv", departments=codes))
    categories = attempt(lambda: load_categories(folder / "categories.csv", departments=codes))
    if problems or indicators is None or bands is None or matters is None or categories is None:
        raise CatalogError(problems)
    return Catalogs(tuple(departments), tuple(indicators), bands, tuple(matters), tuple(categories))


def _upsert(session: Session, model: type[Base], rows: Iterable[dict[str, Any]]) -> int:
    count = 0
    for row in rows:
        session.merge(model(**row))
        count += 1
    return count


def install_catalog(session: Session, *, districts: Sequence[dict[str, Any]],
                    catalogs: Catalogs | None = None) -> dict[str, int]:
    """Insert or update districts (dicts: adcode, name_zh, name_en, geometry as GeoJSON text or mapping) and the
    departments, indicators and matters of `catalogs` (the default pack's when None); commits and returns the count
    per table. Safe to run again."""
    catalogs = catalogs or load_catalogs()
    counts = {
        "districts": _upsert(session, District, (
            {"adcode": str(d["adcode"]), "name_zh": d["name_zh"], "name_en": d["name_en"],
             "geometry": d["geometry"] if isinstance(d["geometry"], str) else json.dumps(d["geometry"], ensure_ascii=False)}
            for d in districts)),
        "departments": _upsert(session, Department, (asdict(d) for d in catalogs.departments)),
    }
    session.flush()
    stored = set(Indicator.__table__.columns.keys())  # `decimals` is the display's, read from the pack
    counts["indicators"] = _upsert(session, Indicator, ({k: v for k, v in asdict(i).items() if k in stored}
                                                        for i in catalogs.indicators))
    counts["matters"] = _upsert(session, Matter, (asdict(m) for m in catalogs.matters))
    session.commit()
    return counts
