"""`file` sources: a drop folder where a department leaves CSV, XLSX or NDJSON exports.

Each file is one batch, read as a stream (a million-row CSV never sits in memory whole), stored in one transaction
with its content digest, then moved to `done/` (or `failed/` when it cannot be read) with `<name>.report.json`
beside it. A file whose digest is already stored (a crash between the commit and the move, or the same export
dropped twice) is moved to `done/` without being loaded again. A department writes a file under a hidden name
(`.name`) or with `.part` and renames it when complete, so a half-written file is never picked up.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from services.sources.connectors.base import Batch, Row
from services.sources.spec import FileSource

CONTENT_TYPES = {".csv": "text/csv", ".ndjson": "application/x-ndjson", ".jsonl": "application/x-ndjson",
                 ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            sha.update(chunk)
    return sha.hexdigest()


def _rows(path: Path) -> Iterator[Row]:
    from services.ingest import parse_table

    stream: IO[bytes]
    with path.open("rb") as stream:
        yield from parse_table(stream, CONTENT_TYPES.get(path.suffix.lower(), "text/csv"))


class FileConnector:
    def __init__(self, spec: FileSource) -> None:
        self.spec = spec

    def waiting(self) -> list[Path]:
        """The complete files in the folder, oldest first."""
        folder = self.spec.folder
        folder.mkdir(parents=True, exist_ok=True)  # ready for the department's first drop
        found = {path for pattern in self.spec.patterns for path in folder.glob(pattern)
                 if path.is_file() and not path.name.startswith(".") and path.suffix != ".part"}
        return sorted(found, key=lambda path: (path.stat().st_mtime, path.name))

    def batches(self, cursor: str | None) -> Iterator[Batch]:
        for path in self.waiting():
            yield Batch(_rows(path), digest=_digest(path), path=path)

    def settle(self, batch: Batch, report: Any | None, error: Exception | None) -> bool:
        """Move the file to done/ or failed/ with its report; a failed file never stops the others."""
        assert batch.path is not None
        outcome = "failed" if error is not None else "done"
        folder = self.spec.folder / outcome
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC)
        moved = folder / batch.path.name
        if moved.exists():  # the same name dropped again: keep both
            moved = folder / f"{batch.path.stem}.{stamp:%Y%m%dT%H%M%S%f}{batch.path.suffix}"
        body: dict[str, Any] = {"file": batch.path.name, "digest": batch.digest, "at": stamp.isoformat()}
        if error is not None:
            body["error"] = str(error)
        elif report is None:
            body["already_stored"] = True
        else:
            body |= {"accepted": report.accepted, "updated": report.updated,
                     "refused": [{"row": r.row, "field": r.field, "reason": r.reason} for r in report.refused]}
        batch.path.replace(moved)
        moved.with_name(moved.name + ".report.json").write_text(
            json.dumps(body, ensure_ascii=False, indent=1), encoding="utf-8")
        return True
