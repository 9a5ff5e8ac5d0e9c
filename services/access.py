"""Who is asking, and what they may see: roles, data scopes and personal-data masking.

Every service query that returns rows a scope may restrict takes `scope=` and applies it in SQL; caches put
`scope.key` in their key, so two users with different scopes never share an entry. Pages get the caller's
`Principal` from `dashboards/_auth.py` and pass `principal.scope` on; exports and tables pass their personal
fields through `mask_name` / `mask_phone` unless `principal.may_see_pii`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
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


# Roles that work cases and need to call reporters and applicants back.
PII_ROLES = frozenset({Role.OPERATOR, Role.ADMIN})


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

    def district_filter(self, column: InstrumentedAttribute | ColumnElement) -> ColumnElement[bool]:
        """A WHERE clause limiting `column` (an adcode column) to the scope's districts."""
        return column.in_(sorted(self.districts)) if self.districts else true()

    def department_filter(self, column: InstrumentedAttribute | ColumnElement) -> ColumnElement[bool]:
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
    if len(digits) < 8:
        return "*" * len(digits)
    return "".join(digits[:3]) + "*" * (len(digits) - 7) + "".join(digits[-4:])

