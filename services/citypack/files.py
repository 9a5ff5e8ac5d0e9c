"""The pack's optional wiring files, checked against its indicators: `ngsi_mapping.toml` (FIWARE attributes ->
indicators) and `sources.yaml` (the systems that deliver data). A mapping or a source naming an indicator the pack
does not have would load and then silently drop every reading, so the checker says so, one line per error."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from services.citypack.reading import read_toml

NGSI_FILE, SOURCES_FILE = "ngsi_mapping.toml", "sources.yaml"
_MAP_KEYS = ("entity_type", "attribute", "indicator")


def _entry_lines(text: str) -> list[dict[str, int]]:
    """Per `[[map]]` entry, the line of each of its keys (the entry header's line under "")."""
    entries: list[dict[str, int]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(r"\s*\[\[\s*map\s*\]\]", line):
            entries.append({"": number})
        elif entries and (key := re.match(r"\s*([A-Za-z_]+)\s*=", line)):
            entries[-1].setdefault(key[1], number)
    return entries


def _ngsi_problems(path: Path, indicators: set[str]) -> Iterator[str]:
    unreadable: list[str] = []
    read = read_toml(path, str(path), lambda file, line, field, reason: unreadable.append(
        f"{file}:{line}: {field}: {reason}"))
    if read is None:
        yield from unreadable
        return
    text, document = read
    entries, lines = document.get("map", []), _entry_lines(text)
    if not isinstance(entries, list):
        yield f"{path}:1: map: must be [[map]] entries"
        return
    for index, entry in enumerate(entries):
        where = lines[index] if index < len(lines) else {"": 1}
        for key in _MAP_KEYS:
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                yield f"{path}:{where['']}: map[{index + 1}].{key}: missing or empty"
        code = entry.get("indicator")
        if isinstance(code, str) and code.strip() and code not in indicators:
            yield (f"{path}:{where.get('indicator', where[''])}: map[{index + 1}].indicator: "
                   f"unknown indicator {code!r} (not in indicators.csv)")


def _sources_problems(path: Path, indicators: set[str]) -> Iterator[str]:
    # Imported here: the sources package's face reaches the runtime, which loads packs.
    from services.sources import SourcesFileError, load_sources

    try:
        load_sources(path)
    except SourcesFileError as exc:
        yield from str(exc).splitlines()
        return
    try:  # valid: read again with its line marks, to place an unknown indicator
        document = YAML(typ="rt").load(path.read_text(encoding="utf-8")) or {}
    except (OSError, YAMLError):  # load_sources just read it; nothing more to say
        return
    for index, source in enumerate(document.get("sources") or []):
        for position, code in enumerate(source.get("indicators") or ()):
            if code not in indicators:
                line = source["indicators"].lc.item(position)[0] + 1
                yield (f"{path}:{line}: sources[{index}].indicators[{position}]: "
                       f"unknown indicator {code!r} (not in indicators.csv)")


def wiring_problems(root: Path, indicators: set[str]) -> list[str]:
    """Every problem of the pack's `ngsi_mapping.toml` and `sources.yaml`, where present, one line each."""
    return [*(_ngsi_problems(root / NGSI_FILE, indicators) if (root / NGSI_FILE).is_file() else ()),
            *(_sources_problems(root / SOURCES_FILE, indicators) if (root / SOURCES_FILE).is_file() else ())]
