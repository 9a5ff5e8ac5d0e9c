"""CAP 1.2 (OASIS Common Alerting Protocol) XML → the alert stream fields.

Parsing is hardened for input from outside: a size limit, no network, no DTD, no entity expansion, and a
DOCTYPE is refused outright (CAP has none). Every message is validated against the official XSD shipped in
`services/data/cap/` before it is read. Only `Actual` messages of type Alert / Update / Cancel become alerts:
a Test or Exercise message must not light up the command-center wall.
"""

from __future__ import annotations

import json
import math
import re
import threading
from functools import lru_cache

from lxml import etree

from services.alerts.ingest.errors import IngestError
from services.alerts.ingest.geometry import Geometry, centroid, combine
from services.alerts.schema import AlertValidationError, normalize_alert
from services.config import DATA_DIR

CAP12 = "urn:oasis:names:tc:emergency:cap:1.2"
OLDER_CAP = {"urn:oasis:names:tc:emergency:cap:1.1": "1.1", "http://www.incident.com/cap/1.0": "1.0"}
SCHEMA_PATH = DATA_DIR / "cap" / "CAP-v1.2.xsd"
MAX_BYTES = 1 << 20
_NS = {"cap": CAP12}
_DISTRICT_CODE_NAMES = {"adcode", "行政区划代码", "gb/t 2260", "gb2260", "xzqh"}
_CIRCLE_SIDES = 32
_KM_PER_DEGREE = 111.32
_validate_lock = threading.Lock()


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )


@lru_cache(maxsize=1)
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH), _parser()))


def _parse_xml(data: bytes) -> etree._Element:
    if len(data) > MAX_BYTES:
        raise IngestError(
            "body", f"the CAP message is {len(data)} bytes; the limit is {MAX_BYTES} bytes (1 MiB)"
        )
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise IngestError("xml", f"not well-formed XML: {exc.msg}", exc.lineno) from None
    if root.getroottree().docinfo.doctype:
        raise IngestError("xml", "a DOCTYPE is not allowed in a CAP message (no DTDs, no entities)", 1)
    return root


def _check_version(root: etree._Element) -> None:
    qname = etree.QName(root)
    if qname.namespace in OLDER_CAP:
        version = OLDER_CAP[qname.namespace]
        raise IngestError(
            "alert",
            f"this is CAP {version} ({qname.namespace}); only CAP 1.2 ({CAP12}) is accepted",
            root.sourceline,
        )
    if qname.namespace != CAP12 or qname.localname != "alert":
        raise IngestError(
            "alert", f'the root element is {root.tag}; expected <alert xmlns="{CAP12}"> (CAP 1.2)'
        )


def _validate(root: etree._Element) -> None:
    schema = _schema()
    with _validate_lock:
        if schema.validate(root):
            return
        error = schema.error_log[0]
    message = error.message.replace("{" + CAP12 + "}", "")
    named = re.search(r"Element '([\w.-]+)'", message)
    raise IngestError(
        named.group(1) if named else "alert", f"fails the CAP 1.2 schema: {message}", error.line
    )


def _text(parent: etree._Element, path: str) -> str | None:
    value = parent.findtext(path, namespaces=_NS)
    return value.strip() if value and value.strip() else None


def _paragraphs(text: str | None) -> str | None:
    """Drop the XML pretty-printing indentation, keep the sender's line breaks."""
    return re.sub(r"[ \t]*\n[ \t]*", "\n", text) if text else None


def _choose_info(root: etree._Element) -> etree._Element:
    infos = root.findall("cap:info", _NS)
    if not infos:
        raise IngestError(
            "info", "the CAP alert has no <info> block: one with category, event, urgency, severity and certainty "
            "is needed", root.sourceline,
        )  # fmt: skip
    languages = [(_text(info, "cap:language") or "en-US").lower() for info in infos]
    for wanted in ("zh-cn", "zh"):
        for info, language in zip(infos, languages, strict=True):
            if language == wanted or (wanted == "zh" and language.startswith("zh")):
                return info
    return infos[0]


def _pairs(text: str, element: etree._Element) -> list[tuple[float, float]]:
    """CAP points are 'lat,lon' in WGS 84."""
    points = []
    for token in text.split():
        try:
            lat_text, lon_text = token.split(",")
            lat, lon = float(lat_text), float(lon_text)
        except ValueError:
            raise IngestError(
                etree.QName(element).localname, f"{token!r} is not a 'lat,lon' pair", element.sourceline
            ) from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise IngestError(
                etree.QName(element).localname, f"{token!r} is out of range", element.sourceline
            )
        points.append((lat, lon))
    return points


