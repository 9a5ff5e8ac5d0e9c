"""Bearer tokens for integrators (`ONESCREEN_API_TOKENS`), each with the scopes it may use.

The variable (a DESIGN.md contract) holds comma-separated `name:token` pairs — such a token may use every API
route — or `name:token:scope+scope` triples limiting it, e.g. `meteo:9f2c...:alerts.write` or
`hotline:41be...:events.write+events.read`. A scope is `<resource>.read` (GET) or `<resource>.write` (anything
else); the resource is the first segment after `/api/v1/` (`events:bulk` counts as `events`), Open311's
`/open311/v2/...` is `events`, and Prometheus scraping `/metrics` needs `metrics.read`.

Alerts belong to their sender: `ONESCREEN_API_SENDERS` (services/config.py parse_senders) names the senders a
token may speak for, e.g. `meteo=weather@meteo.example.gov.cn`; the alerts API refuses an alert whose `source` the
token may not send as (403 naming `source`), and the persist worker applies updates and cancels to the same
sender's alerts only.

Tokens are compared in constant time against every configured token, so timing reveals neither a token nor which
integrator it belongs to. The security middleware authenticates every API request with `Integrators.identify`;
the routers' `bearer_auth` dependency checks again, so a router mounted without the middleware is still closed.
"""

import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.errors import ApiError
from services.config import Settings, parse_senders

CHALLENGE = {"WWW-Authenticate": "Bearer"}
ALL_SCOPES = "*"
_SCOPE = re.compile(r"^[a-z0-9_-]+\.(read|write)$")
_SCOPE_LIKE = re.compile(r"^[a-z0-9_-]+\.[a-z]+$")  # a last `:` part shaped so is a scope list, else token text


@dataclass(frozen=True)
class Integrator:
    """An outside system calling the API: its name (for logs and the audit) and what it may do."""

    name: str
    scopes: frozenset[str]
    senders: frozenset[str] | None = None  # None: any sender no other token claims

    def may(self, scope: str) -> bool:
        return ALL_SCOPES in self.scopes or scope in self.scopes


def _parse_scopes(name: str, text: str) -> frozenset[str]:
    scopes = frozenset(part.strip() for part in text.split("+") if part.strip())
    bad = sorted(scope for scope in scopes if not _SCOPE.match(scope))
    if bad or not scopes:
        raise ValueError(
            f"ONESCREEN_API_TOKENS: {name!r} has scope(s) {', '.join(bad) or '(none)'}; write "
            "<resource>.read or <resource>.write joined by '+', e.g. alerts.write+events.read"
        )
    return scopes


def parse_token_specs(spec: str) -> dict[str, tuple[str, Integrator]]:
    """{name: (token, Integrator)} from the variable; a malformed entry is a configuration error, said plainly."""
    found: dict[str, tuple[str, Integrator]] = {}
    for entry in filter(None, (part.strip() for part in spec.split(","))):
        parts = [part.strip() for part in entry.split(":")]
        if len(parts) < 2 or not parts[0] or not parts[1]:
            raise ValueError(f"ONESCREEN_API_TOKENS: {parts[0]!r}... is not a name:token pair")
        name, token, scopes = parts[0], ":".join(parts[1:]), frozenset({ALL_SCOPES})
        if len(parts) > 2 and all(_SCOPE_LIKE.match(part) for part in parts[-1].split("+")):
            token, scopes = ":".join(parts[1:-1]), _parse_scopes(name, parts[-1])
        if name in found:
            raise ValueError(f"ONESCREEN_API_TOKENS: the name {name!r} appears twice")
        found[name] = (token, Integrator(name, scopes))
    return found


def parse_tokens(spec: str) -> dict[str, str]:
    """{name: token}: the contract's view of the variable."""
    return {name: token for name, (token, _) in parse_token_specs(spec).items()}


def required_scope(method: str, path: str) -> str:
    """The scope a request needs: `events.write` for POST /api/v1/events:bulk, `alerts.read` for GET ..."""
    if path.startswith("/open311/"):
        resource = "events"  # Open311 service requests are events
    else:
        resource = re.split(r"[/:.]", path.removeprefix("/api/v1/").lstrip("/"), maxsplit=1)[0] or "api"
    return f"{resource}.{'read' if method in ('GET', 'HEAD', 'OPTIONS') else 'write'}"


class Integrators:
    """The configured tokens, checked in constant time."""

    def __init__(self, spec: str, senders: str = "") -> None:
        specs = parse_token_specs(spec)
        speaks_for = parse_senders(senders)
        unknown = sorted(set(speaks_for) - set(specs))
        if unknown:
            raise ValueError(f"ONESCREEN_API_SENDERS names {', '.join(unknown)}, not in ONESCREEN_API_TOKENS")
        self._tokens = [(token.encode(), Integrator(who.name, who.scopes, speaks_for.get(name)))
                        for name, (token, who) in specs.items()]
        self._claimed = frozenset().union(*speaks_for.values())

    def may_send_as(self, name: str, sender: str) -> bool:
        """Whether the integrator `name` may send alerts as `sender` (an alert's `source`)."""
        who = next(who for _, who in self._tokens if who.name == name)
        return sender in who.senders if who.senders is not None else sender not in self._claimed

    def identify(self, authorization: str | None, method: str, path: str) -> Integrator:
        """The integrator allowed to make this request, or an ApiError: 401 who are you, 403 not allowed."""
        scheme, _, offered = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not offered.strip():
            raise ApiError(401, "unauthorized", "Authorization", "send the header 'Authorization: Bearer <token>'",
                           CHALLENGE)  # fmt: skip
        match = None
        for token, who in self._tokens:
            if hmac.compare_digest(offered.strip().encode(), token):
                match = who
        if match is None:
            reason = "the token is not valid" if self._tokens else "no API tokens are configured (ONESCREEN_API_TOKENS)"
            raise ApiError(401, "unauthorized", "Authorization", reason, CHALLENGE)
        needed = required_scope(method, path)
        if not match.may(needed):
            raise ApiError(403, "forbidden", "Authorization",
                           f"the token of {match.name!r} lacks the scope {needed!r}")  # fmt: skip
        return match


def bearer_auth(settings: Settings) -> Callable[..., str]:
    """A FastAPI dependency admitting a request whose token may make it; returns the integrator's name."""
    integrators = Integrators(settings.api_tokens)
    scheme = HTTPBearer(auto_error=False, description="an integrator token from ONESCREEN_API_TOKENS")

    def authenticate(
        request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(scheme)]
    ) -> str:
        header = f"Bearer {credentials.credentials}" if credentials is not None else None
        return integrators.identify(header, request.method, request.url.path).name

    return authenticate
