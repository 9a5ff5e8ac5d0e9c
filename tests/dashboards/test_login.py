"""Signing in with a real browser: a stranger gets the Chinese sign-in form, a wrong password is told so, the right
one lands on the page asked for; a role is shown no page outside its table; the wall device never sees /login."""

from __future__ import annotations

from selenium.webdriver.common.by import By

from services.auth import demo_password
from tests.dashboards.page_checks import undrawn_cjk


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


_PAGE_FACTS = """return {lang: document.documentElement.lang, title: document.title,
  sheets: Array.from(document.querySelectorAll('link[rel=stylesheet]'), l => new URL(l.href).pathname),
  links: Array.from(document.querySelectorAll('.auth-links a'), a => [a.id, new URL(a.href).pathname + new URL(a.href).search])};"""


def test_the_refusal_pages_say_what_they_are_in_the_asked_language_with_the_shipped_font_and_a_way_on(
    dash_duo, open_page, shoot  # type: ignore[no-untyped-def]
) -> None:
    open_page("/wall", role="leader")
    driver = dash_duo.driver
    driver.get(f"{dash_duo.server_url}/alerts")  # closed to a leader
    dash_duo.wait_for_element("#auth-message")
    facts = driver.execute_script(_PAGE_FACTS)
    assert (facts["lang"], facts["title"]) == ("zh-CN", "无权访问 · 一屏统览 OneScreen")
    assert {"/assets/fonts/noto-sans-sc.css", "/assets/vendor/bootstrap.min.css"} <= set(facts["sheets"])
    assert facts["links"] == [["auth-home", "/"], ["auth-sign-in", "/login?lang=zh-CN&next=%2Falerts"]]
    assert undrawn_cjk(driver) == []  # drawn with the shipped font, not boxes, on a machine with no CJK font
    shoot("refusal-forbidden-zh-CN.png")

    driver.get(f"{dash_duo.server_url}/alerts?lang=en")
    dash_duo.wait_for_text_to_equal("#auth-message", "You may not open this page")
    facts = driver.execute_script(_PAGE_FACTS)
    assert (facts["lang"], facts["title"]) == ("en", "Not allowed · 一屏统览 OneScreen")
    assert undrawn_cjk(driver) == []
    shoot("refusal-forbidden-en.png")

    for lang, title in (("zh-CN", "大屏令牌无效"), ("en", "Wall token not valid")):
        driver.get(f"{dash_duo.server_url}/wall?token=wrong&lang={lang}")
        dash_duo.wait_for_element("#auth-message")
        facts = driver.execute_script(_PAGE_FACTS)
        assert (facts["lang"], facts["title"]) == (lang, f"{title} · 一屏统览 OneScreen")
        assert facts["links"] == [["auth-sign-in", f"/login?lang={lang}&next=%2Fwall"]]
        assert undrawn_cjk(driver) == []
        shoot(f"refusal-wall-token-{lang}.png")


def test_the_login_page_draws_its_chinese_with_the_shipped_font(dash_duo, open_page, shoot) -> None:  # type: ignore[no-untyped-def]
    open_page("/wall", role="operator")
    dash_duo.driver.delete_all_cookies()
    for lang in ("zh-CN", "en"):
        dash_duo.driver.get(f"{dash_duo.server_url}/login?lang={lang}")
        dash_duo.wait_for_element("#login-form")
        assert dash_duo.driver.execute_script("return document.documentElement.lang;") == lang
        assert undrawn_cjk(dash_duo.driver) == []
        shoot(f"login-{lang}.png")


def test_every_dash_page_names_its_language_on_html(dash_duo, open_page) -> None:  # type: ignore[no-untyped-def]
    """Dash serves one index page for every page and language: assets/page_lang.js sets <html lang> from ?lang=."""
    open_page("/admin", role="admin")
    lang_of = "return document.documentElement.lang;"
    for path, lang in (("/admin", "zh-CN"), ("/admin?lang=en", "en"), ("/sources?lang=en", "en"),
                       ("/sources?lang=zh-CN", "zh-CN")):
        dash_duo.driver.get(f"{dash_duo.server_url}{path}")
        dash_duo.wait_for_element("#lang-switch")
        assert dash_duo.driver.execute_script(lang_of) == lang, path
