"""The wall's push is lost (its Redis stops): within 10 s the whole wall says so, a banner and every panel marked
stale, not only the small connection badge; when the push is back and the data fresh, every mark goes.

The same private Redis as tests/dashboards/test_redis_restart.py, never the shared server.
"""

from __future__ import annotations

from tests.dashboards.test_redis_restart import private_redis, wall_runtime  # noqa: F401 (fixtures)
from tests.dashboards.test_wall_canvas import _screen

PANELS_MARKED = """
const root = document.getElementById('wall-root');
const panels = [...root.querySelectorAll('.panel')];
return {panels: panels.length, stale: panels.filter(p => p.classList.contains('is-stale')).map(p => p.id),
        banner: getComputedStyle(document.getElementById('wall-offline-banner')).display !== 'none'};
"""


def test_the_whole_wall_is_marked_stale_while_the_push_is_lost(dash_duo, open_page, private_redis, shoot):  # noqa: F811
    _screen(dash_duo, 1920, 1080)
    for lang, banner in (("zh-CN", "实时连接中断"), ("en", "Live feed lost")):
        open_page(f"/wall?lang={lang}", role="wall")
        dash_duo.wait_for_element('#connection-state[data-state="live"]', timeout=20)
        dash_duo.wait_for_element("#wall-root:not(.is-offline)", timeout=5)
        fresh = dash_duo.driver.execute_script(PANELS_MARKED)
        assert fresh["panels"] >= 5 and fresh["stale"] == [] and not fresh["banner"]

        private_redis.stop()
        dash_duo.wait_for_element("#wall-root.is-offline", timeout=10)
        lost = dash_duo.driver.execute_script(PANELS_MARKED)
        assert lost["banner"] and len(lost["stale"]) == lost["panels"], lost
        assert banner in dash_duo.find_element("#wall-offline-banner").text
        shoot(f"wall-offline-{lang}.png")

        private_redis.start()
        dash_duo.wait_for_element('#connection-state[data-state="live"]', timeout=30)
        dash_duo.wait_for_element("#wall-root:not(.is-offline)", timeout=5)
        back = dash_duo.driver.execute_script(PANELS_MARKED)
        assert back["stale"] == [] and not back["banner"], back
