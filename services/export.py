"""Exports of what a page shows, as bytes for `dcc.Download`: CSV that Excel opens with Chinese intact, and XLSX.

Values keep their kind. Numbers stay numbers, rounded per column (`ColumnFormat.decimals`, else 2 decimals for a
float column); a column marked `percent` holds fractions (0.905 = 90.5 %) and is written as a number with a % format
in XLSX and as `90.5%` in CSV, which Excel reads back as the number 0.905. Timestamps (a datetime column) are real
Excel date-times with a `yyyy-mm-dd hh:mm:ss` format in XLSX and `2026-03-01 08:00:00` in CSV (a form Excel
recognises): written as the wall-clock time of the frame's own zone, since a spreadsheet cell cannot hold a zone.
Names, not codes, are the caller's job: the frame arrives with the words the page shows.

CSV starts with a UTF-8 byte-order mark: without it Excel on a Chinese Windows reads the file as GBK and shows
mojibake. Pages record each export with `record_export`, which appends to the audit log (services.audit) in the
caller's transaction.

Exported text is data, never a formula (CSV/formula injection): a text cell starting with `= + - @`, a tab or a
carriage return is prefixed with `'` in CSV (Excel and LibreOffice then show it as text), and XLSX cells are typed
as strings, so an event address `=HYPERLINK(...)` opens inert. Characters XML forbids are dropped from XLSX.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import Session

from services import audit
from services.access import Principal

_SHEET_TITLE_MAX = 31  # Excel's limit
_FORBIDDEN_IN_SHEET = str.maketrans({c: "_" for c in "[]:*?/\\"})
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
DATE_TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
_CSV_DATE_TIME = "%Y-%m-%d %H:%M:%S"
DEFAULT_DECIMALS = 2


@dataclass(frozen=True)
class ColumnFormat:
    """How one number column is written: `decimals` after rounding (of the percentage for a `percent` column,
    whose values are fractions: 0.9046 with 1 decimal is 90.5 %)."""

    decimals: int = DEFAULT_DECIMALS
    percent: bool = False

    def excel_format(self) -> str:
        """The XLSX number format: `0.00`, `0`, `0.0%`, …"""
        digits = "0." + "0" * self.decimals if self.decimals else "0"
        return digits + "%" if self.percent else digits

    def percent_text(self, fraction: float) -> str | None:
        """A fraction as CSV writes a percentage (`90.5%`, which Excel reads as 0.905), None when missing."""
        return None if pd.isna(fraction) else f"{fraction * 100:.{self.decimals}f}%"


RATE = ColumnFormat(decimals=1, percent=True)  # an on-time or return rate held as a fraction


def _inert(value: object) -> object:
    """Text a spreadsheet would run as a formula, made plain text by a leading apostrophe; anything else as is."""
    return f"'{value}" if isinstance(value, str) and value.startswith(_FORMULA_START) else value


def _holds_text(column: pd.Series) -> bool:
    return column.dtype == object or isinstance(column.dtype, pd.StringDtype)


def _is_float(column: pd.Series) -> bool:
    return bool(pd.api.types.is_float_dtype(column.dtype))


def _formats(frame: pd.DataFrame, formats: Mapping[str, ColumnFormat] | None) -> dict[str, ColumnFormat]:
    """The format of every number column to round: the caller's, else the default for a float column."""
    given = dict(formats or {})
    unknown = set(given) - {str(c) for c in frame.columns}
    if unknown:
        raise ValueError(f"formats: no column named {', '.join(sorted(unknown))}")
    return {str(c): given.get(str(c), ColumnFormat()) for c in frame.columns
            if str(c) in given or _is_float(frame[c])}


def _rounded(column: pd.Series, fmt: ColumnFormat) -> pd.Series:
    """Numbers rounded as they will be shown (a fraction to its percentage's decimals; whole numbers as integers)."""
    rounded = pd.to_numeric(column, errors="coerce").round(fmt.decimals + (2 if fmt.percent else 0))
    return rounded if fmt.decimals or fmt.percent else rounded.astype("Int64")


