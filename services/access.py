"""Who is asking, and what they may see: roles, data scopes and personal-data masking.

Every service query that returns rows a scope may restrict takes `scope=` and applies it in SQL; caches put
`scope.key` in their key, so two users with different scopes never share an entry. Pages get the caller's
`Principal` from `dashboards/_auth.py` and pass `principal.scope` on; exports and tables pass their personal
fields through `mask_name` / `mask_phone` unless `principal.may_see_pii`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from contextvars import ContextVar, Token
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import ColumnElement, true
from sqlalchemy.orm import InstrumentedAttribute


class Role(StrEnum):
    OPERATOR = "operator"
    LEADER = "leader"
    ANALYST = "analyst"
    ADMIN = "admin"
    WALL = "wall"  # a kiosk device token: the wall, read-only, never a login page


class Action(StrEnum):
    """What a caller may do. `view:*` opens a page (and runs its callbacks); the rest change or reveal things."""

    VIEW_WALL = "view:wall"
    VIEW_OVERVIEW = "view:overview"
    VIEW_INDICATORS = "view:indicators"
    VIEW_EVENTS = "view:events"
    VIEW_APPROVALS = "view:approvals"
    VIEW_ALERTS = "view:alerts"
    VIEW_SOURCES = "view:sources"  # the data-source registry and exchange monitor
    VIEW_HOTLINE = "view:hotline"  # the 12345 hotline's work orders and figures
    ALERT_ACKNOWLEDGE = "alert:acknowledge"
    ALERT_ESCALATE = "alert:escalate"
    ALERT_RESOLVE = "alert:resolve"
    ALERT_SILENCE = "alert:silence"
    ALERT_LINK = "alert:link"
    EVENT_ACT = "event:act"  # dispatch, feedback, check, close: the linkage workflow
    SUPERVISE = "supervise"  # 督办: instruct a department on a case with a deadline, clear it
    EXPORT = "export"
    SEE_PII = "pii"  # reporters' and applicants' names and phone numbers unmasked
    ADMIN = "admin"  # users, audit log


_ALERT_ACTIONS = frozenset({Action.ALERT_ACKNOWLEDGE, Action.ALERT_ESCALATE, Action.ALERT_RESOLVE,
                            Action.ALERT_SILENCE, Action.ALERT_LINK})  # fmt: skip

# THE role x action table: the middleware, `require()`, the page guard and the tests all read this one mapping.
PERMISSIONS: Mapping[Role, frozenset[Action]] = {
    Role.WALL: frozenset({Action.VIEW_WALL}),
    Role.LEADER: frozenset({Action.VIEW_OVERVIEW, Action.VIEW_WALL, Action.VIEW_INDICATORS, Action.VIEW_EVENTS,
                            Action.VIEW_APPROVALS, Action.VIEW_SOURCES, Action.VIEW_HOTLINE, Action.EXPORT,
                            Action.SUPERVISE}),
    Role.ANALYST: frozenset({Action.VIEW_INDICATORS, Action.VIEW_EVENTS, Action.VIEW_APPROVALS, Action.VIEW_HOTLINE,
                             Action.EXPORT}),
    Role.OPERATOR: frozenset({Action.VIEW_WALL, Action.VIEW_ALERTS, Action.VIEW_EVENTS, Action.VIEW_HOTLINE,
                              Action.EVENT_ACT, Action.SEE_PII, Action.SUPERVISE, *_ALERT_ACTIONS}),
    Role.ADMIN: frozenset(Action),
}  # fmt: skip

# Page paths (their first segment) -> the action that opens them. A path not listed here is admin-only.
PAGES: Mapping[str, Action] = {
    "/": Action.VIEW_OVERVIEW,
    "/wall": Action.VIEW_WALL,
    "/indicators": Action.VIEW_INDICATORS,
    "/events": Action.VIEW_EVENTS,
    "/approvals": Action.VIEW_APPROVALS,
    "/alerts": Action.VIEW_ALERTS,
    "/sources": Action.VIEW_SOURCES,
    "/hotline": Action.VIEW_HOTLINE,
}

# Roles that work cases and need to call reporters and applicants back.
PII_ROLES = frozenset(role for role, actions in PERMISSIONS.items() if Action.SEE_PII in actions)



def page_action(path: str) -> Action | None:
    """The action that opens `path` (`/events/123` is the events page); None for a path no table row names."""
    first = "/" + path.strip("/").split("/")[0]
    return PAGES.get(first)


def home_page(role: Role) -> str:
    """Where a role lands after signing in: its first page in the table's order."""
    return next((path for path, action in PAGES.items() if action in PERMISSIONS[role]), "/wall")


