"""Local accounts, argon2 passwords and database sessions, on SQLite and PostgreSQL: a session survives a restart,
only its hash is stored, it expires, slides, and ends at sign-out or when the account is disabled."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from services.access import Role, Scope
from services.auth import (
    LocalPasswordProvider,
    WeakPassword,
    close_session,
    create_user,
    demo_password,
    ensure_admin,
    ensure_demo_users,
    hash_password,
    open_session,
    password_problem,
    session_principal,
    verify_password,
    wall_token,
)
from services.auth.sessions import SESSION_MAX_AGE, SESSION_TTL, token_hash
from services.citypack import load_pack
from services.config import DEFAULT_PACK, Settings
from services.store import User, UserSession, make_engine, make_sessionmaker, migrate

ROOT = Path(__file__).resolve().parents[2]

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def test_passwords_are_argon2id_and_only_the_right_one_matches() -> None:
    stored = hash_password("正确的密码 correct horse")
    assert stored.startswith("$argon2id$") and "correct" not in stored
    assert verify_password(stored, "正确的密码 correct horse")
    assert not verify_password(stored, "wrong")
    assert not verify_password(None, "anything") and not verify_password("not-a-hash", "anything")
    assert hash_password("same") != hash_password("same")  # salted


def _analyst(session: Session, **kwargs) -> User:  # type: ignore[no-untyped-def]
    user = create_user(session, "li", Role.ANALYST, password="lantern-ferry-42", display_name="李分析",
                       scope=Scope.of(["350203"], ["police"]), **kwargs)  # fmt: skip
    session.commit()
    return user


def test_the_local_provider_checks_name_password_and_that_the_account_is_active(session: Session) -> None:
    user = _analyst(session)
    provider = LocalPasswordProvider()
    assert provider.authenticate(session, "li", "lantern-ferry-42") == user
    assert provider.authenticate(session, "li", "wrong") is None
    assert provider.authenticate(session, "nobody", "lantern-ferry-42") is None
    user.active = False
    session.commit()
    assert provider.authenticate(session, "li", "lantern-ferry-42") is None
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
    configured = settings.model_copy(update={"admin_password": "Adm1n-pass-harbour"})
    assert ensure_admin(session, configured)
    session.commit()
    assert not ensure_admin(session, configured.model_copy(update={"admin_password": "second-harbour-passphrase"}))
    assert LocalPasswordProvider().authenticate(session, "admin", "Adm1n-pass-harbour") is not None


def test_demo_users_cover_every_person_role_and_one_scoped_user(session: Session, settings: Settings) -> None:
    pack = load_pack(DEFAULT_PACK)
    shown = ensure_demo_users(session, settings, pack)
    session.commit()
    assert {role for _, role, _ in shown} == set(Role) - {Role.WALL}
    assert ensure_demo_users(session, settings, pack) == shown  # idempotent, same passwords after a restart
    siming = session.scalar(select(User).where(User.username == "analyst-siming"))
    assert siming is not None and siming.districts == "350203"
    for username, _, password in shown:
        assert LocalPasswordProvider().authenticate(session, username, password) is not None
    other_secret = settings.model_copy(update={"secret_key": "another-secret"})
    assert demo_password(other_secret, "operator") != demo_password(settings, "operator")
    assert len(pack.users) == len(shown)


def test_the_wall_token_comes_from_configuration_or_the_demo(settings: Settings) -> None:
    assert wall_token(settings) is None  # production without ONESCREEN_WALL_TOKEN: no wall device
    assert wall_token(settings.model_copy(update={"wall_token": "kiosk-1"})) == "kiosk-1"
    demo = wall_token(settings.model_copy(update={"simulate": True}))
    assert demo and demo == wall_token(settings.model_copy(update={"simulate": True}))


@pytest.mark.parametrize(("password", "username", "problem"), [
    ("a", "li", "too short"), ("short-pw", "li", "too short"), ("aaaaaaaaaaaaaaaa", "li", "repeated"),
    ("Password1234", "li", "common"), ("qwertyuiop123", "li", "common"), ("zhang.wei.2026!", "zhang.wei", "user name"),
])  # fmt: skip
def test_the_password_policy_refuses_short_common_and_own_name_passwords(password: str, username: str,
                                                                         problem: str) -> None:  # fmt: skip
    assert problem in (password_problem(password, username) or "")
    with pytest.raises(WeakPassword, match=problem):
        create_user_in_memory(username, password)


def test_the_password_policy_lets_a_long_uncommon_password_through() -> None:
    assert password_problem("lantern-ferry-42", "li") is None


def create_user_in_memory(username: str, password: str) -> None:
    engine = make_engine("sqlite://")
    migrate(engine)
    with make_sessionmaker(engine)() as session:
        create_user(session, username, Role.ANALYST, password=password)


def test_a_weak_admin_password_stops_start_up_with_one_line(tmp_path: Path, redis_url: str) -> None:
    env = {**os.environ, "ONESCREEN_ADMIN_PASSWORD": "a", "ONESCREEN_SIMULATE": "false",
           "ONESCREEN_DATABASE_URL": f"sqlite:///{tmp_path / 'onescreen.db'}", "ONESCREEN_REDIS_URL": redis_url}
    started = subprocess.run([sys.executable, str(ROOT / "app.py")], env=env, cwd=tmp_path, capture_output=True,
                             text=True, timeout=300)  # fmt: skip
    assert started.returncode == 2
    said = [line for line in started.stderr.splitlines() if line.startswith("onescreen:")]  # beside the log lines
    assert len(said) == 1 and "ONESCREEN_ADMIN_PASSWORD: too short" in said[0], started.stderr
    assert "Traceback" not in started.stderr
