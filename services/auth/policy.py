"""The password policy (NIST SP 800-63B): long enough, not a well-known password, not the user's own name.

No composition rules (they make passwords harder to remember, not to guess); instead a minimum length and a list of
common passwords (services/data/common_passwords.txt). `password_problem` says what is wrong in words the person
choosing the password can act on; `check_password` raises `WeakPassword` with that text.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

MIN_LENGTH = 12
_COMMON = Path(__file__).resolve().parent.parent / "data" / "common_passwords.txt"


class WeakPassword(ValueError):
    """A password the policy refuses; the message says why."""


@cache
def _common_passwords() -> frozenset[str]:
    lines = _COMMON.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def password_problem(password: str, username: str) -> str | None:
    """Why `password` may not be used by `username`, or None when it may."""
    if len(password) < MIN_LENGTH:
        return f"too short ({len(password)} characters; at least {MIN_LENGTH})"
    folded = password.casefold()
    if len(set(folded)) == 1:
        return "one character repeated"
    if folded in _common_passwords():
        return "one of the most common passwords; choose another"
    name = username.casefold()
    if name and (name in folded or folded in name):
        return "contains the user name"
    return None


def check_password(password: str, username: str, *, setting: str = "password") -> None:
    """Raise WeakPassword naming `setting` (the form field or variable) when the policy refuses `password`."""
    problem = password_problem(password, username)
    if problem is not None:
        raise WeakPassword(f"{setting}: {problem}")
