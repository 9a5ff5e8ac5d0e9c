"""The identity-provider seam: how a username and a proof become a Principal.

`LocalPasswordProvider` checks the local `users` table. A government single sign-on (OIDC) plugs in as another
`IdentityProvider`: after its redirect dance it maps the verified ID token's subject to a `users` row (created with
`password=None`, role and scope assigned by an admin) and hands that user to `services.auth.open_session`, so
sessions, roles, scopes, masking and the audit log stay the same whichever provider signed the user in.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.auth.passwords import hash_password, needs_rehash, verify_password
from services.store import User


class IdentityProvider(Protocol):
    """Turns credentials into the `users` row they prove, or None."""

    name: str

    def authenticate(self, session: Session, username: str, secret: str) -> User | None: ...


class LocalPasswordProvider:
    """Username and argon2 password from the local `users` table."""

    name = "local"

    def authenticate(self, session: Session, username: str, secret: str) -> User | None:
        user = session.scalar(select(User).where(User.username == username))
        stored = user.password_hash if user is not None and user.active else None
        if not verify_password(stored, secret) or user is None or stored is None:
            return None
        if needs_rehash(stored):
            user.password_hash = hash_password(secret)
        return user
