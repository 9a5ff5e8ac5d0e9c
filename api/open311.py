"""Open311 GeoReport v2 at `/open311/v2/`: services, service definitions, requests and tokens, each in JSON and XML
(the format is the path's suffix, as the spec has it), errors as the spec's list of `{code, description}`.

Thin: the spec's vocabulary is services/hotline/open311.py, the store services/hotline/requests.py. The security
middleware admits a caller by its `api_key` (query or posted field) or a bearer token, with the scope `events.read`
or `events.write` (Open311 requests are events), and answers its refusals in this format too (`refusal`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl
from xml.etree.ElementTree import Element, SubElement, tostring

from fastapi import APIRouter, Request, Response
from sqlalchemy import select

from api.batches import integrator
from components.i18n import translator
from services.hotline import (
    Open311Error,
    find_service,
    id_for_token,
    lifecycle_statuses,
    moment,
    posted_request,
    request_record,
    service_definition,
    service_list,
    stored_requests,
    submit,
)
from services.platform import Runtime
from services.store import Department

PREFIX = "/open311/v2"
MEDIA = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# The spec's XML: a list's element and each item's.
_ITEMS = {"services": "service", "service_requests": "request", "errors": "error", "attributes": "attribute",
          "values": "value"}


def open311_router(rt: Runtime) -> APIRouter:
    """The six GeoReport v2 methods; mount with `app.include_router(open311_router(runtime))`."""
    router = APIRouter(prefix=PREFIX, tags=["open311"])
    categories = rt.pack.catalogs.categories
    place_names = {code: (rt.city.names("zh-CN")[code], rt.city.names("en")[code]) for code in rt.city.names()}

    @router.get("/services.{fmt}", summary="GET Service List: the city's request categories")
    def services(fmt: str, request: Request) -> Response:
        return _answer(fmt, "services", lambda: service_list(categories, _lang(request)))

    @router.get("/services/{service_code}.{fmt}", summary="GET Service Definition: a service's attributes")
    def definition(service_code: str, fmt: str, request: Request) -> Response:
        return _answer(fmt, "service_definition",
                       lambda: service_definition(find_service(categories, service_code), _lang(request)))

    @router.post("/requests.{fmt}", summary="POST Service Request (form-encoded as the spec says, or JSON)")
    async def post_request(fmt: str, request: Request) -> Response:
        try:
            fields = await _fields(request)
        except Open311Error as error:
            return _errors(fmt if fmt in MEDIA else "json", error.status, error.description)
        caller = integrator(request)

        def store() -> list[dict[str, Any]]:
            posted = posted_request(fields, categories=categories, districts=place_names, now=datetime.now(UTC))
            with rt.sessions() as session:
                request_id = submit(session, posted, source=caller.name if caller else "open311", city=rt.city,
                                    categories=categories, limits=rt.pack.hotline_limits,
                                    secret_key=rt.settings.secret_key)
                session.commit()
            return [{"service_request_id": str(request_id), "service_notice": None, "account_id": None}]

        return _answer(fmt, "service_requests", store, status=201)

    @router.get("/requests.{fmt}", summary="GET Service Requests, filtered (newest first, at most 1 000)")
    def get_requests(fmt: str, request: Request, service_request_id: str | None = None,
                     service_code: str | None = None, start_date: str | None = None, end_date: str | None = None,
                     status: str | None = None) -> Response:
        def found() -> list[dict[str, Any]]:
            ids = _ids(service_request_id) if service_request_id else None
            codes = [code.strip() for code in service_code.split(",") if code.strip()] if service_code else None
            return _records(rt, request, ids=ids, categories=codes, statuses=lifecycle_statuses(status),
                            start=moment(start_date, "start_date"), end=moment(end_date, "end_date"))

        return _answer(fmt, "service_requests", found)

    @router.get("/requests/{service_request_id}.{fmt}", summary="GET Service Request: one, by its id")
    def get_request(service_request_id: str, fmt: str, request: Request) -> Response:
        def found() -> list[dict[str, Any]]:
            records = _records(rt, request, ids=_ids(service_request_id))
            if not records:
                raise Open311Error(404, f"service_request_id {service_request_id!r} was not found")
            return records

        return _answer(fmt, "service_requests", found)

    @router.get("/tokens/{token}.{fmt}", summary="GET service_request_id from a token")
    def get_token(token: str, fmt: str) -> Response:
        def found() -> list[dict[str, Any]]:
            with rt.sessions() as session:
                request_id = id_for_token(session, token)
            if request_id is None:
                raise Open311Error(404, f"token {token!r} was not found")
            return [{"service_request_id": str(request_id), "token": token}]

        return _answer(fmt, "service_requests", found)

    return router


def refusal(path: str, status: int, description: str, headers: Mapping[str, str] | None = None) -> Response:
    """An error in the spec's form for `path` (XML when it ends in .xml): the security middleware's answers too."""
    return _errors("xml" if path.endswith(".xml") else "json", status, description, headers)


def _answer(fmt: str, root: str, build: Any, status: int = 200) -> Response:
    if fmt not in MEDIA:
        return _errors("json", 404, f"format {fmt!r} is not served; use .json or .xml")
    try:
        body = build()
    except Open311Error as error:
        return _errors(fmt, error.status, error.description)
    if fmt == "json":
        return Response(json.dumps(body, ensure_ascii=False), status, media_type=MEDIA[fmt])
    return Response(_xml(root, body), status, media_type=MEDIA[fmt])


def _errors(fmt: str, status: int, description: str, headers: Mapping[str, str] | None = None) -> Response:
    body = [{"code": status, "description": description}]
    content = json.dumps(body, ensure_ascii=False) if fmt == "json" else _xml("errors", body)
    return Response(content, status, media_type=MEDIA[fmt], headers=dict(headers or {}))


def _xml(root: str, body: Any) -> bytes:
    """The spec's XML: lists as an element per item (`services` → `service`…), true/false, empty for null."""
    def fill(element: Element, value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                fill(SubElement(element, key), item)
        elif isinstance(value, list):
            for item in value:
                fill(SubElement(element, _ITEMS.get(element.tag, "item")), item)
        elif isinstance(value, bool):
            element.text = "true" if value else "false"
        elif value is not None:
            element.text = str(value)

    top = Element(root)
    fill(top, body)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + bytes(tostring(top, encoding="utf-8"))


async def _fields(request: Request) -> dict[str, Any]:
    """A posted request's fields: form-encoded (the spec) or a JSON object; the query string's fill the gaps."""
    body = await request.body()
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    fields: dict[str, Any] = dict(request.query_params)
    if kind == "application/json":
        try:
            parsed = json.loads(body or b"{}")
        except (ValueError, RecursionError):
            raise Open311Error(400, "the body is not JSON") from None
        if not isinstance(parsed, dict):
            raise Open311Error(400, "the JSON body must be an object of the spec's fields")
        fields.update(parsed)
    elif body:
        try:
            fields.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False))
        except UnicodeDecodeError:
            raise Open311Error(400, "the body is not UTF-8 (the spec requires it)") from None
    fields.pop("api_key", None)  # the credential, already checked; never stored
    return fields


def _ids(text: str) -> list[int]:
    ids = []
    for part in filter(None, (piece.strip() for piece in text.split(","))):
        if not part.isdigit() or len(part) > 18:
            raise Open311Error(404, f"service_request_id {part!r} was not found")
        ids.append(int(part))
    return ids


def _records(rt: Runtime, request: Request, **filters: Any) -> list[dict[str, Any]]:
    lang = _lang(request)
    text = translator(lang)
    names = {category.code: (category.name_en if lang == "en" else category.name_zh)
             for category in rt.pack.catalogs.categories}
    with rt.sessions() as session:
        stored = stored_requests(session, **filters)
        departments = {row.code: (row.name_en if lang == "en" else row.name_zh)
                       for row in session.execute(select(Department.code, Department.name_zh, Department.name_en))}
    return [request_record(row, service_name=names.get(row.category, row.category),
                           status_notes=text.get(f"events.status.{row.status}", row.status),
                           agencies=[departments.get(code, code) for code in row.departments], zone=rt.settings.zone)
            for row in stored]


def _lang(request: Request) -> str:
    """Chinese unless the client prefers English (Accept-Language), as the rest of the product."""
    return "en" if request.headers.get("accept-language", "").lower().startswith("en") else "zh-CN"
