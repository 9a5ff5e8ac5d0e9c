"""CAP 1.2 → stream fields, against the OASIS examples and a zh-CN Xiamen message; hostile and wrong input refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from services.alerts.ingest import IngestError, parse_cap
from services.alerts.ingest.cap import MAX_BYTES

DATA = Path(__file__).parent / "data" / "cap"
OASIS = sorted(DATA.glob("oasis-cap12-*.xml"))


def _read(name: str) -> bytes:
    return (DATA / name).read_bytes()


def _alert(info: str, *, msg_type: str = "Alert", status: str = "Actual", extra: str = "") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>T-1</identifier><sender>t@example.org</sender><sent>2024-09-15T06:30:00+08:00</sent>
  <status>{status}</status><msgType>{msg_type}</msgType><scope>Public</scope>{extra}{info}
</alert>""".encode()


INFO = """<info><category>Fire</category><event>火灾</event><urgency>Immediate</urgency>
  <severity>Severe</severity><certainty>Observed</certainty><headline>湖里区厂房火灾</headline>{area}</info>"""


def test_there_are_oasis_samples() -> None:
    assert len(OASIS) == 4


@pytest.mark.parametrize("path", OASIS, ids=lambda path: path.name)
def test_every_oasis_example_parses(path: Path) -> None:
    fields = parse_cap(path.read_bytes())
    assert fields["id"] and fields["source"] and fields["headline"]
    assert fields["sent"][-6] in "+-"
    assert fields["severity"] in {"severe", "minor"}


def test_polygon_becomes_geojson_with_lon_lat_order_and_a_centroid() -> None:
    fields = parse_cap(_read("oasis-cap12-A2-severe-thunderstorm-polygon.xml"))
    area = json.loads(fields["area"])
    assert area["type"] == "Polygon"
    assert area["coordinates"][0][0] == [-120.14, 38.47]
    assert area["coordinates"][0][0] == area["coordinates"][0][-1]
    assert 38.34 < float(fields["lat"]) < 38.62 and -120.14 < float(fields["lon"]) < -119.74
    assert "district" not in fields  # SAME geocodes are not GB/T 2260 adcodes


def test_update_with_a_zero_radius_circle_is_a_point() -> None:
    fields = parse_cap(_read("oasis-cap12-A3-earthquake-update-circle.xml"))
    assert fields["msg_type"] == "update"
    assert fields["references"] == "trinet@caltech.edu,TRI13970876.1,2003-06-11T20:30:00-07:00"
    assert json.loads(fields["area"]) == {"type": "Point", "coordinates": [-115.5527, 32.9525]}
    assert (fields["lat"], fields["lon"]) == ("32.9525", "-115.5527")
    assert fields["urgency"] == "past" and fields["category"] == "geo"


def test_without_chinese_the_first_info_block_is_used() -> None:
    fields = parse_cap(_read("oasis-cap12-A4-amber-alert-bilingual-geocode.xml"))
    assert fields["headline"] == "Amber Alert in Los Angeles County"
    assert "area" not in fields and "lat" not in fields


def test_xiamen_zh_cn_block_is_chosen_with_its_adcode_and_area() -> None:
    fields = parse_cap(_read("xiamen-typhoon-zh.xml"))
    assert fields["headline"] == "厦门市气象台发布台风红色预警信号"
    assert fields["event"] == "台风"
    assert fields["severity"] == "extreme"
    assert fields["district"] == "350203"
    assert "\n请停止集会" in fields["description"]
    area = json.loads(fields["area"])
    assert area["type"] == "MultiPolygon" and len(area["coordinates"]) == 2
    circle = area["coordinates"][1][0]
    assert len(circle) == 33 and circle[0] == circle[-1]
    assert all(abs(lat - 24.48) <= 5 / 111.32 + 1e-6 for _, lat in circle)
    assert 24.44 < float(fields["lat"]) < 24.53 and 118.05 < float(fields["lon"]) < 118.15


def test_cancel_references_the_alert_it_cancels() -> None:
    fields = parse_cap(_read("xiamen-typhoon-cancel-zh.xml"))
    assert fields["msg_type"] == "cancel"
    assert "XM-QX-2024-0915-001" in fields["references"]


def test_missing_headline_falls_back_to_the_event() -> None:
    fields = parse_cap(_alert(INFO.replace("<headline>湖里区厂房火灾</headline>", "").format(area="")))
    assert fields["headline"] == "火灾" and fields["category"] == "fire"


def test_twelve_digit_statistical_code_gives_its_county() -> None:
    area = (
        "<area><areaDesc>湖里</areaDesc><geocode><valueName>ADCODE</valueName><value>350206000000</value>"
        "</geocode></area>"
    )
    assert parse_cap(_alert(INFO.format(area=area)))["district"] == "350206"