def _wall_clock(column: pd.Series) -> pd.Series:
    """Aware timestamps as the naive time of their own zone (what a spreadsheet cell can hold)."""
    return column.dt.tz_localize(None) if isinstance(column.dtype, pd.DatetimeTZDtype) else column


def _is_datetime(column: pd.Series) -> bool:
    return bool(pd.api.types.is_datetime64_any_dtype(column.dtype))


def to_csv(frame: pd.DataFrame, *, formats: Mapping[str, ColumnFormat] | None = None) -> bytes:
    """UTF-8 with BOM, comma separated, CRLF rows (RFC 4180), no index column; numbers rounded per `formats`,
    percentages as `90.5%`, times as local `YYYY-MM-DD HH:MM:SS`; text that looks like a formula is made inert."""
    numbers = _formats(frame, formats)
    out = frame.copy()
    for number, column in enumerate(frame.columns):
        values = frame[column]
        fmt = numbers.get(str(column))
        if fmt is not None:
            rounded = _rounded(values, fmt)
            out.isetitem(number, rounded.map(fmt.percent_text) if fmt.percent else rounded)
        elif _is_datetime(values):
            out.isetitem(number, _wall_clock(values).dt.strftime(_CSV_DATE_TIME))
        elif _holds_text(values):
            out.isetitem(number, values.map(_inert))
    out.columns = [_inert(column) for column in frame.columns]
    return str(out.to_csv(index=False, lineterminator="\r\n")).encode("utf-8-sig")  # RFC 4180: a CR in text is quoted


def to_xlsx(frame: pd.DataFrame, sheet: str, *, formats: Mapping[str, ColumnFormat] | None = None) -> bytes:
    """One worksheet named `sheet` (cut to Excel's rules), a bold header row, columns sized to their content;
    numbers rounded and formatted per `formats` (a % format for percentages), times as date-time cells."""
    numbers = _formats(frame, formats)
    book = Workbook()
    ws = book.active
    ws.title = sheet.translate(_FORBIDDEN_IN_SHEET)[:_SHEET_TITLE_MAX] or "Sheet1"
    ws.append([str(c) for c in frame.columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in _cells(frame, numbers).itertuples(index=False):
        ws.append([ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value for value in row])
    cell_formats = {number: (DATE_TIME_FORMAT if _is_datetime(frame[column]) else
                             numbers[str(column)].excel_format() if str(column) in numbers else None)
                    for number, column in enumerate(frame.columns)}
    for cells in ws.iter_rows(min_row=2):
        for number, cell in enumerate(cells):
            if isinstance(cell.value, str):  # openpyxl stores "=..." as a live formula unless told it is text
                cell.data_type = "s"
            elif cell.value is not None and cell_formats[number]:
                cell.number_format = cell_formats[number]
    for number, column in enumerate(frame.columns, start=1):
        width = 20 if _is_datetime(frame[column]) else max(
            [len(str(column)), *(len(str(v)) for v in frame[column].head(500))], default=8)
        ws.column_dimensions[get_column_letter(number)].width = min(60, width + 2)
    ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def record_export(session: Session, *, actor: Principal, what: str, detail: str | None = None) -> None:
    """Append `export.<what>` to the audit log in the caller's transaction (the caller commits)."""
    audit.record(session, actor=actor, action=f"export.{what}", detail=detail)


def _cells(frame: pd.DataFrame, numbers: Mapping[str, ColumnFormat]) -> pd.DataFrame:
    """Cells openpyxl can write: numbers rounded, aware timestamps as naive local times, missing values empty."""
    out = frame.copy()
    for number, column in enumerate(frame.columns):
        if str(column) in numbers:
            out.isetitem(number, _rounded(frame[column], numbers[str(column)]))
        elif _is_datetime(frame[column]):
            out.isetitem(number, _wall_clock(frame[column]))
    return out.astype(object).where(out.notna(), None)
