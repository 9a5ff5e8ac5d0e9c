"""Every page, in both languages, as a person meets it: no serious or critical axe-core violation, and every
Chinese character drawn with the shipped font on a Chromium without system CJK fonts (this machine has none)."""

from __future__ import annotations

import pytest

from tests.dashboards.dom import settle
from tests.dashboards.page_checks import axe_violations, undrawn_cjk

# (path, who opens it, an element that is there once the page has drawn its data)
PAGES = [
    ("/wall", "wall", "#kpi-strip .kpi-card"),
    ("/", "leader", "#leader-root .leader-kpi"),
    ("/events", "operator", "#events-table"),
    ("/approvals", "analyst", "#approvals-throughput"),
    ("/indicators", "analyst", "#ind-area"),
    ("/alerts", "operator", "#alert-list"),
    ("/hotline", "analyst", "#hl-tiles [data-tile='orders']"),
    ("/sources", "admin", "#sources-body"),
    ("/admin", "admin", "#admin-pack-section"),
]
LANGS = ["zh-CN", "en"]


def _assert_clean(driver, where: str) -> None:  # type: ignore[no-untyped-def]
    """One failure that lists every violation and every undrawn text, readable in a CI log."""
    problems = [f"axe {v['impact']} {v['id']}: {v['help']} at {v['nodes']}" for v in axe_violations(driver)]
    problems += [f"not in Noto Sans SC: <{u['tag']}#{u['id']}> {u['text']!r} ({u['family']})" for u in undrawn_cjk(driver)]
    assert not problems, f"{where}:\n" + "\n".join(problems)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("path", "role", "ready"), PAGES, ids=[p for p, _, _ in PAGES])
def test_every_page_passes_axe_and_draws_its_chinese_with_the_shipped_font(
    dash_duo, open_page, shoot, path: str, role: str, ready: str, lang: str  # type: ignore[no-untyped-def]
) -> None:
    open_page(path, role=role)
    separator = "&" if "?" in path else "?"
    dash_duo.driver.get(f"{dash_duo.server_url}{path}{separator}lang={lang}" if role != "wall"
                        else f"{dash_duo.server_url}{path}?lang={lang}")
    dash_duo.wait_for_element(ready, timeout=20)
    settle(dash_duo.driver)
    shoot(f"page{path.replace('/', '-') or '-leader'}-{lang}.png")

    _assert_clean(dash_duo.driver, path)


@pytest.mark.parametrize("lang", LANGS)
def test_the_login_and_refusal_pages_pass_axe_and_draw_their_chinese(
    dash_duo, open_page, lang: str  # type: ignore[no-untyped-def]
) -> None:
    open_page("/wall", role="leader")
    driver = dash_duo.driver
    for url in (f"/alerts?lang={lang}", f"/wall?token=wrong&lang={lang}"):  # forbidden to a leader; a bad token
        driver.get(f"{dash_duo.server_url}{url}")
        dash_duo.wait_for_element("#auth-message")
        _assert_clean(driver, url)
    driver.delete_all_cookies()
    driver.get(f"{dash_duo.server_url}/login?lang={lang}")
    dash_duo.wait_for_element("#login-form")
    _assert_clean(driver, "/login")
