"""Logging set-up for the two ways OneScreen runs: readable lines for the demo, JSON lines for production.

JSON lines (python-json-logger) carry the time, level, logger, message and any `extra=` fields, so a log shipper
indexes them without parsing; `ONESCREEN_LOG_FORMAT=json` switches them on.

No secret reaches a log line: `SecretsFilter` masks the password in a URL (`redis://:pw@host`), a bearer token and
`token=` / `password=` query values (the wall's kiosk link) in every record of our loggers and uvicorn's (its access
log writes each request's path with its query); `redact_secrets` does the same for a message built by hand.
"""

from __future__ import annotations

import logging
import re

from pythonjsonlogger.json import JsonFormatter

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
UVICORN_LOGGERS = ("uvicorn", "uvicorn.access", "uvicorn.error")  # uvicorn's own handlers: filtered at the logger
_SECRETS = (
    (re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/?#\s@]*:)[^@/?#\s]+@", re.IGNORECASE), r"\1***@"),
    (re.compile(r"(\bBearer\s+)[^\s\"',]+", re.IGNORECASE), r"\1***"),
    (re.compile(r"([?&;](?:token|access_token|api_key|password|secret)=)[^&;#\s\"']+", re.IGNORECASE), r"\1***"),
)


def redact_secrets(text: str) -> str:
    """`text` with URL passwords, bearer tokens and token/password query values masked."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


# `log.info(..., extra=SHOWN_ON_PURPOSE)`: the one record that must show a secret, the embedded demo's kiosk link
# printed for the person who just started it (DESIGN.md: the demo prints its wall link).
SHOWN_ON_PURPOSE = {"secret_shown_on_purpose": True}


class SecretsFilter(logging.Filter):
    """Masks secrets in a record's message and arguments (uvicorn's access formatter reads the arguments)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "secret_shown_on_purpose", False):
            return True
        if isinstance(record.msg, str):
            record.msg = redact_secrets(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact_secrets(arg) if isinstance(arg, str) else arg for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: redact_secrets(v) if isinstance(v, str) else v for key, v in record.args.items()}
        return True


def configure_logging(fmt: str = "text", level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    if fmt == "json":
        handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s",
                                           rename_fields={"asctime": "time", "levelname": "level",
                                                          "name": "logger"}))
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    handler.addFilter(SecretsFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in UVICORN_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(existing, SecretsFilter) for existing in logger.filters):
            logger.addFilter(SecretsFilter())
