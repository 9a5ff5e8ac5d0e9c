"""Every interface string exists in both languages, and every key a page or component asks for is in the catalog."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from components.i18n import CATALOG, LANGUAGES, translator

ROOT = Path(__file__).resolve().parents[2]
KEY = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")


def test_both_languages_have_the_same_keys():
    zh, en = set(CATALOG["zh-CN"]), set(CATALOG["en"])
    assert zh - en == set(), f"missing in English: {sorted(zh - en)}"
    assert en - zh == set(), f"missing in Chinese: {sorted(en - zh)}"


def test_no_string_is_empty_and_chinese_strings_are_chinese():
    for lang, entries in CATALOG.items():
        for key, text in entries.items():
            assert text.strip(), f"{lang} {key} is empty"
    untranslated = [key for key, text in CATALOG["zh-CN"].items()
                    if text == CATALOG["en"][key] and re.search(r"[A-Za-z]{4,}", text)]
    assert untranslated == [], f"Chinese entries still in English: {untranslated}"


def _looked_up_keys(path: Path) -> set[str]:
    """String subscripts that look like catalog keys (text["wall.title"]) in one source file."""
    keys = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
            value = node.slice.value
            if isinstance(value, str) and KEY.match(value) and value.split(".")[0] in _namespaces():
                keys.add(value)
    return keys


def _namespaces() -> set[str]:
    return {key.split(".")[0] for key in CATALOG["zh-CN"]}


def test_every_key_the_interface_uses_is_in_the_catalog():
    used: dict[str, str] = {}
    for room in ("dashboards", "components"):
        for path in (ROOT / room).rglob("*.py"):
            for key in _looked_up_keys(path):
                used.setdefault(key, str(path.relative_to(ROOT)))
    missing = {key: where for key, where in used.items() if key not in CATALOG["zh-CN"]}
    assert missing == {}, f"keys used but not in the catalog: {missing}"
    assert used, "no catalog lookups found: the scan is broken"


def test_unknown_language_falls_back_to_chinese():
    assert translator("fr") is CATALOG["zh-CN"]
    assert translator("en")["conn.live"] == "Live"


def test_language_switch_links_both_languages_and_marks_the_current_one():
    from components.lang_switch import language_switch

    nav = language_switch("en", translator("en")["lang.switch"])
    links = {link.lang: link for link in nav.children}
    assert set(links) == set(LANGUAGES)
    assert links["en"].href == "?lang=en" and links["zh-CN"].href == "?lang=zh-CN"
    assert links["zh-CN"].children == "中文" and links["en"].children == "English"  # each in its own language
    assert getattr(links["en"], "aria-current") == "true" and not hasattr(links["zh-CN"], "aria-current")
