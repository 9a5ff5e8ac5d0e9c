"""Interface text in Chinese (default) and English, from the catalogs in `components/locales/`.

One TOML file per area of the product, one line per key with both languages side by side, so a missing
translation shows in review and each area's text can change without touching the others'. A key defined twice, or
without both languages, stops the app at import rather than showing a blank label on the wall.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path

LANGUAGES = ("zh-CN", "en")
LOCALES = Path(__file__).with_name("locales")


def _load(folder: Path) -> dict[str, dict[str, str]]:
    catalog: dict[str, dict[str, str]] = {lang: {} for lang in LANGUAGES}
    for path in sorted(folder.glob("*.toml")):
        for key, texts in tomllib.loads(path.read_text(encoding="utf-8")).items():
            if key in catalog["zh-CN"]:
                raise ValueError(f"{path.name}: {key} is already defined in another catalog")
            missing = [lang for lang in LANGUAGES if not isinstance(texts, dict) or lang not in texts]
            if missing:
                raise ValueError(f"{path.name}: {key} has no {', '.join(missing)} text")
            for lang in LANGUAGES:
                catalog[lang][key] = texts[lang]
    return catalog


CATALOG: Mapping[str, Mapping[str, str]] = _load(LOCALES)


def translator(lang: str) -> Mapping[str, str]:
    """The catalog of `lang`, falling back to Chinese for an unknown language."""
    return CATALOG.get(lang, CATALOG["zh-CN"])
