"""A table column-wise, chunk by chunk, for the bulk paths (readings arrive by the hundred thousand).

`column_chunks(rows, names, size)` yields `Chunk`s: each row's number, the named fields as one pandas column each,
and the row as `parse_table` gives it (for the row-wise check of the rows a column-wise screen cannot clear). A
plain CSV body is read by pandas' C parser, twenty times faster than the csv module; every other body, and a CSV
body that is not plain, is gathered from its rows. Both give the same rows with the same numbers
(tests/services/ingest/test_columns.py holds them equal).

Plain means what the C parser reads exactly as the csv module does: a seekable body in one of the sniffed
encodings, no quote character, no bare carriage return, a header of distinct names, and every record with the
header's cell count. That is checked in one streaming pass over the bytes before the first row is read, so a body
is never half read one way and half the other.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import IO, Any

import numpy as np
import pandas as pd

from services.ingest.report import numbered
from services.ingest.tables import SNIFF_BYTES, CsvRows, sniff_encoding

BLOCK = 8 << 20  # bytes scanned at a time by the plainness check
# The times a screen parses itself: what `datetime.fromisoformat` reads the same way, with an explicit offset.
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})$")


@dataclass(frozen=True)
class Chunk:
    """Rows `numbers[i]` with the named fields column-wise in `frame` (object columns: text as sent, None where
    absent); `fields(i)` is row i as the row-wise checks read it."""

    numbers: np.ndarray
    frame: pd.DataFrame
    rows: Sequence[Mapping[str, Any]] | pd.DataFrame

    def fields(self, position: int) -> Mapping[str, Any]:
        if isinstance(self.rows, pd.DataFrame):
            return dict(zip(self.rows.columns, self.rows.iloc[position], strict=True))
        return self.rows[position]


def column_chunks(rows: Iterable[Any], names: Sequence[str], size: int) -> Iterator[Chunk]:
    """`rows` (as `parse_table` gives them, or bare mappings) `size` at a time, column-wise for `names`."""
    if isinstance(rows, CsvRows) and (header := _plain_header(rows.stream)) is not None:
        yield from _csv_chunks(rows.stream, header, names, size)
        return
    rows_in = numbered(rows)
    while chunk := list(islice(rows_in, size)):
        fields = [row for _number, row in chunk]
        frame = pd.DataFrame({name: pd.Series([row.get(name) for row in fields], dtype=object) for name in names})
        yield Chunk(np.fromiter((number for number, _row in chunk), np.int64, len(chunk)), frame, fields)


def _csv_chunks(stream: IO[bytes], header: list[str], names: Sequence[str], size: int) -> Iterator[Chunk]:
    encoding = sniff_encoding(stream.read(SNIFF_BYTES))
    stream.seek(0)
    reader = pd.read_csv(stream, dtype=object, na_filter=False, encoding=encoding, chunksize=size, engine="c",
                         skip_blank_lines=True, header=0, names=header, quoting=3)  # 3: QUOTE_NONE (none are there)
    numbered_so_far = 0
    for table in reader:
        table = table[_filled(table)].reset_index(drop=True)
        numbers = np.arange(numbered_so_far + 1, numbered_so_far + len(table) + 1, dtype=np.int64)
        numbered_so_far += len(table)
        frame = pd.DataFrame({name: table[name].astype(object) if name in table else
                              pd.Series([None] * len(table), dtype=object) for name in names})
        yield Chunk(numbers, frame, table)


def _filled(table: pd.DataFrame) -> np.ndarray:
    """The rows with a cell that is not blank (the csv reader's rule for which rows count): decided column by
    column, so the usual table (an id in its first column) costs one pass over one column."""
    filled = np.zeros(len(table), bool)
    undecided = np.arange(len(table))
    for name in table.columns:
        cells = table[name].to_numpy()[undecided]
        found = np.fromiter((bool(cell.strip()) for cell in cells), bool, len(cells))
        filled[undecided[found]] = True
        undecided = undecided[~found]
        if not len(undecided):
            break
    return filled


def _plain_header(stream: IO[bytes]) -> list[str] | None:
    """The header's names when the body is plain (see the module's docstring), else None; the stream is left at
    its start."""
    if not stream.seekable():
        return None
    start = stream.tell()
    try:
        return _scan(stream)
    finally:
        stream.seek(start)


def _scan(stream: IO[bytes]) -> list[str] | None:
    head = stream.read(SNIFF_BYTES)
    encoding = sniff_encoding(head)
    decoder = codecs.getincrementaldecoder(encoding)()
    header: list[str] | None = None
    carry = b""
    block = head
    while block:
        try:
            decoder.decode(block)
        except UnicodeDecodeError:
            return None
        if b'"' in block or block.count(b"\r") != block.count(b"\r\n"):
            return None
        lines = (carry + block).split(b"\n")
        carry = lines.pop()
        if header is None and lines:
            header = _names(lines.pop(0), encoding)
            if header is None:
                return None
        if header is not None and not _cell_counts_match(lines, len(header)):
            return None
        block = stream.read(BLOCK)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    if carry.strip():
        if header is None:
            header = _names(carry, encoding)
        elif not _cell_counts_match([carry], len(header)):
            return None
    return header


def _names(line: bytes, encoding: str) -> list[str] | None:
    names = [name.strip() for name in codecs.decode(line, encoding).split(",")]
    return names if all(names) and len(set(names)) == len(names) else None


def _cell_counts_match(lines: list[bytes], cells: int) -> bool:
    """Every line that is not blank has `cells - 1` commas (a comma byte is never part of a multi-byte character
    in UTF-8 or GB18030)."""
    return all(line.count(b",") == cells - 1 or not line.strip() for line in lines)


# Column-wise screens: each gives a column's values as the row-wise checks (services/ingest/report.py) would read
# them, and where it cannot vouch for a cell (a False in its mask) the row goes to the row-wise check instead.

def plain_texts(column: pd.Series, max_length: int) -> tuple[list[str | None], np.ndarray]:
    """Trimmed text, None for an absent or blank cell (as `report.text`); not vouched: a cell that is not text or
    is too long. A column of text and Nones alone (every CSV column) is trimmed in pandas' loop, not ours."""
    cells = column.to_numpy()
    if pd.api.types.infer_dtype(cells, skipna=True) in ("string", "empty") and not (
            pd.isna(cells) & (cells != None)).any():  # noqa: E711 (elementwise: a NaN is not a None)
        trimmed = column.str.strip() if len(column) and not (cells == None).all() else column  # noqa: E711
        blank = trimmed.isna() | (trimmed == "")
        return trimmed.where(~blank, None).tolist(), ~(trimmed.str.len() > max_length).to_numpy(bool)
    values: list[str | None] = []
    vouched = np.ones(len(column), bool)
    for position, item in enumerate(cells.tolist()):
        if item is None:
            values.append(None)
        elif type(item) is str and len(trimmed := item.strip()) <= max_length:
            values.append(trimmed or None)
        else:
            values.append(None)
            vouched[position] = False
    return values, vouched


