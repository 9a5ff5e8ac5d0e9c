"""Build the briefing's font: Noto Sans SC (SIL OFL 1.1) cut to GB2312 (levels 1 and 2), ASCII, CJK
punctuation and every character of the interface catalogs and the shipped data, so PDF and PNG briefings
render Chinese on a server with no CJK font and no internet.

Source: the static TrueType instances in the npm package `@expo-google-fonts/noto-sans-sc` (`npm pack
@expo-google-fonts/noto-sans-sc@0.4.3`, then untar). Run from the repository root:

    python scripts/build_briefing_font.py path/to/package
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "assets" / "fonts" / "briefing"
WEIGHTS = {"400Regular": "NotoSansSC-Regular.ttf", "700Bold": "NotoSansSC-Bold.ttf"}
TEXT_SOURCES = ("components/locales/*.toml", "citypacks/*/*.csv", "citypacks/*/*.geojson", "citypacks/*/*.toml")


def gb2312() -> set[str]:
    """Every character GB2312 encodes: symbols (rows 1-9) and hanzi (rows 16-87)."""
    chars = set()
    for row in range(0xA1, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                chars.add(bytes((row, cell)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return chars


def characters() -> str:
    chars = gb2312() | {chr(c) for c in range(0x20, 0x7F)} | {chr(c) for c in range(0x2000, 0x2070)}
    chars |= {chr(c) for c in range(0x3000, 0x3040)} | {chr(c) for c in range(0xFF00, 0xFF70)}
    chars |= set("▲▼▬●○■□★☆°±×÷·—…‰℃")
    for pattern in TEXT_SOURCES:
        for path in sorted(ROOT.glob(pattern)):
            chars |= set(path.read_text(encoding="utf-8"))
    return "".join(sorted(c for c in chars if c.isprintable()))


def main(package: Path) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    text = characters()
    for folder, name in WEIGHTS.items():
        source = next((package / folder).glob("*.ttf"))
        options = subset.Options()
        options.layout_features = ["kern", "liga", "palt", "vert"]
        options.name_IDs = ["*"]
        options.notdef_outline = True
        options.hinting = False
        font = subset.load_font(str(source), options)
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=text)
        subsetter.subset(font)
        subset.save_font(font, str(OUT / name), options)
        sys.stdout.write(f"{name}: {len(text)} characters, {(OUT / name).stat().st_size / 1e6:.2f} MB\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
