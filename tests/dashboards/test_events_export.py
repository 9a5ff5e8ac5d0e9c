"""/events' export of the seeded city, read back: names where codes were (district adcodes, source codes, `false`),
times as Excel date-times with a number format, ids as numbers; the CSV with the same names and local times."""

from __future__ import annotations

import io

import openpyxl
import pandas as pd

from dashboards._event_views import Names, export_frame
from services import events, export
from services.events import EventFilter


def _frame(wall_runtime, lang: str) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    names = Names(lang, events.category_names(wall_runtime.pack, lang), wall_runtime.city.names(lang))
    with wall_runtime.sessions() as session:
        rows = events.export_rows(session=session, filters=EventFilter(status=("open", "closed")), limit=300)
    return export_frame(rows, names, wall_runtime.settings.zone)


def test_the_events_xlsx_holds_names_and_typed_cells(wall_runtime) -> None:  # type: ignore[no-untyped-def]
    frame = _frame(wall_runtime, "zh-CN")
    sheet = openpyxl.load_workbook(io.BytesIO(export.to_xlsx(frame, "事件列表"))).active
    header = [cell.value for cell in sheet[1]]
    column = {name: header.index(name) for name in header}
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == len(frame) > 0
    districts = set(wall_runtime.city.names("zh-CN").values()) | {"市外"}
    for row in rows:
        assert row[column["编号"]].data_type == "n"
        reported = row[column["上报时间"]]
        assert reported.is_date and reported.number_format == export.DATE_TIME_FORMAT
        assert row[column["区"]].value in districts
        assert row[column["市外"]].value in ("是", "否")
        assert row[column["来源"]].value not in ("hotline", "patrol", "video", "sensor", "app", "110")
    closed = [row[column["结案时间"]] for row in rows if row[column["结案时间"]].value is not None]
    assert closed and all(cell.is_date for cell in closed)


def test_the_events_csv_holds_names_and_local_times(wall_runtime) -> None:  # type: ignore[no-untyped-def]
    frame = _frame(wall_runtime, "en")
    read = pd.read_csv(io.BytesIO(export.to_csv(frame)), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert set(read["District"]) <= set(wall_runtime.city.names("en").values()) | {"Outside the city"}
    assert set(read["Outside city"]) <= {"Yes", "No"}
    assert read["Reported"].str.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}").all()  # no "+08:00" Excel skips
    assert "12345 hotline" in set(read["Source"])
