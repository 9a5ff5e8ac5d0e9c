"""parse_table: every body format and encoding a department system sends, rows numbered, bad bodies named."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import Workbook

from services.ingest import MALFORMED, TableError, parse_table

CHINESE = "external_id,title\nA1,思明区道路积水\nA2,湖里区井盖缺失\n"


def rows(body: bytes, content_type: str) -> list[tuple[int, dict]]:
    return list(parse_table(body, content_type))


def test_one_object_an_array_and_ndjson_are_numbered_from_one():
    assert rows(b'{"a": 1}', "application/json") == [(1, {"a": 1})]
    assert rows(b'[{"a": 1}, {"a": 2}]', "application/json; charset=utf-8") == [(1, {"a": 1}), (2, {"a": 2})]
    assert rows(b'{"a": 1}\n\n{"a": 2}\n', "application/x-ndjson") == [(1, {"a": 1}), (2, {"a": 2})]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_of_chinese_text_in_each_government_encoding(encoding):
    assert rows(CHINESE.encode(encoding), "text/csv") == [
        (1, {"external_id": "A1", "title": "思明区道路积水"}), (2, {"external_id": "A2", "title": "湖里区井盖缺失"})]


def test_a_csv_row_with_the_wrong_number_of_cells_is_marked_with_its_line():
    found = rows(b"a,b\n1,2\n3\n4,5\n", "text/csv")
    assert found[0] == (1, {"a": "1", "b": "2"}) and found[2] == (3, {"a": "4", "b": "5"})
    assert found[1][0] == 2 and "line 3" in found[1][1][MALFORMED]


def test_bytes_in_no_supported_encoding_name_their_line():
    body = b"a\n" + b"ok\n" * 3 + b"\x81\x30\xff\xff\n"  # not UTF-8, so read as GB18030, where it is invalid
    with pytest.raises(TableError) as caught:
        rows(body, "text/csv")
    assert caught.value.where == "line 5"


def test_malformed_json_names_the_line():
    with pytest.raises(TableError) as caught:
        rows(b'[{"a": 1},\n{"a": ]', "application/json")
    assert caught.value.where == "line 2"
    with pytest.raises(TableError) as caught:
        rows(b'{"a": 1}\n{oops}\n', "application/x-ndjson")
    assert caught.value.where == "line 2"


def test_xlsx_with_a_title_row_above_the_header():
    book = Workbook()
    sheet = book.active
    sheet.append(["办件明细导出"])
    sheet.append(["办件编号", "事项编码", "收件时间"])
    sheet.append([20261201001, "M1", "2026-12-01 09:00:00"])
    sheet.append([None, None, None])
    sheet.append(["X2", "M2", "2026-12-01 10:00:00"])
    buffer = io.BytesIO()
    book.save(buffer)
    found = rows(buffer.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert found == [(1, {"办件编号": "20261201001", "事项编码": "M1", "收件时间": "2026-12-01 09:00:00"}),
                     (2, {"办件编号": "X2", "事项编码": "M2", "收件时间": "2026-12-01 10:00:00"})]


def test_a_large_csv_is_read_as_a_stream():
    """Rows come out before the body has been read through: the parser never holds the whole file."""
    class Counting(io.BytesIO):
        consumed = 0

        def read(self, size=-1):
            data = super().read(size)
            Counting.consumed += len(data)
            return data

    body = b"a,b\n" + b"1,2\n" * 2_000_000
    first = next(parse_table(Counting(body), "text/csv"))
    assert first == (1, {"a": "1", "b": "2"}) and Counting.consumed < len(body) // 2


def test_an_unsupported_type_is_named():
    with pytest.raises(TableError) as caught:
        rows(json.dumps({}).encode(), "text/plain")
    assert caught.value.where == "Content-Type"
