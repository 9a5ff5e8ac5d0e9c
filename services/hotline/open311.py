"""Open311 GeoReport v2 in our terms: the service list from the category catalog, a posted request as an event row
and its work order, a stored one as the spec's record. Pure: no database, no HTTP (api/open311.py serves it).

The spec's vocabulary is kept exactly (`service_code`, `long`, `attribute[code]`, `status` open|closed), so a 311
app written for any city talks to this one. What the spec leaves to the server, decided here:
- services are the city pack's categories; the one attribute is the subcategory (a single-value list);
- a request's location is `lat`/`long`, or an `address_string` that names one of the city's districts;
- `jurisdiction_id` is accepted and not needed (one jurisdiction per deployment);
- the reporter's name, phone, e-mail, device and account are stored as personal data and never answered.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from services.events import STATUSES as LIFECYCLE
from services.store.catalog import CategoryRow

if TYPE_CHECKING:
    from services.hotline.requests import StoredRequest

SUBCATEGORY = "subcategory"  # the code of the one attribute every service has
CLOSED_STATUSES = frozenset({"closed", "cancelled"})
STATUSES = ("open", "closed")
CHANNEL = "open311"
_ATTRIBUTE = re.compile(r"^attribute\[(.+)\]$")
_CJK = re.compile(r"[\u3400-\u9fff]")


class Open311Error(ValueError):
    """A request the spec answers with an error: its HTTP status and the description the client reads."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


@dataclass(frozen=True)
class PostedRequest:
    """A posted service request: the events row to ingest and the work order beside it."""

    event: dict[str, Any]
    token: str
    media_url: str | None
    email: str | None
    device_id: str | None
    account_id: str | None


def service_list(categories: Sequence[CategoryRow], lang: str) -> list[dict[str, Any]]:
    """GET services: one service per category, named in `lang` (Chinese unless English is asked for)."""
    return [{"service_code": category.code, "service_name": _name(category, lang),
             "description": _description(category, lang), "metadata": bool(category.subcategories),
             "type": "realtime", "keywords": ",".join(category.subcategories),
             "group": _name(category, lang)} for category in categories]


def service_definition(category: CategoryRow, lang: str) -> dict[str, Any]:
    """GET services/{code}: the subcategory as the service's one attribute, a list to pick from."""
    attribute = {"variable": True, "code": SUBCATEGORY, "datatype": "singlevaluelist", "required": False,
                 "datatype_description": "选择具体问题" if lang != "en" else "Pick the specific problem",
                 "order": 1, "description": "问题类型" if lang != "en" else "Kind of problem",
                 "values": [{"key": value, "name": value} for value in category.subcategories]}
    return {"service_code": category.code, "attributes": [attribute] if category.subcategories else []}


def find_service(categories: Sequence[CategoryRow], code: str | None) -> CategoryRow:
    """The category a `service_code` names, or the spec's error for a missing or unknown one."""
    if not code or not code.strip():
        raise Open311Error(400, "service_code was not provided")
    for category in categories:
        if category.code == code.strip():
            return category
    raise Open311Error(404, f"service_code {code.strip()!r} was not found")


def posted_request(fields: Mapping[str, Any], *, categories: Sequence[CategoryRow],
                   districts: Mapping[str, Sequence[str]],
                   now: datetime) -> PostedRequest:
    """A POST requests body (form fields or JSON, `attribute[code]` or an `attribute` object) as our rows, or the
    spec's 400 naming the field at fault. `districts`: adcode → every name it goes by, to place an address."""
    try:
        category = find_service(categories, _text(fields, "service_code"))
    except Open311Error as error:  # a posted request is bad input (400), a definition asked for is not found
        raise Open311Error(400, error.description) from None
    attributes = _attributes(fields)
    subcategory = attributes.get(SUBCATEGORY)
    if subcategory is not None and category.subcategories and subcategory not in category.subcategories:
        raise Open311Error(400, f"attribute[{SUBCATEGORY}] {subcategory!r} is not one of "
                                f"{', '.join(category.subcategories)}")
    lat, lon = _coordinate(fields, "lat", 90), _coordinate(fields, "long", 180)
    if (lat is None) != (lon is None):
        raise Open311Error(400, "lat and long come together (WGS84 degrees)")
    address = _text(fields, "address_string", 128)
    district = _district_named(address, districts) if address else None
    if lat is None and district is None:
        raise Open311Error(400, "a location is required: lat and long, or an address_string naming a district "
                                f"({', '.join(sorted({names[0] for names in districts.values()}))})")
    description = _text(fields, "description", 4000)
    token = uuid.uuid4().hex
    event = {"external_id": token, "category": category.code, "subcategory": subcategory,
             "title": (description or subcategory or category.name_zh)[:60], "description": description,
             "reported_at": now.isoformat(), "lat": lat, "lon": lon, "address": address, "district": district,
             "reporter_name": _person(_text(fields, "first_name", 16), _text(fields, "last_name", 16)),
             "reporter_phone": _text(fields, "phone", 20)}
    return PostedRequest(event=event, token=token, media_url=_url(fields), email=_text(fields, "email", 128),
                         device_id=_text(fields, "device_id", 64), account_id=_text(fields, "account_id", 64))


