"""Bearer-token authentication for integrators (`ONESCREEN_API_TOKENS` = "name:token,name2:token2").

Tokens are compared in constant time against every configured token, so timing reveals neither a token nor
which integrator it belongs to. The dependency returns the integrator's name for logging.
"""

import hmac
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.errors import ApiError
from services.config import Settings

_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def parse_tokens(spec: str) -> dict[str, str]:
    """{name: token} from "name:token,name2:token2"; a malformed pair is a configuration error, said plainly."""
    tokens: dict[str, str] = {}
    for pair in filter(None, (part.strip() for part in spec.split(","))):
        name, sep, token = pair.partition(":")
        if not sep or not name.strip() or not token.strip():
            raise ValueError(f"ONESCREEN_API_TOKENS: {pair.split(':')[0]!r}... is not a name:token pair")
        if name.strip() in tokens:
            raise ValueError(f"ONESCREEN_API_TOKENS: the name {name.strip()!r} appears twice")
        tokens[name.strip()] = token.strip()
    return tokens


def bearer_auth(settings: Settings) -> Callable[..., str]:
    """A FastAPI dependency that admits a request carrying one of the configured tokens."""
    tokens = {name: token.encode() for name, token in parse_tokens(settings.api_tokens).items()}
    scheme = HTTPBearer(auto_error=False, description="an integrator token from ONESCREEN_API_TOKENS")

    def authenticate(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(scheme)]) -> str:
        if credentials is None:
            raise ApiError(
                401,
                "unauthorized",
                "Authorization",
                "send the header 'Authorization: Bearer <token>'",
                _CHALLENGE,
            )
        offered = credentials.credentials.encode()
        match = None
        for name, token in tokens.items():
            if hmac.compare_digest(offered, token):
                match = name
        if match is None:
            reason = (
                "the token is not valid" if tokens else "no API tokens are configured (ONESCREEN_API_TOKENS)"
            )
            raise ApiError(401, "unauthorized", "Authorization", reason, _CHALLENGE)
        return match

    return authenticate
