"""Reading a pack's TOML files the one way the checker reports on them: an unreadable or malformed file is one
`file:line: -: reason` problem, with the line a TOML error names."""

from __future__ import annotations

import re
import string
import tomllib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

Report = Callable[[str, int | str, str, str], None]  # file, line, field, reason


def line_of(text: str, pattern: str, nth: int = 0, after: int = 0) -> int:
    """The line of the `nth` match of `pattern` (a regex, at a line's start) after line `after`, or `after` or 1."""
    offset = 0
    for _ in range(after - 1 if after > 1 else 0):
        offset = text.find("\n", offset) + 1
    matches = list(re.finditer(rf"^[ \t]*{pattern}", text[offset:], re.MULTILINE))
    if nth < len(matches):
        return text.count("\n", 0, offset + matches[nth].start()) + 1
    return max(after, 1)


def toml_error_line(exc: tomllib.TOMLDecodeError) -> int:
    """The line a TOML error names (Python before 3.14 says it only in the message)."""
    found = re.search(r"at line (\d+)", str(exc))
    return int(found.group(1)) if found else 1


def read_toml(path: Path, file: str, report: Report) -> tuple[str, dict[str, Any]] | None:
    """`path`'s text and document, or None once its problem is reported under `file`."""
    try:
        text = path.read_text(encoding="utf-8")
        return text, tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        report(file, 1, "-", f"cannot read ({exc.__class__.__name__})")
    except tomllib.TOMLDecodeError as exc:
        report(file, toml_error_line(exc), "-", f"not TOML: {exc}")
    return None


def optional_entries(root: Path, file: str, table: str, problems: list[tuple[str, int, str, str]]
                     ) -> tuple[str, dict[str, Any], list[Any]] | None:
    """An optional pack file's text, document and `[[table]]` entries; None when the file is absent, or once its
    problem (unreadable, not TOML, `table` not a list of entries) is added to `problems`."""
    path = root / file
    if not path.is_file():
        return None
    read = read_toml(path, file, lambda f, line, field, reason: problems.append((f, int(line), field, reason)))
    if read is None:
        return None
    text, document = read
    entries = document.get(table, [])
    if not isinstance(entries, list):
        problems.append((file, 1, table, f"must be [[{table}]] entries"))
        return None
    return text, document, entries


def template_problems(value: str, allowed: Iterable[str]) -> list[str]:
    """What is wrong with a `str.format` template the pack words something with, which may name only `allowed`
    fields: a broken template, or each unknown field ([] when it is right)."""
    try:
        named = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
    except ValueError as exc:
        return [f"not a template: {exc}"]
    allowed = tuple(allowed)
    return [f"unknown field {{{name}}} (allowed: {', '.join(allowed) or 'none'})" for name in sorted(named - set(allowed))]
