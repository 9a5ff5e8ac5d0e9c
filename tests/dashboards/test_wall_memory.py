"""/wall in a real headless Chromium: what a pushed page keeps does not grow with time (issue 17's slow JS heap)."""

from __future__ import annotations

import time

PAST_JS = "return (window.dash_stores || []).map(function (s) { return s.getState().history.past.length; });"


def test_the_renderer_undo_history_stays_short(dash_duo, open_page):
    """Dash's renderer recorded every heartbeat and watchdog tick for an undo nobody makes: ~1 entry a second."""
    open_page("/wall", role="wall")
    dash_duo.wait_for_element('#connection-state[data-state="live"]', timeout=15)
    time.sleep(25)  # before: ~35 entries by now
    lengths = dash_duo.driver.execute_script(PAST_JS)
    assert lengths and max(lengths) <= 16, lengths  # ten kept, trimmed every 2 s
