"""Password hashing with argon2id (argon2-cffi's defaults, RFC 9106's second recommended profile).

A stored hash carries its own parameters, so raising them later re-hashes each user at their next sign-in.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified when the user is unknown, so an unknown name costs as much time as a wrong password."""
    return _HASHER.hash("not-a-user")


def hash_password(password: str) -> str:
    if not password:
        raise ValueError("a password may not be empty")
    return _HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """True when `password` matches `stored`; a missing or corrupt hash never matches (and takes as long)."""
    try:
        return _HASHER.verify(stored or _dummy_hash(), password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _HASHER.check_needs_rehash(stored)
