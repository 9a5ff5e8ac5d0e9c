"""The caller of a page or callback, as the authentication middleware recorded it on the request.

Every layout and callback asks `current_principal()` and passes `principal.scope` to services. Until the login
and session middleware (issue 8) stores a principal on the request, the embedded demo runs as one city-wide
operator: that fallback is the seam the middleware replaces, and nothing else in the pages changes.
"""

from __future__ import annotations

from services.access import CITY_WIDE, Principal, Role

DEMO_PRINCIPAL = Principal(username="demo", role=Role.OPERATOR, scope=CITY_WIDE, display_name="演示值班员")


def current_principal() -> Principal:
    return DEMO_PRINCIPAL
