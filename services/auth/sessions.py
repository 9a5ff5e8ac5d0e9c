"""Server-side sessions in the SQL store, so a restart signs nobody out; the cookie holds a random token and the
table only its SHA-256, so reading the table opens no session.

A session slides: each use within `SESSION_TTL` extends it (at most once per `_SLIDE_EVERY`, so a busy page does
not write on every callback), up to `SESSION_MAX_AGE` after sign-in.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from services.access import Principal
from services.auth.users import principal_of
from services.store import User, UserSession

SESSION_TTL = timedelta(hours=12)
SESSION_MAX_AGE = timedelta(days=7)
_SLIDE_EVERY = timedelta(minutes=5)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(session: Session, user: User, *, now: datetime | None = None) -> str:
    """A new session for `user` (not committed); returns the token for the cookie, which is never stored."""
    now = now or datetime.now(UTC)
    token = secrets.token_urlsafe(32)
    session.add(UserSession(token_hash=token_hash(token), user_id=user.id, created_at=now,
                            expires_at=now + SESSION_TTL))  # fmt: skip
    session.execute(delete(UserSession).where(UserSession.expires_at < now))  # tidy as we go
    return token


def session_principal(session: Session, token: str, *, now: datetime | None = None) -> Principal | None:
    """The signed-in user behind `token`, or None when it is unknown, expired, or the account is disabled.
    Commits when it slides the expiry."""
    now = now or datetime.now(UTC)
    row = session.execute(
        select(UserSession, User).join(User, User.id == UserSession.user_id)
        .where(UserSession.token_hash == token_hash(token))
    ).first()  # fmt: skip
    if row is None:
        return None
    stored, user = row
    if stored.expires_at <= now or not user.active:
        return None
    slid = min(now + SESSION_TTL, stored.created_at + SESSION_MAX_AGE)
    if slid - stored.expires_at >= _SLIDE_EVERY:
        stored.expires_at = slid
        session.commit()
    return principal_of(user)


def close_session(session: Session, token: str) -> None:
    """Sign out (not committed): the token opens nothing afterwards, on any worker."""
    session.execute(delete(UserSession).where(UserSession.token_hash == token_hash(token)))
