"""Who may sign in: local accounts with argon2 passwords, server-side sessions, and the identity-provider seam.

Public surface:
- `IdentityProvider` (the seam a government single sign-on plugs into) and `LocalPasswordProvider`;
- `create_user`, `principal_of`, `ensure_admin`, `ensure_demo_users`, `demo_password` (services/auth/users.py);
- `open_session`, `session_principal`, `close_session`, `SESSION_TTL`, `SESSION_MAX_AGE` (services/auth/sessions.py);
- `hash_password`, `verify_password` (services/auth/passwords.py).
"""

from services.auth.passwords import hash_password, verify_password
from services.auth.policy import WeakPassword, check_password, password_problem
from services.auth.providers import IdentityProvider, LocalPasswordProvider
from services.auth.sessions import (
    SESSION_MAX_AGE,
    SESSION_TTL,
    close_session,
    open_session,
    session_principal,
)
from services.auth.users import (
    create_user,
    demo_password,
    ensure_admin,
    ensure_demo_users,
    principal_of,
    wall_token,
)

__all__ = [
    "IdentityProvider",
    "LocalPasswordProvider",
    "SESSION_MAX_AGE",
    "SESSION_TTL",
    "WeakPassword",
    "check_password",
    "close_session",
    "create_user",
    "demo_password",
    "ensure_admin",
    "ensure_demo_users",
    "hash_password",
    "open_session",
    "password_problem",
    "principal_of",
    "session_principal",
    "verify_password",
    "wall_token",
]
