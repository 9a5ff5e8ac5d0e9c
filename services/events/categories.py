"""Event categories by the city pack's names: each city has its own categories (categories.csv), so their names
come from the pack, not from a locale catalog."""

from __future__ import annotations

from services.citypack import CityPack


def category_names(pack: CityPack, lang: str) -> dict[str, str]:
    """code → the pack's name of each event category in `lang` (zh-CN, else English), in the pack's order."""
    return {c.code: c.name_zh if lang == "zh-CN" else c.name_en for c in pack.catalogs.categories}
