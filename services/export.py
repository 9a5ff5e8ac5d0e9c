"""Exports of what a page shows, as bytes for `dcc.Download`: CSV that Excel opens with Chinese intact, and XLSX.

CSV starts with a UTF-8 byte-order mark: without it Excel on a Chinese Windows reads the file as GBK and shows
mojibake. Timezone-aware timestamps are written in the frame's own zone (XLSX cannot hold a zone, so they are
written as the naive wall-clock time of that zone). Pages record each export with `record_export`, which appends
to the audit log (services.audit) in the caller's transaction.

Exported text is data, never a formula (CSV/formula injection): a text cell starting with `= + - @`, a tab or a
carriage return is prefixed with `'` in CSV (Excel and LibreOffice then show it as text), and XLSX cells are typed
as strings, so an event address `=HYPERLINK(...)` opens inert. Characters XML forbids are dropped from XLSX.
"""

from __future__ import annotations

import io

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


def _inert(value: object) -> object:
    """Text a spreadsheet would run as a formula, made plain text by a leading apostrophe; anything else as is."""
    return f"'{value}" if isinstance(value, str) and value.startswith(_FORMULA_START) else value


def _holds_text(column: pd.Series) -> bool:
    return column.dtype == object or isinstance(column.dtype, pd.StringDtype)


def to_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM, comma separated, CRLF rows (RFC 4180), no index column; text that looks like a formula is made inert."""
    inert = frame.copy()
    for number, column in enumerate(frame.columns):
        if _holds_text(frame[column]):
            inert.isetitem(number, frame[column].map(_inert))
    inert.columns = [_inert(column) for column in frame.columns]
    return str(inert.to_csv(index=False, lineterminator="\r\n")).encode("utf-8-sig")  # RFC 4180: a CR in text is quoted


def to_xlsx(frame: pd.DataFrame, sheet: str) -> bytes:
    """One worksheet named `sheet` (cut to Excel's rules), a bold header row and columns sized to their content."""
    book = Workbook()
    ws = book.active
    ws.title = sheet.translate(_FORBIDDEN_IN_SHEET)[:_SHEET_TITLE_MAX] or "Sheet1"
    ws.append([str(c) for c in frame.columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in _plain(frame).itertuples(index=False):
        ws.append([ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value for value in row])
    for cells in ws.iter_rows():
        for cell in cells:
            if isinstance(cell.value, str):  # openpyxl stores "=..." as a live formula unless told it is text
                cell.data_type = "s"
    for number, column in enumerate(frame.columns, start=1):
        longest = max([len(str(column)), *(len(str(v)) for v in frame[column].head(500))], default=8)
        ws.column_dimensions[get_column_letter(number)].width = min(60, longest + 2)
    ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def record_export(session: Session, *, actor: Principal, what: str, detail: str | None = None) -> None:
    """Append `export.<what>` to the audit log in the caller's transaction (the caller commits)."""
    audit.record(session, actor=actor, action=f"export.{what}", detail=detail)


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Cells openpyxl can write: aware timestamps as naive local times, missing values as empty cells."""
    out = frame.copy()
    for column in out.columns:
        if isinstance(out[column].dtype, pd.DatetimeTZDtype):
            out[column] = out[column].dt.tz_localize(None)
    return out.astype(object).where(out.notna(), None)
