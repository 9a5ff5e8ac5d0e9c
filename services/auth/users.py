"""Local accounts: creating them, the first admin from configuration, and the embedded demo's users.

Demo passwords and the demo wall token are derived from the secret key (HMAC), so they are stable across restarts,
can be printed at every start-up, and change when the deployment sets its own `ONESCREEN_SECRET_KEY`.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.access import CITY_WIDE, Principal, Role, Scope
from services.auth.passwords import hash_password
from services.auth.policy import check_password
from services.citypack import CityPack
from services.config import Settings
from services.store import User


def _derive(settings: Settings, purpose: str) -> str:
    digest = hmac.new(settings.secret_key.encode(), f"onescreen-demo:{purpose}".encode(), hashlib.sha256)
    return digest.hexdigest()[:16]


def demo_password(settings: Settings, username: str) -> str:
    return _derive(settings, f"password:{username}")


def wall_token(settings: Settings) -> str | None:
    """The kiosk token: `ONESCREEN_WALL_TOKEN`, or in the embedded demo one derived from the secret key."""
    if settings.wall_token:
        return settings.wall_token
    return _derive(settings, "wall") if settings.simulate else None


def create_user(
    session: Session, username: str, role: Role, *, password: str | None, display_name: str = "",
    scope: Scope = CITY_WIDE,
) -> User:  # fmt: skip
    """Add an account (not committed). `password=None` makes an account that only single sign-on can open.
    A password the policy refuses raises WeakPassword (services/auth/policy.py)."""
    if password is not None:
        check_password(password, username)
    user = User(
        username=username, role=role.value, display_name=display_name, active=True, created_at=datetime.now(UTC),
        password_hash=hash_password(password) if password is not None else None,
        districts=",".join(sorted(scope.districts)), departments=",".join(sorted(scope.departments)),
    )  # fmt: skip
    session.add(user)
    session.flush()
    return user


def principal_of(user: User) -> Principal:
    scope = Scope.of(filter(None, user.districts.split(",")), filter(None, user.departments.split(",")))
    return Principal(username=user.username, role=Role(user.role), scope=scope, display_name=user.display_name)


def _exists(session: Session, username: str) -> bool:
    return session.scalar(select(User.id).where(User.username == username)) is not None


def ensure_admin(session: Session, settings: Settings) -> bool:
    """`ONESCREEN_ADMIN_PASSWORD` creates the first admin, `admin`, when no admin exists. True if it did.
    A password the policy refuses raises WeakPassword naming the variable, whether or not an admin exists."""
    if not settings.admin_password:
        return False
    check_password(settings.admin_password, "admin", setting="ONESCREEN_ADMIN_PASSWORD")
    if session.scalar(select(User.id).where(User.role == Role.ADMIN.value)) is not None:
        return False
    create_user(session, "admin", Role.ADMIN, password=settings.admin_password, display_name="管理员")
    return True


def ensure_demo_users(session: Session, settings: Settings, pack: CityPack) -> list[tuple[str, Role, str]]:
    """The city pack's first users as the demo's accounts (created once, passwords derived from the secret key):
    (username, role, password) for the start-up banner."""
    shown = []
    for user in pack.users:
        password = demo_password(settings, user.username)
        if user.role is Role.ADMIN and settings.admin_password:
            continue  # the configured admin password wins; never print it
        if not _exists(session, user.username):
            create_user(session, user.username, user.role, password=password, display_name=user.display_name,
                        scope=Scope.of(pack.district_scope(user.areas), user.departments))
        shown.append((user.username, user.role, password))
    return shown