@pytest.mark.parametrize(
    ("document", "field", "words"),
    [
        (b"this is not xml", "xml", "not well-formed"),
        (b"<alert xmlns='urn:oasis:names:tc:emergency:cap:1.2'><identifier>x</identifier>", "xml", "not well-formed"),
        ((DATA / "cap11-sample.xml").read_bytes(), "alert", "only CAP 1.2"),
        (b"<alert xmlns='http://www.incident.com/cap/1.0'/>", "alert", "CAP 1.0"),
        (b"<feed xmlns='http://www.w3.org/2005/Atom'/>", "alert", "expected <alert"),
        (_alert(INFO.format(area="")).replace(b"<severity>Severe", b"<severity>Bad"), "severity", "CAP 1.2 schema"),
        (_alert(INFO.format(area="")).replace(b"+08:00</sent>", b"</sent>"), "sent", "CAP 1.2 schema"),
        (_alert(INFO.format(area="")).replace(b"<event>", b"<colour>red</colour><event>"), "colour", "schema"),
        (_alert(""), "info", "no <info>"),
        (_alert(INFO.format(area=""), status="Test"), "status", "only Actual"),
        (_alert(INFO.format(area=""), msg_type="Ack"), "msgType", "not alerts"),
        (_alert(INFO.format(area=""), msg_type="Update"), "references", "required"),
        (_alert(INFO.format(area="<area><areaDesc>x</areaDesc><polygon>24,118 25,118</polygon></area>")),
         "polygon", "3 distinct"),
        (_alert(INFO.format(area="<area><areaDesc>x</areaDesc><polygon>24;118 25,118 25,119 24,118</polygon></area>")),
         "polygon", "not a 'lat,lon' pair"),
        (_alert(INFO.format(area="<area><areaDesc>x</areaDesc><circle>95,118 1</circle></area>")),
         "circle", "out of range"),
        (_alert(INFO.format(area="<area><areaDesc>x</areaDesc><circle>24,118 far</circle></area>")),
         "circle", "not a number"),
        (_alert(INFO.format(area="<area><areaDesc>x</areaDesc><geocode><valueName>adcode</valueName>"
                                 "<value>35020</value></geocode></area>")), "geocode", "GB/T 2260"),
        (_alert(INFO.replace("湖里区厂房火灾", "长" * 2_001).format(area="")), "headline", "2000"),
    ],
)  # fmt: skip
def test_bad_messages_are_refused_naming_the_field(document: bytes, field: str, words: str) -> None:
    with pytest.raises(IngestError) as caught:
        parse_cap(document)
    assert caught.value.field == field
    assert words in caught.value.reason


def test_schema_errors_carry_the_line() -> None:
    document = _alert(INFO.format(area="")).replace(b"<severity>Severe", b"<severity>Bad")
    with pytest.raises(IngestError) as caught:
        parse_cap(document)
    assert caught.value.line == 5  # the <severity> element
    assert "(line 5)" in str(caught.value)


def test_external_entities_are_never_fetched_or_expanded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    doctype = f'<!DOCTYPE alert [<!ENTITY xxe SYSTEM "file://{secret}">]>'
    document = _alert(INFO.replace("湖里区厂房火灾", "&xxe;").format(area="")).replace(
        b"?>", b"?>" + doctype.encode(), 1
    )
    with pytest.raises(IngestError) as caught:
        parse_cap(document)
    assert caught.value.field == "xml" and "DOCTYPE" in caught.value.reason
    assert "TOP-SECRET" not in str(caught.value)


def test_billion_laughs_is_refused() -> None:
    entities = '<!ENTITY a "lol">' + "".join(
        f'<!ENTITY {chr(98 + i)} "&{chr(97 + i)};' * 10 + '">' for i in range(8)
    )
    document = f'<?xml version="1.0"?><!DOCTYPE alert [{entities}]><alert>&i;</alert>'.encode()
    with pytest.raises(IngestError, match="DOCTYPE|well-formed"):
        parse_cap(document)


def test_oversize_message_is_refused_before_parsing() -> None:
    with pytest.raises(IngestError) as caught:
        parse_cap(b" " * (MAX_BYTES + 1))
    assert caught.value.field == "body" and "1 MiB" in caught.value.reason


def test_expires_is_carried_so_screens_can_drop_an_alert_that_is_over() -> None:
    """issue 18: without it, a 2003 warning that expired the same day showed on the wall as live."""
    fields = parse_cap(_read("oasis-cap12-A2-severe-thunderstorm-polygon.xml"))
    assert fields["expires"] == "2003-06-17T16:00:00-07:00"
    assert "expires" not in parse_cap(_read("oasis-cap12-A1-homeland-security-advisory.xml"))
