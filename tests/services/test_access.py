"""The role x action table, page routing of roles, data scopes as SQL filters and cache keys, and PII masking."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from services.access import (
    CITY_WIDE,
    PAGES,
    PERMISSIONS,
    PII_ROLES,
    Action,
    Principal,
    Role,
    Scope,
    bind_caller,
    current_caller,
    home_page,
    mask_name,
    mask_phone,
    page_action,
    unbind_caller,
)
from services.store import District

A = Action
# The table, written out by hand: a change to PERMISSIONS must change this too (and the report's table).
EXPECTED: dict[Role, set[Action]] = {
    Role.WALL: {A.VIEW_WALL},
    Role.LEADER: {A.VIEW_OVERVIEW, A.VIEW_WALL, A.VIEW_INDICATORS, A.VIEW_EVENTS, A.VIEW_APPROVALS, A.VIEW_SOURCES,
                  A.VIEW_HOTLINE, A.EXPORT, A.SUPERVISE},
    Role.ANALYST: {A.VIEW_INDICATORS, A.VIEW_EVENTS, A.VIEW_APPROVALS, A.VIEW_HOTLINE, A.EXPORT},
    Role.OPERATOR: {A.VIEW_WALL, A.VIEW_ALERTS, A.VIEW_EVENTS, A.VIEW_HOTLINE, A.EVENT_ACT, A.SEE_PII, A.SUPERVISE,
                    A.ALERT_ACKNOWLEDGE,
                    A.ALERT_ESCALATE, A.ALERT_RESOLVE, A.ALERT_SILENCE, A.ALERT_LINK},
    Role.ADMIN: set(Action),
}  # fmt: skip


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(Action))
def test_each_role_may_do_exactly_what_the_table_says(role: Role, action: Action) -> None:
    principal = Principal(username="u", role=role)
    assert principal.may(action) is (action in EXPECTED[role])
    assert (action in PERMISSIONS[role]) is (action in EXPECTED[role])


def test_pii_is_seen_only_by_the_roles_that_call_people_back() -> None:
    assert PII_ROLES == {Role.OPERATOR, Role.ADMIN}
    assert [role for role in Role if Principal("u", role).may_see_pii] == [Role.OPERATOR, Role.ADMIN]


@pytest.mark.parametrize(
    ("path", "action"),
    [("/", A.VIEW_OVERVIEW), ("/wall", A.VIEW_WALL), ("/events", A.VIEW_EVENTS), ("/events/42", A.VIEW_EVENTS),
     ("/indicators/", A.VIEW_INDICATORS), ("/approvals", A.VIEW_APPROVALS), ("/alerts", A.VIEW_ALERTS),
     ("/sources", A.VIEW_SOURCES), ("/hotline", A.VIEW_HOTLINE), ("/secret-admin-page", None)],
)  # fmt: skip
def test_a_page_path_maps_to_the_action_that_opens_it(path: str, action: Action | None) -> None:
    assert page_action(path) == action


@pytest.mark.parametrize("role", list(Role))
def test_pages_open_per_role_and_an_unlisted_page_is_for_admins_only(role: Role) -> None:
    principal = Principal(username="u", role=role)
    assert {path for path in PAGES if principal.may_open(path)} == {
        path for path, action in PAGES.items() if action in EXPECTED[role]
    }
    assert principal.may_open("/not-in-the-table") is (role is Role.ADMIN)


def test_every_role_lands_on_a_page_it_may_open() -> None:
    assert {role: home_page(role) for role in Role} == {
        Role.OPERATOR: "/wall", Role.LEADER: "/", Role.ANALYST: "/indicators", Role.ADMIN: "/", Role.WALL: "/wall",
    }  # fmt: skip
    assert all(Principal("u", role).may_open(home_page(role)) for role in Role)


def test_the_caller_is_bound_per_context() -> None:
    assert current_caller() is None
    token = bind_caller(Principal("a", Role.ANALYST))
    try:
        assert current_caller() == Principal("a", Role.ANALYST)
    finally:
        unbind_caller(token)
    assert current_caller() is None


def test_scope_key_is_order_free_and_tells_scopes_apart() -> None:
    assert Scope.of(["350203", "350206"]).key == Scope.of(["350206", "350203"]).key
    keys = {CITY_WIDE.key, Scope.of(["350203"]).key, Scope.of(["350206"]).key, Scope.of([], ["police"]).key}
    assert len(keys) == 4
    assert CITY_WIDE.unrestricted and not Scope.of(["350203"]).unrestricted


def test_scope_filters_rows_in_sql(session) -> None:  # type: ignore[no-untyped-def]
    session.add_all([District(adcode=code, name_zh=code, name_en=code, geometry="{}")
                     for code in ("350203", "350205", "350206")])  # fmt: skip
    session.commit()
    siming = Scope.of(["350203"])
    assert session.scalars(select(District.adcode).where(siming.district_filter(District.adcode))).all() == [
        "350203"
    ]
    assert len(session.scalars(select(District.adcode).where(CITY_WIDE.district_filter(District.adcode))).all()) == 3
    assert siming.allows_district("350203") and not siming.allows_district("350206")
    assert not siming.allows_district(None) and CITY_WIDE.allows_district(None)


@pytest.mark.parametrize(
    ("name", "masked"), [("张三", "张*"), ("欧阳娜娜", "欧***"), ("Li Wei", "L*****"), ("张", "*"), ("", ""), (None, None)]
)
def test_names_are_masked_to_their_first_character(name: str | None, masked: str | None) -> None:
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [("13812341234", "138****1234"), ("+86 138-1234-1234", "138****1234"), ("0592-5551234", "059****1234"),
     ("12345", "*****"), (None, None)],
)  # fmt: skip
def test_phones_keep_only_their_first_three_and_last_four_digits(phone: str | None, masked: str | None) -> None:
    assert mask_phone(phone) == masked
