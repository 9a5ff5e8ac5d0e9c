"""The sources file (`ONESCREEN_SOURCES`, YAML): the sources a deployment expects, and how to pull from those that
cannot push. Validated at start; each error is one line `file:line: field: reason`, so whoever edits the file can
fix every mistake in one pass instead of one per restart.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from croniter import croniter
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

Target = Literal["events", "readings", "applications"]

# The ingest contract's field names (DESIGN.md), which a mapping may fill.
TARGET_FIELDS: dict[str, frozenset[str]] = {
    "events": frozenset({"external_id", "source", "category", "subcategory", "title", "description", "reported_at",
                         "lon", "lat", "address", "district", "reporter_name", "reporter_phone", "priority"}),
    "readings": frozenset({"indicator", "area", "time", "value"}),
    "applications": frozenset({"application_id", "matter", "department", "channel", "applicant_kind", "applicant",
                               "district", "received_at", "promised_at", "statutory_at", "completed_at", "result",
                               "return_reason", "review"}),
}
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_ENV = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)\}")


class SourcesFileError(ValueError):
    """A sources file that cannot be used; the message has one line per error."""


def seconds(value: Any) -> int:
    """`30s`, `5m`, `1h`, `1d` or a number of seconds → seconds (at least 1)."""
    text = str(value).strip()
    match = re.fullmatch(r"(\d+)\s*([smhd]?)", text)
    if not match or int(match[1]) == 0:
        raise ValueError(f"{text!r} is not a duration such as 30s, 5m, 1h or 1d")
    return int(match[1]) * _UNITS[match[2] or "s"]


def _expand(text: str) -> str:
    """`${NAME}` from the environment, so passwords stay out of the file; an unset one is an error, not ''."""
    missing = [name for name in _ENV.findall(text) if name not in os.environ]
    if missing:
        raise ValueError(f"environment variable {missing[0]} is not set")
    return _ENV.sub(lambda m: os.environ[m[1]], text)


Duration = Annotated[int, Field(gt=0)]
Column = Annotated[str, Field(min_length=1)]


class Constant(BaseModel):
    model_config = ConfigDict(extra="forbid")
    value: str | int | float


class Schedule(BaseModel):
    """When a connector runs: `every: 5m`, or `cron: "*/5 * * * *"` (in UTC)."""

    model_config = ConfigDict(extra="forbid")
    every: Duration | None = None
    cron: str | None = None

    @field_validator("every", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> Any:
        return None if value is None else seconds(value)

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, value: str | None) -> str | None:
        if value is not None and not croniter.is_valid(value):
            raise ValueError(f"{value!r} is not a cron expression (minute hour day month weekday)")
        return value

    @model_validator(mode="after")
    def _one_of(self) -> Schedule:
        if (self.every is None) == (self.cron is None):
            raise ValueError("give exactly one of every or cron")
        return self

    def next_after(self, moment: datetime) -> datetime:
        if self.cron is not None:
            following: datetime = croniter(self.cron, moment).get_next(datetime)
            return following
        return moment + timedelta(seconds=self.every or 0)


class _Source(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")
    name_zh: str = Field(min_length=1, max_length=128)
    name_en: str = Field(min_length=1, max_length=128)
    department: str = Field(min_length=1, max_length=32)
    target: Target
    cadence: Duration
    indicators: list[str] = []
    mapping: dict[str, Column | Constant] = {}

    @field_validator("cadence", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> int:
        return seconds(value)

    @model_validator(mode="after")
    def _known_fields(self) -> _Source:
        unknown = sorted(set(self.mapping) - TARGET_FIELDS[self.target])
        if unknown:
            raise ValueError(f"mapping names {', '.join(unknown)}, not fields of {self.target} "
                             f"({', '.join(sorted(TARGET_FIELDS[self.target]))})")
        return self

    def mapped(self, fields: dict[str, Any]) -> dict[str, Any]:
        """A source row in the contract's field names: mapped columns and constants, plus the row's own fields that
        already bear a contract name."""
        known = TARGET_FIELDS[self.target]
        row = {name: value for name, value in fields.items() if name in known}
        for name, column in self.mapping.items():
            row[name] = column.value if isinstance(column, Constant) else fields.get(column)
        return row


class PushSource(_Source):
    """A system that pushes through /api/v1 with its token: declared for its owner and expected cadence only."""

    kind: Literal["push"]


class _Remote(_Source):
    """A source pulled from another system's address; `${NAME}` in it comes from the environment."""

    url: str
    start: str | None = Field(default=None, description="the cursor of the first run")
    schedule: Schedule

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        return _expand(value)