@dataclass(frozen=True)
class Scope:
    """The districts (adcodes) and departments (codes) a user is bound to; an empty set means no restriction."""

    districts: frozenset[str] = field(default_factory=frozenset)
    departments: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(cls, districts: Iterable[str] = (), departments: Iterable[str] = ()) -> Scope:
        return cls(frozenset(districts), frozenset(departments))

    @property
    def unrestricted(self) -> bool:
        return not self.districts and not self.departments

    @property
    def key(self) -> str:
        """A stable, hashable cache-key part: equal scopes give equal keys, whatever the order of their members."""
        return f"d={','.join(sorted(self.districts))};g={','.join(sorted(self.departments))}"

    def allows_district(self, adcode: str | None) -> bool:
        """City-wide rows (adcode None) are visible only to a scope with no district binding."""
        return not self.districts or adcode in self.districts

    def allows_department(self, code: str | None) -> bool:
        return not self.departments or code in self.departments

    def district_filter(self, column: InstrumentedAttribute[str | None] | ColumnElement[str | None]) -> ColumnElement[bool]:
        """A WHERE clause limiting `column` (an adcode column) to the scope's districts."""
        return column.in_(sorted(self.districts)) if self.districts else true()

    def department_filter(self, column: InstrumentedAttribute[str | None] | ColumnElement[str | None]) -> ColumnElement[bool]:
        """A WHERE clause limiting `column` (a department code column) to the scope's departments."""
        return column.in_(sorted(self.departments)) if self.departments else true()


CITY_WIDE = Scope()


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: a user, the wall's device token, or an integrator's API token."""

    username: str
    role: Role
    scope: Scope = CITY_WIDE
    display_name: str = ""

    @property
    def may_see_pii(self) -> bool:
        return self.role in PII_ROLES

    def may(self, action: Action | str) -> bool:
        return action in PERMISSIONS[self.role]

    def may_open(self, path: str) -> bool:
        """Pages the table does not name are for admins only, so a new page is closed until it is listed."""
        action = page_action(path)
        return self.role is Role.ADMIN if action is None else self.may(action)


# The caller of the request being served: the authentication middleware binds it for HTTP requests and for the
# life of a websocket, so Dash callbacks (threads and tasks copy the context) read it with `current_caller()`.
_CALLER: ContextVar[Principal | None] = ContextVar("onescreen_caller", default=None)


def bind_caller(principal: Principal | None) -> Token[Principal | None]:
    """Bind the current caller; returns a token for `unbind_caller`."""
    return _CALLER.set(principal)


def unbind_caller(token: Token[Principal | None]) -> None:
    _CALLER.reset(token)


def current_caller() -> Principal | None:
    return _CALLER.get()


_PHONE_DIGITS = re.compile(r"\d")


def mask_name(name: str | None) -> str | None:
    """张三 -> 张*, 欧阳娜娜 -> 欧***; a Latin name keeps its first letter (Li Wei -> L*****)."""
    if not name:
        return name
    return name[0] + "*" * (len(name) - 1) if len(name) > 1 else "*"


def mask_phone(phone: str | None) -> str | None:
    """13812341234 -> 138****1234; other lengths keep the first three and last four digits where they can."""
    if not phone:
        return phone
    digits = _PHONE_DIGITS.findall(phone)
    if len(digits) == 13 and digits[:2] == ["8", "6"]:  # +86 138 1234 1234: the mobile number after the country code
        digits = digits[2:]
    if len(digits) < 8:
        return "*" * len(digits)
    return "".join(digits[:3]) + "*" * (len(digits) - 7) + "".join(digits[-4:])

