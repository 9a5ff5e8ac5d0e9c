"""Signing in with a real browser: a stranger gets the Chinese sign-in form, a wrong password is told so, the right
one lands on the page asked for; a role is shown no page outside its table; the wall device never sees /login."""

from __future__ import annotations

from selenium.webdriver.common.by import By

from services.auth import demo_password


def _fill(dash_duo, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    dash_duo.wait_for_element("#login-username").send_keys(username)
    dash_duo.find_element("#login-password").send_keys(password)
    dash_duo.find_element("#login-submit").click()


def test_a_stranger_signs_in_through_the_form_and_lands_on_the_page_asked_for(
    dash_duo, open_page, wall_runtime  # type: ignore[no-untyped-def]
) -> None:
    open_page("/wall", role="operator")  # serves the app and creates the demo users
    dash_duo.driver.delete_all_cookies()
    dash_duo.driver.get(f"{dash_duo.server_url}/wall")
    dash_duo.wait_for_element("#login-form")
    assert "/login?next=%2Fwall" in dash_duo.driver.current_url
    assert dash_duo.find_element("h1").text == "一屏统览 · 登录"
    assert dash_duo.find_element("label[for=login-username]").text == "用户名"

    _fill(dash_duo, "operator", "not-the-password")
    assert dash_duo.wait_for_element("#login-error").text == "用户名或密码错误"

    dash_duo.find_element("#login-username").clear()
    _fill(dash_duo, "operator", demo_password(wall_runtime.settings, "operator"))
    dash_duo.wait_for_element('#connection-state[data-state="live"]', timeout=15)
    assert dash_duo.driver.current_url == f"{dash_duo.server_url}/wall"


def test_a_page_outside_the_role_is_refused_and_the_router_shows_no_closed_page(
    dash_duo, open_page  # type: ignore[no-untyped-def]
) -> None:
    open_page("/wall", role="leader")
    dash_duo.wait_for_element("#kpi-strip .kpi-card", timeout=15)
    dash_duo.driver.get(f"{dash_duo.server_url}/alerts")  # the operators' console
    assert dash_duo.driver.find_element(By.ID, "auth-message").text == "无权访问此页面"


def test_the_wall_device_opens_the_wall_by_token_and_keeps_it_without_a_login(
    dash_duo, open_page  # type: ignore[no-untyped-def]
) -> None:
    open_page("/wall", role="wall")
    dash_duo.wait_for_element('#connection-state[data-state="live"]', timeout=15)
    dash_duo.driver.get(f"{dash_duo.server_url}/wall")  # a reload at night, without the token in the URL
    dash_duo.wait_for_element('#connection-state[data-state="live"]', timeout=15)
    assert "/login" not in dash_duo.driver.current_url
    dash_duo.driver.get(f"{dash_duo.server_url}/wall?token=wrong")
    assert "令牌无效" in dash_duo.driver.find_element(By.ID, "auth-message").text
    assert "/login" not in dash_duo.driver.current_url