class SqlSource(_Remote):
    """A read-only SELECT against a department database, incremental on a strictly increasing cursor column."""

    kind: Literal["sql"]
    query: str
    cursor: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
                        description="the column of the query's rows that only grows (an id, a change time)")
    batch: int = Field(default=1000, gt=0, le=100_000)

    @field_validator("query")
    @classmethod
    def _select_only(cls, value: str) -> str:
        if not re.match(r"\s*(select|with)\b", value, re.IGNORECASE) or ";" in value.strip().rstrip(";"):
            raise ValueError("must be one SELECT (or WITH … SELECT) statement")
        return value.strip().rstrip(";")


class HttpSource(_Remote):
    """JSON or CSV over HTTP; the cursor travels in a query parameter and comes from a field of the rows."""

    kind: Literal["http"]
    format: Literal["json", "csv"] = "json"
    items: str | None = Field(default=None, description="dotted path to the row list in a JSON answer")
    cursor_param: str
    cursor_field: str
    headers: dict[str, str] = {}
    timeout: float = Field(default=30, gt=0)

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not re.match(r"https?://", value):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("headers")
    @classmethod
    def _headers(cls, value: dict[str, str]) -> dict[str, str]:
        return {name: _expand(text) for name, text in value.items()}


class FileSource(_Source):
    """A drop folder: each CSV/XLSX file is loaded once, then moved to `done/` or `failed/` with a report."""

    kind: Literal["file"]
    folder: Path
    patterns: list[str] = ["*.csv", "*.xlsx", "*.ndjson"]
    schedule: Schedule


SourceSpec = Annotated[PushSource | SqlSource | HttpSource | FileSource, Field(discriminator="kind")]
PullSpec = SqlSource | HttpSource | FileSource


class SourcesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sources: list[SourceSpec] = []

    @model_validator(mode="after")
    def _unique_ids(self) -> SourcesFile:
        seen: set[str] = set()
        for spec in self.sources:
            if spec.id in seen:
                raise ValueError(f"source id {spec.id!r} is declared twice")
            seen.add(spec.id)
        return self


def _line_of(document: Any, loc: Sequence[int | str]) -> tuple[int, str]:
    """The 1-based line of the deepest node of `loc` found in the parsed YAML, and the path as a reader writes it."""
    line, node, path = 1, document, ""
    for part in loc:
        if isinstance(part, int) and isinstance(node, list) and part < len(node):
            line, node, path = node.lc.item(part)[0] + 1, node[part], f"{path}[{part}]"  # type: ignore[attr-defined]
        elif isinstance(part, str) and isinstance(node, dict) and part in node:
            line, node, path = node.lc.key(part)[0] + 1, node[part], f"{path}.{part}".lstrip(".")  # type: ignore[attr-defined]
        elif isinstance(node, dict) and node.get("kind") == part:
            continue  # the union's tag
        else:
            path = f"{path}.{part}".lstrip(".")
    return line, path


def load_sources(path: Path) -> list[PushSource | SqlSource | HttpSource | FileSource]:
    """The sources declared in `path` (none when it does not exist); SourcesFileError lists every error."""
    if not path.exists():
        return []
    try:
        document = YAML(typ="rt").load(path.read_text(encoding="utf-8"))
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise SourcesFileError(f"{path}:{mark.line + 1 if mark else 1}: not valid YAML: "
                               f"{getattr(exc, 'problem', exc)}") from None
    try:
        return SourcesFile.model_validate(document or {}).sources
    except ValidationError as exc:
        found = sorted((*_line_of(document, (*error["loc"], "kind") if error["type"] == "union_tag_invalid"
                                  else error["loc"]), error["msg"].removeprefix("Value error, "))
                       for error in exc.errors())
        raise SourcesFileError("\n".join(f"{path}:{line}: {field or 'sources'}: {reason}"
                                          for line, field, reason in found)) from None
