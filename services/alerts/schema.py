"""The one validator of alert stream fields (DESIGN.md "Alert stream (contract)").

Every producer (ingest API, simulator, rules) and the persist worker call `normalize_alert`, so the stream only ever
carries the contract's flat string fields. Unknown fields are rejected, naming the field: a typo such as
`severty` must fail loudly rather than lose the severity. Extending the contract means adding the field here.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.config import JsonDict

from services.severity import SEVERITIES

URGENCIES = ("immediate", "expected", "future", "past", "unknown")
CERTAINTIES = ("observed", "likely", "possible", "unlikely", "unknown")
CATEGORIES = (
    "geo", "met", "safety", "security", "rescue", "fire", "health", "env", "transport", "infra", "cbrne", "other",
)  # fmt: skip
MSG_TYPES = ("alert", "update", "cancel")
# CAP 1.2 sets no length for identifier, sender, event or headline (it only asks headlines to be short): these
# bounds are ours, far above any real message, so a real 185-character air-quality <event> is taken as it is.
ID_CHARS = 255
TEXT_CHARS = 2_000
EVENT_CHARS = 500  # in the indexed storm key (event|district|severity): a btree entry must stay under 2 704 bytes
# Control characters (C0 but tab, LF and CR; DEL; C1) cannot be shown and PostgreSQL refuses NUL in text:
# refused at the door, naming the field, rather than accepted here and lost in the database.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# CAP: identifier and sender contain no spaces, commas or < & (references are "sender,identifier,sent" triples
# separated by spaces, so such a character would make the alert impossible to refer to).
_IDENTIFIER = r"^[^\s,<&]+$"
# The published schema says the same (JSON Schema patterns), so what a client generated from /openapi.json sends is
# what the validator takes: schemathesis found control characters valid by the schema yet refused.
_NO_CONTROL = "\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f"
PRINTABLE_PATTERN = f"^[^{_NO_CONTROL}]*$"
IDENTIFIER_PATTERN = f"^[^\\s,<&{_NO_CONTROL}]+$"
_PRINTABLE: JsonDict = {"pattern": PRINTABLE_PATTERN}

# Chinese early-warning colour levels (预警信号 红/橙/黄/蓝) in CAP terms.
_CHINESE_LEVELS = {
    "红": "extreme", "红色": "extreme", "橙": "severe", "橙色": "severe",
    "黄": "moderate", "黄色": "moderate", "蓝": "minor", "蓝色": "minor",
}  # fmt: skip


class AlertValidationError(ValueError):
    """A stream entry that breaks the contract; `field` and `reason` go back to the producer as they are."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def _lower(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return _CHINESE_LEVELS.get(value, value.lower())
    return value


def _blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _geojson_text(value: Any) -> Any:
    """JSON producers may send `area` as an object; the stream carries it as compact JSON text."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")) if isinstance(value, dict) else value


# Producers send numeric ids (`"id": 12345`): a JSON integer is taken as its digits, and the published schema says
# so (`string | integer`); a fraction is refused, its text form (1e+20) being nothing the sender wrote.
SAFE_INTEGER = 2**53  # the largest integer every JSON reader keeps exactly


def _whole_number_text(value: Any) -> Any:
    if isinstance(value, bool):
        return value  # refused as no text by the field itself
    if isinstance(value, float):  # JSON Schema counts 2.0 as an integer: so does this
        if not value.is_integer():
            raise ValueError(f"must be text (a whole number is taken as its digits), got {value!r}")
        value = int(value)
    if isinstance(value, int):
        if abs(value) > SAFE_INTEGER:
            raise ValueError(f"a number beyond ±2^53 loses digits in JSON; send {value} as text")
        return str(value)
    return value


def _or_integer(extra: JsonDict, low: int = -SAFE_INTEGER, high: int = SAFE_INTEGER) -> Any:
    """A text field's schema (with `extra`, e.g. its pattern) published as `string | integer` within [low, high]."""
    def published(schema: JsonDict) -> None:
        text: JsonDict = {**schema, **extra}
        kept: JsonDict = {}
        for key in ("title", "description", "default"):
            if key in text:
                kept[key] = text.pop(key)
        integer: JsonDict = {"type": "integer", "minimum": low, "maximum": high}
        schema.clear()
        schema.update(kept)
        schema["anyOf"] = [text, integer]
    return published


