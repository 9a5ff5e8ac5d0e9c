"""No secret in a log line or a start-up error (issue 17, point 9): the wall token in uvicorn's access log, a Redis
password in the start-up error."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from starlette.responses import PlainTextResponse

from services.config import Settings
from services.platform import StartupError, configure_logging, open_runtime, redact_secrets


class _Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def access_log() -> Iterator[_Kept]:
    kept = _Kept()
    yield kept
    for name in ("uvicorn.access", "uvicorn.error"):
        logging.getLogger(name).removeHandler(kept)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_wall_token_never_reaches_the_access_log(access_log: _Kept) -> None:
    """As `python app.py` runs: our logging first, then uvicorn's own set-up, then a kiosk opening its link."""
    configure_logging()
    port = _free_port()
    app = PlainTextResponse("wall")
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="info"))
    logging.getLogger("uvicorn.access").addHandler(access_log)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(100):
            if server.started:
                break
            time.sleep(0.05)
        answer = httpx.get(f"http://127.0.0.1:{port}/wall?size=4k&token=kiosk-secret-123&lang=en")
        assert answer.status_code == 200
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    logged = "\n".join(access_log.lines)
    assert "/wall?size=4k&token=***&lang=en" in logged, logged
    assert "kiosk-secret-123" not in logged


def test_the_redis_password_is_not_in_the_start_up_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'x.db'}", redis_url="redis://:hunter2-secret@127.0.0.1:1/0",
                        simulate=False, _env_file=None)  # fmt: skip
    with pytest.raises(StartupError) as refused:
        open_runtime(settings)
    assert "hunter2-secret" not in str(refused.value) and "redis://:***@127.0.0.1:1/0" in str(refused.value)


@pytest.mark.parametrize(("said", "shown"), [
    ("postgresql+psycopg://onescreen:s3cret@db:5432/city", "postgresql+psycopg://onescreen:***@db:5432/city"),
    ("Authorization: Bearer abc.def-123", "Authorization: Bearer ***"),
    ("GET /wall?token=abc&x=1", "GET /wall?token=***&x=1"),
    ("no secret here: http://example.org/a?b=c", "no secret here: http://example.org/a?b=c"),
])  # fmt: skip
def test_redact_secrets_masks_passwords_tokens_and_keeps_the_rest(said: str, shown: str) -> None:
    assert redact_secrets(said) == shown


def test_only_the_demo_link_shown_on_purpose_keeps_its_token() -> None:
    """The embedded demo prints its kiosk link for the person who started it; any other record is masked."""
    import logging

    from services.platform.logs import SHOWN_ON_PURPOSE, SecretsFilter

    def shown(extra: dict[str, bool]) -> str:
        record = logging.LogRecord("onescreen", logging.INFO, __file__, 1, "wall: %s", ("/wall?token=k1os2k",), None)
        record.__dict__.update(extra)
        SecretsFilter().filter(record)
        return record.getMessage()

    assert "k1os2k" in shown(SHOWN_ON_PURPOSE)
    assert "k1os2k" not in shown({})
