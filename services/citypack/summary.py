"""What the admin page shows of the loaded city pack: its levels, its catalogs as plain records and its first users,
from the pack in memory (never the store: the page shows what the pack says, whatever was written since)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from services.citypack.pack import Area, CityPack, FirstUser

CATALOGS = ("departments", "indicators", "matters", "categories")


@dataclass(frozen=True)
class PackSummary:
    """The pack as the admin page lists it; `catalogs` maps each of CATALOGS to its rows (lists joined by " | ")."""

    folder: str
    levels: tuple[Area, ...]  # province (if any), city, then its districts
    timezone: str
    catalogs: Mapping[str, tuple[dict[str, Any], ...]]
    users: tuple[FirstUser, ...]
    screens: tuple[str, ...]


def _record(row: Any) -> dict[str, Any]:
    return {key: " | ".join(value) if isinstance(value, tuple) else value for key, value in asdict(row).items()}


def pack_summary(pack: CityPack) -> PackSummary:
    names_zh, names_en = pack.city.names("zh-CN"), pack.city.names("en")
    districts = tuple(Area(code, names_zh[code], names_en[code], "district") for code in pack.city.adcodes)
    return PackSummary(
        folder=str(pack.root), levels=(*pack.levels, *districts), timezone=pack.timezone,
        catalogs={name: tuple(_record(row) for row in getattr(pack.catalogs, name)) for name in CATALOGS},
        users=pack.users,
        screens=tuple(screen.name for screen in pack.screens),
    )
