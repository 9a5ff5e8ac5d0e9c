"""The shipped catalogs (departments, indicators, government-service matters) and their install into the store.

The catalogs are CSV files so that a city can edit them without code; a bad row stops loading with a `CatalogError`
naming the file, the line and the reason, because a silently skipped indicator would be a blank KPI on the wall.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from services.config import DATA_DIR
from services.store import Base, Department, District, Indicator, Matter

DEPARTMENTS_CSV = DATA_DIR / "departments.csv"
INDICATORS_CSV = DATA_DIR / "indicators.csv"
MATTERS_CSV = DATA_DIR / "matters.csv"
BANDS_CSV = DATA_DIR / "indicator_bands.csv"

KNOWN_UNITS = frozenset({
    "index", "AQI", "km/h", "persons", "persons/h", "persons/km²", "households", "%", "μg/m³", "mg/m³", "dB",
    "MPa", "kPa", "MW", "count", "calls", "items", "min", "h", "mm", "°C", "m", "m³/h", "t",
})
DIRECTIONS = frozenset({"higher", "lower"})
MATTER_KINDS = frozenset({"instant", "promised"})
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


class CatalogError(ValueError):
    """A catalog file cannot be used; the message says which file, which line and why."""


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


def _rows(path: Path, columns: Sequence[str]) -> Iterable[tuple[int, dict[str, str]]]:
    """(line number, stripped row) for each data row; the header must name every column."""
    if not path.is_file():
        raise CatalogError(f"{path}: catalog file not found")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise CatalogError(f"{path}:1: header lacks column(s) {', '.join(missing)}")
        for row in reader:
            yield reader.line_num, {c: (row.get(c) or "").strip() for c in columns}


class _Checker:
    """Validation helpers bound to one file and line, so every message carries both."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.line = 0
        self.seen: set[str] = set()

    def fail(self, reason: str) -> CatalogError:
        return CatalogError(f"{self.path}:{self.line}: {reason}")

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
        check.require(row, "code", "name_zh", "name_en", "kind")
        check.unique(row["code"])
        out.append(DepartmentRow(**row))
    return out


def load_indicators(path: Path = INDICATORS_CSV, departments: Iterable[str] | None = None) -> list[IndicatorRow]:
    """Indicators with thresholds; `warn` must come before `alarm` in the bad direction."""
    known = set(departments) if departments is not None else {d.code for d in load_departments()}
    columns = ("code", "name_zh", "name_en", "domain", "unit", "direction", "warn", "alarm", "source_department",
               "cadence_minutes")
    check, out = _Checker(path), []
    for check.line, row in _rows(path, columns):
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
        out.append(IndicatorRow(row["code"], row["name_zh"], row["name_en"], row["domain"], row["unit"], direction,
                                warn, alarm, row["source_department"], cadence))
    return out


def load_bands(path: Path = BANDS_CSV, indicators: Iterable[str] | None = None) -> dict[str, tuple[Band, ...]]:
    """Grading scales by indicator code, levels in order; each level's `upper` must exceed the previous one."""
    known = set(indicators) if indicators is not None else {i.code for i in load_indicators()}
    columns = ("code", "level", "upper", "name_zh", "name_en", "colour")
    check, out = _Checker(path), dict[str, list[Band]]()
    for check.line, row in _rows(path, columns):
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
    return out


def _upsert(session: Session, model: type[Base], rows: Iterable[dict[str, Any]]) -> int:
    count = 0
    for row in rows:
        session.merge(model(**row))
        count += 1
    return count


def install_catalog(session: Session, *, districts: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Insert or update districts (dicts: adcode, name_zh, name_en, geometry as GeoJSON text or mapping) and the
    shipped departments, indicators and matters; commits and returns the count per table. Safe to run again."""
    departments = load_departments()
    codes = [d.code for d in departments]
    counts = {
        "districts": _upsert(session, District, (
            {"adcode": str(d["adcode"]), "name_zh": d["name_zh"], "name_en": d["name_en"],
             "geometry": d["geometry"] if isinstance(d["geometry"], str) else json.dumps(d["geometry"], ensure_ascii=False)}
            for d in districts)),
        "departments": _upsert(session, Department, (asdict(d) for d in departments)),
    }
    session.flush()
    counts["indicators"] = _upsert(session, Indicator, (asdict(i) for i in load_indicators(departments=codes)))
    counts["matters"] = _upsert(session, Matter, (asdict(m) for m in load_matters(departments=codes)))
    session.commit()
    return counts
