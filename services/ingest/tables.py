"""Every body a department sends, as numbered rows: one JSON object, a JSON array, NDJSON, CSV or XLSX.

Rows are yielded one at a time so a million-row CSV or XLSX never sits in memory whole (the caller hands a file
or a spooled request body). CSV comes from Chinese government systems in UTF-8, UTF-8 with a BOM or GBK/GB18030:
the encoding is sniffed from the start of the file, and a byte sequence that is not in it stops the table with
`TableError` naming the line. Rows count from 1; a CSV or XLSX header row is not counted.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import IO, Any

SNIFF_BYTES = 1 << 20
JSON_TYPES = frozenset({"application/json", "application/ld+json"})
NDJSON_TYPES = frozenset({"application/x-ndjson", "application/ndjson", "application/jsonl", "application/json-seq"})
CSV_TYPES = frozenset({"text/csv", "application/csv"})
XLSX_TYPES = frozenset({"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
TABLE_TYPES = JSON_TYPES | NDJSON_TYPES | CSV_TYPES | XLSX_TYPES

Row = tuple[int, dict[str, Any]]
# The one field of a row whose cells do not match the header: the ingest functions refuse it with this reason.
MALFORMED = "__malformed__"


class TableError(ValueError):
    """The body as a whole cannot be read (not one row of it): `where` names the line or part, `reason` why."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(f"{where}: {reason}")
        self.where, self.reason = where, reason


def media_type(content_type: str) -> str:
    return content_type.split(";")[0].strip().lower()


def parse_table(body: bytes | IO[bytes], content_type: str) -> Iterator[Row]:
    """(row number, fields) for each record of `body`; raises TableError for an unreadable body or an
    unsupported `content_type` (the caller says 415 for the latter: check `media_type(...) in TABLE_TYPES`)."""
    stream: IO[bytes] = io.BytesIO(body) if isinstance(body, bytes) else body
    kind = media_type(content_type)
    if kind in JSON_TYPES:
        return _json(stream)
    if kind in NDJSON_TYPES:
        return _ndjson(stream)
    if kind in CSV_TYPES:
        return CsvRows(stream)
    if kind in XLSX_TYPES:
        return _xlsx(stream)
    raise TableError("Content-Type", f"{kind or 'none'} is not a table; use {', '.join(sorted(TABLE_TYPES))}")


def _json(stream: IO[bytes]) -> Iterator[Row]:
    try:
        document = json.load(stream)  # RFC 8259: JSON between systems is UTF-8
    except UnicodeDecodeError:
        raise TableError("body", "the JSON is not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise TableError(f"line {exc.lineno}", f"malformed JSON: {exc.msg} (column {exc.colno})") from None
    yield from json_records(document)


def json_records(document: Any) -> Iterator[Row]:
    """The rows of a parsed JSON body: one object, or an array of them."""
    records = document if isinstance(document, list) else [document]
    for number, record in enumerate(records, start=1):
        yield number, _object(record, number)


def _object(record: Any, number: int) -> dict[str, Any]:
    if not isinstance(record, dict):
        raise TableError(f"row {number}", f"each record must be a JSON object, got {type(record).__name__}")
    return record


def _ndjson(stream: IO[bytes]) -> Iterator[Row]:
    number = 0
    for line_number, raw in enumerate(stream, start=1):
        line = raw.strip()
        if not line:
            continue
        number += 1
        try:
            record = json.loads(line.decode("utf-8"))
        except UnicodeDecodeError:
            raise TableError(f"line {line_number}", "not UTF-8") from None
        except json.JSONDecodeError as exc:
            raise TableError(f"line {line_number}", f"malformed JSON: {exc.msg} (column {exc.colno})") from None
        yield number, _object(record, number)


def sniff_encoding(start: bytes) -> str:
    """utf-8-sig for a BOM, utf-8 when the first megabyte decodes as UTF-8, else gb18030 (a superset of GBK)."""
    if start.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(start, final=False)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


class CsvRows(Iterator[Row]):
    """A CSV body's rows, read on demand; a bulk path may read its `stream` column-wise instead, before the
    first row is taken (services/ingest/columns.py)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self._rows: Iterator[Row] | None = None

    def __next__(self) -> Row:
        if self._rows is None:
            self._rows = _csv(self.stream)
        return next(self._rows)


def _csv(stream: IO[bytes]) -> Iterator[Row]:
    start = stream.read(SNIFF_BYTES)
    encoding = sniff_encoding(start)
    reader = csv.reader(_decoded_lines(io.BufferedReader(_Prefixed(start, stream)), encoding))
    try:
        header = next(reader, None)
        if header is None:
            return
        names = [name.strip() for name in header]
        if len(set(names)) != len(names) or not all(names):
            raise TableError("line 1", f"the header needs distinct, non-empty column names: {names}")
        number = 0
        for cells in reader:
            if not "".join(cells).strip():
                continue
            number += 1
            if len(cells) != len(names):
                yield number, {MALFORMED: f"line {reader.line_num} has {len(cells)} cells; the header has "
                                          f"{len(names)}"}
                continue
            yield number, dict(zip(names, cells, strict=True))
    except csv.Error as exc:
        raise TableError(f"line {reader.line_num}", f"malformed CSV: {exc}") from None


def _decoded_lines(lines: Iterable[bytes], encoding: str) -> Iterator[str]:
    """Decode line by line, so a byte sequence outside the encoding is named by its line (a newline byte is
    never part of a multi-byte character in UTF-8 or GB18030, so splitting first is safe)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    for line_number, raw in enumerate(lines, start=1):
        try:
            yield decoder.decode(raw)
        except UnicodeDecodeError:
            raise TableError(f"line {line_number}", f"bytes that are not {encoding}: send UTF-8, UTF-8 with BOM, "
                             "or GBK/GB18030") from None


class _Prefixed(io.RawIOBase):
    """The sniffed first bytes, then the rest of the stream: sniffing never needs a seekable body."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self.head, self.rest = memoryview(head), rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.head:
            size = min(len(buffer), len(self.head))
            buffer[:size], self.head = self.head[:size], self.head[size:]
            return size
        data = self.rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _xlsx(stream: IO[bytes]) -> Iterator[Row]:
    """The first sheet; the header is the first row with two or more filled cells (exports often put a title
    row above it)."""
    from openpyxl import load_workbook  # only XLSX bodies pay for importing it

    try:
        book = load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError and its own errors for a file that is no XLSX
        raise TableError("body", f"not a readable XLSX workbook ({type(exc).__name__})") from None
    try:
        names: list[str] | None = None
        number = 0
        for values in book.worksheets[0].iter_rows(values_only=True):
            cells = ["" if value is None else value for value in values]
            if names is None:
                if sum(1 for cell in cells if str(cell).strip()) >= 2:
                    names = [str(cell).strip() for cell in cells]
                continue
            if not any(str(cell).strip() for cell in cells):
                continue
            number += 1
            yield number, {name: _cell(cell) for name, cell in zip(names, cells, strict=False) if name}
    finally:
        book.close()


def _cell(value: Any) -> Any:
    """Spreadsheet cells keep datetimes (read in the deployment's zone later); numbers that are whole become
    integers' text, so an id typed as a number matches the same id sent as text."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float | datetime):
        return value if isinstance(value, datetime) else str(value)
    return value