WholeNumberText = BeforeValidator(_whole_number_text)
Text = Annotated[str, WholeNumberText, Field(min_length=1)]
Optional = BeforeValidator(_blank_to_none)


def _number_needs(given: str, needed: str) -> JsonDict:
    """JSON Schema for "a number in `given` needs a number in `needed`": present-but-null counts as absent, which
    `dependentRequired` alone cannot say (schemathesis found the gap)."""
    number: JsonDict = {"type": "number"}
    return {"if": {"properties": {given: number}, "required": [given]},
            "then": {"properties": {needed: number}, "required": [needed]}}


# An update or a cancel names what it updates (the `_consistent` check below), which `required` alone cannot say.
_REFERENCES_NEEDED: JsonDict = {
    "if": {"properties": {"msg_type": {"enum": ["update", "cancel"]}}, "required": ["msg_type"]},
    "then": {"properties": {"references": {"anyOf": [{"type": "string", "pattern": "\\S"}, {"type": "integer"}]}},
             "required": ["references"]},
}


def _geojson_schema(schema: JsonDict) -> None:
    """`area` is published as what it must be, a GeoJSON object: a string field would promise any text (the JSON
    text of a GeoJSON object is still accepted, for senders that flatten their fields)."""
    schema.clear()
    schema.update({"anyOf": [{"type": "object", "required": ["type"], "properties": {"type": {"type": "string"}}},
                             {"type": "null"}],
                   "default": None, "description": "a GeoJSON object (its JSON text is accepted too)"})