def per_value(column: pd.Series, judge: Callable[[Any], Any]) -> pd.Series:
    """`judge` of each cell, called once per distinct value: a batch repeats its times, codes and areas."""
    try:
        positions, distinct = pd.factorize(column, use_na_sentinel=False)
    except TypeError:  # an unhashable cell (a JSON list): judged one by one
        return column.map(judge)
    return pd.Series(pd.Series(distinct, dtype=object).map(judge).to_numpy()[positions], index=column.index,
                     dtype=object)


def texts(column: pd.Series) -> pd.Series:
    """The cells that are text, as sent; None for every other."""
    return per_value(column, lambda item: item if type(item) is str else None)


def iso_moments(column: pd.Series) -> pd.Series:
    """UTC times of the cells written as ISO 8601 with their offset; NaT for every other cell."""
    iso = per_value(column, lambda item: type(item) is str and ISO_WITH_OFFSET.match(item) is not None)
    return pd.to_datetime(column.where(iso.astype(bool)), format="ISO8601", utc=True, errors="coerce")


def plain_numbers(column: pd.Series) -> np.ndarray:
    """Finite numbers of the cells that are numbers or numeric text (never a boolean); NaN for every other."""
    numbers = pd.to_numeric(column.map(lambda item: None if isinstance(item, bool) else item),
                            errors="coerce").astype(float).to_numpy()
    return np.where(np.isfinite(numbers), numbers, np.nan)
