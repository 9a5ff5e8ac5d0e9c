"""A CSV body read column-wise gives exactly the rows `parse_table` gives, with the same numbers, whether it is
plain (pandas' C parser) or not (gathered from the rows): checked on generated bodies in the three encodings."""

from __future__ import annotations

import codecs
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.ingest.columns import _plain_header, column_chunks
from services.ingest.tables import TableError, parse_table

HEADER = ["indicator", "area", "time", "value"]
ASKED = [*HEADER[1:], "missing"]  # a field the body lacks reads as absent
cells = st.sampled_from(["aqi", "城市", "350203", " 12.5 ", "", "  ", "a,b", 'say "hi"', "x\ny", "2026-12-01T02:00+08:00"])
lines = st.one_of(st.lists(cells, min_size=4, max_size=4), st.lists(cells, min_size=0, max_size=6))
plain_cells = st.sampled_from(["aqi", "城市", "350203", " 12.5 ", "", "  ", "2026-12-01T02:00+08:00"])
plain_lines = st.one_of(st.lists(plain_cells, min_size=4, max_size=4), st.just([]), st.just(["  "]))


def _line(row: list[str]) -> str:
    return ",".join(f'"{cell}"' if any(mark in cell for mark in ',"\n') and cell != 'say "hi"' else cell
                    for cell in row)


def _rows_of(body: bytes) -> list[tuple[int, dict[str, str]]]:
    return list(parse_table(body, "text/csv"))


def _columns_of(body: bytes, size: int) -> list[tuple[int, dict[str, str]]]:
    rows = []
    for chunk in column_chunks(parse_table(body, "text/csv"), ASKED, size):
        assert len(chunk.frame) == len(chunk.numbers)
        for position, number in enumerate(chunk.numbers):
            fields = dict(chunk.fields(position))
            assert [chunk.frame[name].iloc[position] for name in ASKED] == [fields.get(name) for name in ASKED]
            rows.append((int(number), fields))
    return rows


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.lists(lines, max_size=30), st.lists(plain_lines, max_size=30)), st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
       st.sampled_from(["\n", "\r\n"]), st.integers(1, 7))
def test_column_chunks_give_the_rows_parse_table_gives(body_rows, encoding, newline, size):  # type: ignore[no-untyped-def]
    text = newline.join([",".join(HEADER), *(_line(row) for row in body_rows)]) + newline
    body = codecs.encode(text, encoding)
    try:
        expected = _rows_of(body)
    except TableError:
        with pytest.raises(TableError):
            _columns_of(body, size)
        return
    assert _columns_of(body, size) == expected


def test_a_plain_body_is_read_by_the_c_parser_and_a_quoted_one_is_not():  # type: ignore[no-untyped-def]
    plain = "indicator,area,time,value\naqi,city,2026-12-01T02:00+08:00,80\n\n,,,\naqi,350203,2026-12-01T02:00+08:00,9\n"
    assert _plain_header(io.BytesIO(plain.encode("gb18030"))) == HEADER
    assert _plain_header(io.BytesIO(plain.replace("80", '"80"').encode())) is None
    assert _plain_header(io.BytesIO(plain.replace(",9", ",9,1").encode())) is None
    assert _columns_of(plain.encode(), 1) == _rows_of(plain.encode())
