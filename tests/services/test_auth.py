"""Local accounts, argon2 passwords and database sessions, on SQLite and PostgreSQL: a session survives a restart,
only its hash is stored, it expires, slides, and ends at sign-out or when the account is disabled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from services.access import Role, Scope
from services.auth import (
    DEMO_USERS,
    LocalPasswordProvider,
    close_session,
    create_user,
    demo_password,
    ensure_admin,
    ensure_demo_users,
    hash_password,
    open_session,
    session_principal,
    verify_password,
    wall_token,
)
from services.auth.sessions import SESSION_MAX_AGE, SESSION_TTL, token_hash
from services.config import Settings
from services.store import User, UserSession, make_engine, make_sessionmaker

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def test_passwords_are_argon2id_and_only_the_right_one_matches() -> None:
    stored = hash_password("正确的密码 correct horse")
    assert stored.startswith("$argon2id$") and "correct" not in stored
    assert verify_password(stored, "正确的密码 correct horse")
    assert not verify_password(stored, "wrong")
    assert not verify_password(None, "anything") and not verify_password("not-a-hash", "anything")
    assert hash_password("same") != hash_password("same")  # salted


def _analyst(session: Session, **kwargs) -> User:  # type: ignore[no-untyped-def]
    user = create_user(session, "li", Role.ANALYST, password="pw-123", display_name="李分析",
                       scope=Scope.of(["350203"], ["police"]), **kwargs)  # fmt: skip
    session.commit()
    return user


def test_the_local_provider_checks_name_password_and_that_the_account_is_active(session: Session) -> None:
    user = _analyst(session)
    provider = LocalPasswordProvider()
    assert provider.authenticate(session, "li", "pw-123") == user
    assert provider.authenticate(session, "li", "wrong") is None
    assert provider.authenticate(session, "nobody", "pw-123") is None
    user.active = False
    session.commit()
    assert provider.authenticate(session, "li", "pw-123") is None
    sso_only = create_user(session, "sso", Role.LEADER, password=None)
    assert sso_only.password_hash is None and provider.authenticate(session, "sso", "") is None


def test_a_session_carries_role_and_scope_and_only_its_hash_is_stored(session: Session) -> None:
    token = open_session(session, _analyst(session), now=T0)
    session.commit()
    principal = session_principal(session, token, now=T0 + timedelta(minutes=1))
    assert principal is not None
    assert (principal.username, principal.role, principal.display_name) == ("li", Role.ANALYST, "李分析")
    assert principal.scope == Scope.of(["350203"], ["police"])
    assert session.scalars(select(UserSession.token_hash)).all() == [token_hash(token)]
    assert token not in token_hash(token)
    assert session_principal(session, "forged-token", now=T0) is None


def test_a_session_survives_a_restart(database_url: str, engine: Engine) -> None:
    with make_sessionmaker(engine)() as session:
        token = open_session(session, _analyst(session))
        session.commit()
    engine.dispose()
    restarted = make_engine(database_url)  # a new process: nothing kept in memory
    with make_sessionmaker(restarted)() as session:
        principal = session_principal(session, token)
    restarted.dispose()
    assert principal is not None and principal.username == "li"


def test_a_session_expires_when_idle_slides_when_used_and_ends_at_its_maximum_age(session: Session) -> None:
    token = open_session(session, _analyst(session), now=T0)
    session.commit()
    assert session_principal(session, token, now=T0 + SESSION_TTL) is None  # idle too long
    fresh = open_session(session, session.scalar(select(User)), now=T0)  # type: ignore[arg-type]
    session.commit()
    moment = T0
    while moment + SESSION_TTL / 2 < T0 + SESSION_MAX_AGE:  # used every half TTL: stays signed in ...
        moment += SESSION_TTL / 2
        assert session_principal(session, fresh, now=moment) is not None
    assert session_principal(session, fresh, now=T0 + SESSION_MAX_AGE + timedelta(minutes=1)) is None  # ... not forever


def test_sign_out_and_disabling_the_account_end_the_session(session: Session) -> None:
    user = _analyst(session)
    first, second = open_session(session, user, now=T0), open_session(session, user, now=T0)
    session.commit()
    close_session(session, first)
    session.commit()
    assert session_principal(session, first, now=T0) is None
    assert session_principal(session, second, now=T0) is not None
    user.active = False
    session.commit()
    assert session_principal(session, second, now=T0) is None


def test_admin_password_creates_the_first_admin_once(session: Session, settings: Settings) -> None:
    assert not ensure_admin(session, settings)  # no ONESCREEN_ADMIN_PASSWORD: nobody
    configured = settings.model_copy(update={"admin_password": "Adm1n-pass"})
    assert ensure_admin(session, configured)
    session.commit()
    assert not ensure_admin(session, configured.model_copy(update={"admin_password": "other"}))
    assert LocalPasswordProvider().authenticate(session, "admin", "Adm1n-pass") is not None


def test_demo_users_cover_every_person_role_and_one_scoped_user(session: Session, settings: Settings) -> None:
    shown = ensure_demo_users(session, settings)
    session.commit()
    assert {role for _, role, _ in shown} == set(Role) - {Role.WALL}
    assert ensure_demo_users(session, settings) == shown  # idempotent, same passwords after a restart
    siming = session.scalar(select(User).where(User.username == "analyst-siming"))
    assert siming is not None and siming.districts == "350203"
    for username, _, password in shown:
        assert LocalPasswordProvider().authenticate(session, username, password) is not None
    other_secret = settings.model_copy(update={"secret_key": "another-secret"})
    assert demo_password(other_secret, "operator") != demo_password(settings, "operator")
    assert len(DEMO_USERS) == len(shown)


def test_the_wall_token_comes_from_configuration_or_the_demo(settings: Settings) -> None:
    assert wall_token(settings) is None  # production without ONESCREEN_WALL_TOKEN: no wall device
    assert wall_token(settings.model_copy(update={"wall_token": "kiosk-1"})) == "kiosk-1"
    demo = wall_token(settings.model_copy(update={"simulate": True}))
    assert demo and demo == wall_token(settings.model_copy(update={"simulate": True}))