def _polygon(element: etree._Element) -> Geometry:
    points = _pairs(element.text or "", element)
    if len(set(points)) < 3:
        raise IngestError(
            "polygon", "a polygon needs at least 3 distinct 'lat,lon' points", element.sourceline
        )
    if points[0] != points[-1]:
        points.append(points[0])
    return {"type": "Polygon", "coordinates": [[[lon, lat] for lat, lon in points]]}


def _circle(element: etree._Element) -> Geometry:
    """A CAP circle 'lat,lon radius_km': radius 0 is a point, otherwise a 32-sided polygon."""
    parts = (element.text or "").split()
    if len(parts) != 2:
        raise IngestError("circle", "a circle is 'lat,lon radius_km'", element.sourceline)
    (lat, lon), radius_text = _pairs(parts[0], element)[0], parts[1]
    try:
        radius = float(radius_text)
    except ValueError:
        raise IngestError(
            "circle", f"radius {radius_text!r} is not a number of km", element.sourceline
        ) from None
    if not 0 <= radius <= 20_000:
        raise IngestError("circle", f"radius {radius_text} km is out of range", element.sourceline)
    if radius == 0:
        return {"type": "Point", "coordinates": [lon, lat]}
    dlat = radius / _KM_PER_DEGREE
    dlon = radius / (_KM_PER_DEGREE * max(math.cos(math.radians(lat)), 1e-6))
    ring = [
        [round(lon + dlon * math.cos(2 * math.pi * k / _CIRCLE_SIDES), 6),
         round(lat + dlat * math.sin(2 * math.pi * k / _CIRCLE_SIDES), 6)]
        for k in range(_CIRCLE_SIDES)
    ]  # fmt: skip
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def _district(info: etree._Element) -> str | None:
    """The first geocode named like 'adcode' / '行政区划代码' (12-digit statistical codes give their county part)."""
    for geocode in info.iterfind("cap:area/cap:geocode", _NS):
        name = (_text(geocode, "cap:valueName") or "").lower()
        value = _text(geocode, "cap:value") or ""
        if name in _DISTRICT_CODE_NAMES:
            if not (value.isdigit() and len(value) in (6, 9, 12)):
                raise IngestError("geocode", f"{name} {value!r} is not a GB/T 2260 code", geocode.sourceline)
            return value[:6]
    return None


def _area_fields(info: etree._Element) -> dict[str, str]:
    geometries = [_polygon(el) for el in info.iterfind("cap:area/cap:polygon", _NS)]
    geometries += [_circle(el) for el in info.iterfind("cap:area/cap:circle", _NS)]
    fields: dict[str, str] = {}
    geometry = combine(geometries)
    if geometry is not None:
        lat, lon = centroid(geometry, "area")
        fields.update(area=json.dumps(geometry, separators=(",", ":")), lat=repr(lat), lon=repr(lon))
    district = _district(info)
    if district:
        fields["district"] = district
    return fields


def _accepted_kind(root: etree._Element) -> str:
    status, msg_type = _text(root, "cap:status"), _text(root, "cap:msgType") or ""
    if status != "Actual":
        raise IngestError("status", f"only Actual alerts reach the command center (this one is {status})")
    if msg_type not in ("Alert", "Update", "Cancel"):
        raise IngestError("msgType", f"{msg_type} messages are not alerts; send Alert, Update or Cancel")
    return msg_type.lower()


def parse_cap(data: bytes) -> dict[str, str]:
    """One CAP 1.2 message as normalized stream fields; its zh-CN `info` block when it has one, else the first."""
    root = _parse_xml(data)
    _check_version(root)
    _validate(root)
    msg_type = _accepted_kind(root)
    info = _choose_info(root)
    event = _text(info, "cap:event")
    fields = {
        "id": _text(root, "cap:identifier"),
        "source": _text(root, "cap:sender"),
        "sent": _text(root, "cap:sent"),
        "msg_type": msg_type,
        "references": _text(root, "cap:references"),
        "category": _text(info, "cap:category"),
        "event": event,
        "urgency": _text(info, "cap:urgency"),
        "severity": _text(info, "cap:severity"),
        "certainty": _text(info, "cap:certainty"),
        "headline": _text(info, "cap:headline") or event,
        "description": _paragraphs(_text(info, "cap:description")),
        "expires": _text(info, "cap:expires"),
        **_area_fields(info),
    }
    try:
        return normalize_alert({name: value for name, value in fields.items() if value is not None})
    except AlertValidationError as exc:
        raise IngestError.from_validation(exc) from None