def status_of(lifecycle_status: str) -> str:
    """The spec's two states from our lifecycle's nine."""
    return "closed" if lifecycle_status in CLOSED_STATUSES else "open"


def request_record(stored: StoredRequest, *, service_name: str, status_notes: str, agencies: Sequence[str],
                   zone: tzinfo) -> dict[str, Any]:
    """GET requests: one stored request in the spec's fields, times in the city's offset; no personal data.
    `status_notes` is the department's reply once there is one, else `status_notes` (the lifecycle status's
    words); `agency_responsible` the departments working on it."""
    def local(moment: datetime | None) -> str | None:
        return moment.astimezone(zone).isoformat(timespec="seconds") if moment else None

    return {"service_request_id": str(stored.id), "status": status_of(stored.status), "status_notes": stored.reply or status_notes,
            "service_name": service_name, "service_code": stored.category, "description": stored.description,
            "agency_responsible": "、".join(agencies) or None, "service_notice": None,
            "requested_datetime": local(stored.reported_at), "updated_datetime": local(stored.updated_at),
            "expected_datetime": local(stored.sla_due_at), "address": stored.address, "address_id": None,
            "zipcode": None, "lat": stored.lat, "long": stored.lon, "media_url": stored.media_url}


def lifecycle_statuses(open311_statuses: str | None) -> list[str] | None:
    """The lifecycle statuses a `status=open,closed` filter means (None: no filter), or the spec's 400."""
    if not open311_statuses:
        return None
    asked = {part.strip() for part in open311_statuses.split(",") if part.strip()}
    if bad := sorted(asked - set(STATUSES)):
        raise Open311Error(400, f"status {', '.join(bad)} is not open or closed")
    return [status for status in LIFECYCLE if status_of(status) in asked]


def moment(value: str | None, field: str) -> datetime | None:
    """A w3 date-time filter (`start_date`, `end_date`); the spec requires its offset."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, f"{field} {value!r} is not a w3 date-time such as 2026-12-01T08:00:00+08:00") from None
    if parsed.tzinfo is None:
        raise Open311Error(400, f"{field} {value!r} has no UTC offset; add one such as +08:00 or Z")
    return parsed


def _name(category: CategoryRow, lang: str) -> str:
    return category.name_en if lang == "en" else category.name_zh


def _description(category: CategoryRow, lang: str) -> str:
    hours = f"{category.time_limit_hours:g}"
    if lang == "en":
        return f"{category.name_en}: {', '.join(category.subcategories)} (answered within {hours} h)"
    return f"{category.name_zh}：{'、'.join(category.subcategories)}（{hours} 小时内办理）"


def _text(fields: Mapping[str, Any], name: str, max_length: int = 64) -> str | None:
    value = fields.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, (dict, list)):
        raise Open311Error(400, f"{name} must be text")
    text = str(value).strip()
    if len(text) > max_length:
        raise Open311Error(400, f"{name} is longer than {max_length} characters")
    return text


def _coordinate(fields: Mapping[str, Any], name: str, bound: float) -> float | None:
    value = _text(fields, name)
    if value is None:
        return None
    try:
        number = float(value)
    except ValueError:
        raise Open311Error(400, f"{name} {value!r} is not a number of degrees") from None
    if not -bound <= number <= bound:
        raise Open311Error(400, f"{name} {value!r} is outside ±{bound:g} degrees")
    return number


def _attributes(fields: Mapping[str, Any]) -> dict[str, str]:
    """`attribute[code]=value` form fields, or a JSON `attribute` object."""
    found = {match.group(1): str(value).strip() for key, value in fields.items()
             if (match := _ATTRIBUTE.match(key)) and str(value).strip()}
    nested = fields.get("attribute")
    if isinstance(nested, dict):
        found.update({str(key): str(value).strip() for key, value in nested.items() if str(value).strip()})
    return found


def _url(fields: Mapping[str, Any]) -> str | None:
    url = _text(fields, "media_url", 1024)
    if url is not None and not re.match(r"^https?://\S+$", url):
        raise Open311Error(400, f"media_url {url[:80]!r} is not an http(s) link")
    return url


def _person(first: str | None, last: str | None) -> str | None:
    """Chinese names read family name first, without a space; others as given."""
    if not first and not last:
        return None
    if _CJK.search(f"{first or ''}{last or ''}"):
        return f"{last or ''}{first or ''}"[:32]
    return " ".join(part for part in (first, last) if part)[:32]


def _district_named(address: str, districts: Mapping[str, Sequence[str]]) -> str | None:
    """The one district the address names (the longest matching name wins: a full name before its short form)."""
    best: tuple[int, str] | None = None
    for code, names in districts.items():
        for name in names:
            if name and name.lower() in address.lower() and (best is None or len(name) > best[0]):
                best = (len(name), code)
    return best[1] if best else None
