"""Signing in and out, and recognising a caller from their cookies: the part of security that holds state.

Built once by `create_app` (it hangs on `server.state.gate`); the security middleware asks it who a request is, the
login routes ask it to sign people in and out. Sessions live in the SQL store (services/auth/sessions.py), so a
restart signs nobody out; a validated session is remembered in-process for `CACHE_SECONDS`, so busy callbacks do
not query the store each time (a sign-out on another worker therefore takes effect within that time).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from cachetools import TTLCache
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from api.ratelimit import LOGIN_FAILURES_PER_USER, LOGIN_PER_ADDRESS, Limiter
from services import audit
from services.access import Principal, Role, home_page
from services.auth import (
    SESSION_MAX_AGE,
    IdentityProvider,
    close_session,
    open_session,
    principal_of,
    session_principal,
)

SESSION_COOKIE = "onescreen_session"
WALL_COOKIE = "onescreen_wall"
CSRF_COOKIE = "onescreen_csrf"
WALL_COOKIE_SECONDS = 400 * 24 * 3600  # the longest a browser keeps a cookie; every `?token=` visit renews it
CACHE_SECONDS = 30
SESSION_COOKIE_SECONDS = int(SESSION_MAX_AGE.total_seconds())
WALL_PRINCIPAL = Principal(username="wall", role=Role.WALL, display_name="大屏")


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in: a session token, or why not (`refused` or `throttled`)."""

    token: str | None = None
    principal: Principal | None = None
    problem: str | None = None


def cookie_header(name: str, value: str, *, max_age: int, secure: bool) -> tuple[bytes, bytes]:
    """HttpOnly, SameSite=Lax, whole-site; Secure when the request came over HTTPS."""
    flags = f"{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax" + ("; Secure" if secure else "")
    return b"set-cookie", flags.encode("latin-1")


def wall_cookie_header(value: str, *, secure: bool) -> tuple[bytes, bytes]:
    return cookie_header(WALL_COOKIE, value, max_age=WALL_COOKIE_SECONDS, secure=secure)


class Gate:
    def __init__(
        self, *, secret_key: str, wall_token: str | None, sessions: sessionmaker[Session], provider: IdentityProvider,
        limiter: Limiter,
    ) -> None:  # fmt: skip
        self._secret = secret_key.encode()
        self._wall_token = wall_token
        self.sessions, self.provider, self.limiter = sessions, provider, limiter
        self._cache: TTLCache[str, Principal] = TTLCache(maxsize=10_000, ttl=CACHE_SECONDS)

    # --- who is asking -------------------------------------------------------------------------------------------
    async def principal(self, cookies: dict[str, str]) -> Principal | None:
        """The caller a request's cookies prove: a signed-in user, else the wall device, else None."""
        token = cookies.get(SESSION_COOKIE)
        if token:
            found = self._cache.get(token) or await run_in_threadpool(self._lookup, token)
            if found is not None:
                self._cache[token] = found
                return found
        wall = cookies.get(WALL_COOKIE)
        expected = self.wall_cookie_value()
        if wall and expected and hmac.compare_digest(wall.encode(), expected.encode()):
            return WALL_PRINCIPAL
        return None

    def _lookup(self, token: str) -> Principal | None:
        with self.sessions() as session:
            return session_principal(session, token)

    def wall_device(self, offered: str) -> Principal | None:
        """The wall's principal when `offered` is the configured device token."""
        if not self._wall_token or not hmac.compare_digest(offered.encode(), self._wall_token.encode()):
            return None
        return WALL_PRINCIPAL

    def wall_cookie_value(self) -> str:
        """A MAC of the device token: survives restarts, and stops working when the token or secret changes."""
        if not self._wall_token:
            return ""
        return hmac.new(self._secret, f"wall-device:{self._wall_token}".encode(), hashlib.sha256).hexdigest()

    @staticmethod
    def home(principal: Principal) -> str:
        return home_page(principal.role)

    # --- signing in and out --------------------------------------------------------------------------------------
    async def sign_in(self, username: str, password: str, ip: str) -> SignIn:
        """Check the credentials and open a session; audited. Rate-limited per address, and wrong passwords per
        user name *and* address: an outsider's guesses lock out only the outsider, never the operator on duty."""
        if not await self.limiter.hit(LOGIN_PER_ADDRESS, "login-ip", ip) or not await self.limiter.within(
            LOGIN_FAILURES_PER_USER, "login-user", username, ip
        ):
            await run_in_threadpool(self._audit, username, audit.LOGIN_FAILED, "throttled", ip)
            return SignIn(problem="throttled")
        outcome = await run_in_threadpool(self._sign_in, username, password, ip)
        if outcome.token is None:
            await self.limiter.hit(LOGIN_FAILURES_PER_USER, "login-user", username, ip)
        else:
            await self.limiter.reset(LOGIN_FAILURES_PER_USER, "login-user", username, ip)
        return outcome

    def _sign_in(self, username: str, password: str, ip: str) -> SignIn:
        with self.sessions() as session:
            user = self.provider.authenticate(session, username, password)
            if user is None:
                audit.record(session, actor=username, action=audit.LOGIN_FAILED, outcome="refused", ip=ip,
                             detail=f"provider={self.provider.name}")  # fmt: skip
                session.commit()
                return SignIn(problem="refused")
            principal = principal_of(user)
            token = open_session(session, user)
            audit.record(session, actor=principal, action=audit.LOGIN, ip=ip, detail=f"provider={self.provider.name}")
            session.commit()
        return SignIn(token=token, principal=principal)

    async def sign_out(self, token: str, principal: Principal | None, ip: str) -> None:
        self._cache.pop(token, None)
        await run_in_threadpool(self._sign_out, token, principal, ip)

    def _sign_out(self, token: str, principal: Principal | None, ip: str) -> None:
        with self.sessions() as session:
            close_session(session, token)
            if principal is not None:
                audit.record(session, actor=principal, action=audit.LOGOUT, ip=ip)
            session.commit()

    def _audit(self, actor: str, action: str, outcome: str, ip: str) -> None:
        with self.sessions() as session:
            audit.record(session, actor=actor, action=action, outcome=outcome, ip=ip)
            session.commit()

