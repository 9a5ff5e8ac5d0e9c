"""No city in the code: the default pack's place names appear only in the pack (issue 20).

A deployment for another city must not show the demo city's names on any page, in any message, example or comment:
everything a city is comes from its pack. The names are read from the default pack itself (city, province,
districts and their adcodes, departments, indicators that name a place) plus a fixed list of its best-known
places, and each is looked for in the code, the browser assets and the locale catalogs; a hit fails naming file, line and name. Docstrings and
comments count. The one mention allowed is the default pack's folder in services/config.py.
"""

from __future__ import annotations

import csv
import json
import re
import tomllib
from pathlib import Path

from services.config import DEFAULT_PACK

ROOT = Path(__file__).resolve().parents[1]
PLACES = ("鼓浪屿", "Gulangyu", "中山路", "Zhongshan Road", "厦门", "Xiamen", "思明", "Siming", "湖里", "Huli", "集美",
          "Jimei", "海沧", "Haicang", "同安", "Tong'an", "翔安", "Xiang'an")
ALLOWED = ("services/config.py", 'DEFAULT_PACK = PACKS_DIR / "xiamen"')  # the default pack's folder: a line starting so


def _code() -> list[Path]:
    files = [ROOT / "app.py"]
    for folder in ("services", "components", "dashboards", "api"):
        files += (ROOT / folder).rglob("*.py")
    files += (ROOT / "components" / "locales").rglob("*.toml")
    files += (ROOT / "assets").glob("*.js")
    files += (ROOT / "assets").glob("*.css")
    return sorted(files)


def _csv(name: str) -> list[dict[str, str]]:
    with (DEFAULT_PACK / name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def pack_names() -> set[str]:
    """The default pack's own names of places and of the bodies named after them."""
    names = set(PLACES)
    city = tomllib.loads((DEFAULT_PACK / "city.toml").read_text(encoding="utf-8"))
    for table in (city["city"], city.get("province", {})):
        names |= {table.get("name_zh", ""), table.get("name_en", ""), table.get("adcode", "")}
    for feature in json.loads((DEFAULT_PACK / "districts.geojson").read_text(encoding="utf-8"))["features"]:
        zh, en = feature["properties"]["name_zh"], feature["properties"]["name_en"]
        names |= {zh, zh.removesuffix("区"), en, str(feature["properties"]["adcode"])}
    names |= {row[key] for row in _csv("departments.csv") for key in ("name_zh", "name_en")}
    places = [re.sub(r"\W+", "_", place.lower()) for place in PLACES if place.isascii()]
    for row in _csv("indicators.csv"):  # an indicator named after a place: its code and names
        if any(place in row["code"] for place in places) or any(p in row["name_zh"] for p in PLACES):
            names |= {row["code"], row["name_zh"], row["name_en"]}
    return {name for name in names if name}


def _pattern(name: str) -> re.Pattern[str]:
    """Chinese names as they are; Latin ones and codes case-insensitively, not inside a longer word or number (but
    `crowd_<place>` counts: an underscore joins the words of a code)."""
    if name.isascii():
        alias = re.escape(name).replace(r"\ ", r"[\s_]")
        return re.compile(rf"(?<![A-Za-z0-9]){alias}(?![A-Za-z0-9])", re.IGNORECASE)
    return re.compile(re.escape(name))


def test_the_names_come_from_the_default_pack() -> None:
    names = pack_names()
    assert {"厦门市", "Xiamen", "思明区", "Siming", "350203", "crowd_gulangyu"} <= names
    assert any(name.endswith("公安局") for name in names)


def test_no_place_of_the_default_pack_is_named_in_the_code() -> None:
    patterns = [(name, _pattern(name)) for name in sorted(pack_names(), key=len, reverse=True)]
    hits = []
    for path in _code():
        relative = path.relative_to(ROOT).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if relative == ALLOWED[0] and line.startswith(ALLOWED[1]):
                continue
            found = next((name for name, pattern in patterns if pattern.search(line)), None)
            if found:
                hits.append(f"{relative}:{number}: {found!r}: {line.strip()[:120]}")
    assert not hits, "the default pack's places named in the code (move them into the pack):\n" + "\n".join(hits)