class StreamAlert(BaseModel):
    """The contract's fields. Enumerations accept any case; severity also accepts 红/橙/黄/蓝 (and 红色 …)."""

    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, frozen=True,
        json_schema_extra={"dependentRequired": {"lat": ["lon"], "lon": ["lat"]},  # a point needs both ...
                           "allOf": [_number_needs("lat", "lon"), _number_needs("lon", "lat"),  # ... non-null
                                     _REFERENCES_NEEDED]},
    )

    id: Annotated[Text, Field(max_length=ID_CHARS, pattern=_IDENTIFIER, json_schema_extra=_or_integer({"pattern": IDENTIFIER_PATTERN}),
                              description="the producer's id, unique per alert of its source (dedup key)")]
    source: Annotated[Text, Field(max_length=ID_CHARS, pattern=_IDENTIFIER,
                                  json_schema_extra=_or_integer({"pattern": IDENTIFIER_PATTERN}),
                                  description="who sent it, e.g. a CAP sender: with `id`, the alert's identity")]
    sent: Annotated[str, Field(description="ISO 8601 with a UTC offset, e.g. 2024-07-01T08:00:00+08:00",
                               json_schema_extra={"format": "date-time"})]
    severity: Annotated[Literal[SEVERITIES], BeforeValidator(_lower)]  # type: ignore[valid-type]
    urgency: Annotated[Literal[URGENCIES], BeforeValidator(_lower)]  # type: ignore[valid-type]
    certainty: Annotated[Literal[CERTAINTIES], BeforeValidator(_lower)]  # type: ignore[valid-type]
    category: Annotated[Literal[CATEGORIES], BeforeValidator(_lower)]  # type: ignore[valid-type]
    event: Annotated[Text, Field(max_length=EVENT_CHARS, json_schema_extra=_or_integer(_PRINTABLE))]
    headline: Annotated[Text, Field(max_length=TEXT_CHARS, json_schema_extra=_or_integer(_PRINTABLE))]
    description: Annotated[Annotated[str, WholeNumberText, Field(max_length=20_000,
                                                                   json_schema_extra=_or_integer(_PRINTABLE))] | None,
                           Optional] = None
    district: Annotated[Annotated[str, WholeNumberText, Field(pattern=r"^\d{6}$", json_schema_extra=_or_integer(
        {"pattern": r"^\d{6}$"}, 100_000, 999_999))] | None, Optional] = Field(
        default=None, description="GB/T 2260 adcode of the district (6 digits)"
    )
    lat: Annotated[Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)] | None, Optional] = None
    lon: Annotated[Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)] | None, Optional] = None
    area: Annotated[
        Annotated[str, Field(max_length=500_000)] | None, Optional, BeforeValidator(_geojson_text)
    ] = Field(default=None, json_schema_extra=_geojson_schema)
    msg_type: Annotated[Literal[MSG_TYPES], BeforeValidator(_lower)] = "alert"  # type: ignore[valid-type]
    references: Annotated[Annotated[str, WholeNumberText, Field(max_length=2048,
                                                                json_schema_extra=_or_integer(_PRINTABLE))] | None,
                          Optional] = Field(
        default=None, description="ids of earlier alerts (plain ids or CAP sender,identifier,sent triples)"
    )
    expires: Annotated[str | None, Optional] = Field(
        default=None, description="when the alert stops being live (CAP info/expires), ISO 8601 with a UTC offset",
        json_schema_extra={"format": "date-time"},
    )

    @field_validator("sent", "expires", mode="before")
    @classmethod
    def _aware_iso(cls, value: Any, info: ValidationInfo) -> str | None:
        if value is None and info.field_name == "expires":
            return None
        if not isinstance(value, str):
            raise ValueError("must be an ISO 8601 string with a UTC offset")
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{value!r} is not ISO 8601 (e.g. 2024-07-01T08:00:00+08:00)") from None
        if moment.tzinfo is None:
            raise ValueError(f"{value!r} has no UTC offset; add one such as +08:00 or Z")
        try:
            moment.astimezone(UTC)  # stored in UTC: 9999-12-31T23:59:59-14:00 is in year 10000 there
        except OverflowError:
            raise ValueError(f"{value!r} is outside the years 1 to 9999 once converted to UTC") from None
        return moment.isoformat()

    @field_validator("*")
    @classmethod
    def _printable(cls, value: Any) -> Any:
        if isinstance(value, str) and (found := _CONTROL.search(value)):
            raise ValueError(f"contains the control character U+{ord(found.group()):04X} at position "
                             f"{found.start()}; remove it")
        return value

    @field_validator("area")
    @classmethod
    def _geojson(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not valid JSON ({exc.msg} at position {exc.pos})") from None
        if not isinstance(parsed, dict) or not isinstance(parsed.get("type"), str):
            raise ValueError("must be a GeoJSON object with a 'type'")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> StreamAlert:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat: give lat and lon together, or neither")
        if self.msg_type != "alert" and not self.references:
            raise ValueError(f"references: required when msg_type is {self.msg_type}")
        return self


def _first_error(exc: ValidationError) -> AlertValidationError:
    errors = exc.errors(include_url=False)
    error = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    field = ".".join(str(part) for part in error["loc"]) or "alert"
    reason = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        reason = "unknown field; the alert fields are " + ", ".join(StreamAlert.model_fields)
    elif error["type"] == "missing":
        reason = "required field is missing"
    elif error["type"] == "string_pattern_mismatch" and field == "district":
        reason = "must be the 6-digit GB/T 2260 adcode of one of the city's districts"
    elif error["type"] == "string_pattern_mismatch":
        reason = "must not contain spaces, commas, < or & (CAP 1.2 identifier and sender)"
    elif not error["loc"] and ": " in reason:
        field, reason = reason.split(": ", 1)
    return AlertValidationError(field, reason)


def _text(value: float) -> str:
    return repr(value) if math.isfinite(value) else str(value)


def normalize_alert(fields: Mapping[str, Any]) -> dict[str, str]:
    """Validate `fields` and return the contract's flat strings (optional fields left out when empty).

    Raises AlertValidationError naming the first bad field and why.
    """
    try:
        alert = StreamAlert.model_validate(dict(fields))
    except ValidationError as exc:
        raise _first_error(exc) from None
    out: dict[str, str] = {}
    for name, value in alert.model_dump(exclude_none=True).items():
        out[name] = _text(value) if isinstance(value, float) else str(value)
    return out


def referenced(references: str | None, sender: str) -> list[tuple[str, str]]:
    """The (sender, identifier) of each alert `references` names: a CAP `sender,identifier,sent` triple gives its
    own sender, a plain id is one of `sender`'s (the referring message's) own alerts."""
    found: list[tuple[str, str]] = []
    for token in (references or "").split():
        parts = token.split(",")
        found.append((parts[0], parts[1]) if len(parts) == 3 else (sender, token))
    return found
