"""Connectors for systems that cannot push: one module per kind, each a `Connector` (connectors/base.py)."""

from __future__ import annotations

from services.sources.connectors.base import Batch, Connector, decode_cursor, encode_cursor
from services.sources.connectors.files import FileConnector
from services.sources.connectors.http import HttpConnector
from services.sources.connectors.sql import SqlConnector
from services.sources.spec import FileSource, HttpSource, PullSpec, SqlSource


def connector_for(spec: PullSpec) -> Connector:
    if isinstance(spec, SqlSource):
        return SqlConnector(spec)
    if isinstance(spec, HttpSource):
        return HttpConnector(spec)
    assert isinstance(spec, FileSource)
    return FileConnector(spec)


__all__ = ["Batch", "Connector", "FileConnector", "HttpConnector", "SqlConnector", "connector_for", "decode_cursor",
           "encode_cursor"]
