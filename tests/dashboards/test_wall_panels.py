"""What the wall's panels say, as a 1920×1080 wall shows them in both languages: counts whole, the change arrows
coloured by what is better with the meaning in words, a map legend, the hourly chart without the still-filling hour
and with its unit, department names and tied places in full, and no label cut with "…"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from components.map_legend import DOT_OUTLINE
from dashboards._present import local_time
from tests.dashboards.test_wall_canvas import _screen, _wall_ready

PANELS_JS = """
const root = document.getElementById('wall-root');
const colour = el => el ? getComputedStyle(el).color : null;
const arrow = tone => colour(document.querySelector(`#kpi-strip .kpi-delta.tone-${tone} .kpi-arrow`));
const slides = [...document.querySelectorAll('#focus-slides .focus-slide')];
const eachTopic = check => slides.flatMap(shown => {  // every topic of the focus panel, not only the one on now
  slides.forEach(slide => { slide.style.display = slide === shown ? 'grid' : 'none'; });
  const found = check();
  slides.forEach(slide => { slide.style.display = ''; });
  return found;
});
const cut = () => [...root.querySelectorAll('*')].filter(el => !el.closest('.alert-ticker, .js-plotly-plot, .visually-hidden')
    && el.textContent.trim() && el.getClientRects().length && el.scrollWidth > el.clientWidth + 1
    && getComputedStyle(el).overflowX !== 'visible').map(el => el.textContent.slice(0, 60));
const clipped = () => [...root.querySelectorAll('.kpi-card')].filter(card => card.getClientRects().length).flatMap(card => {
  const box = card.getBoundingClientRect();
  return [...card.querySelectorAll('.kpi-name, .kpi-reading, .kpi-delta, .kpi-asof')].filter(part => {
    const r = part.getBoundingClientRect();
    return r.bottom > box.bottom + 0.5 || r.right > box.right + 0.5;
  }).map(part => card.id + ': ' + part.textContent);
});
const legend = document.getElementById('event-map-legend');
return {
  police: document.querySelector('#kpi-police_incidents .kpi-value').textContent,
  calls: document.querySelector('#kpi-hotline_calls .kpi-delta').textContent,
  better: arrow('better'), worse: arrow('worse'), normal: getComputedStyle(root).getPropertyValue('--normal'),
  words: [...document.querySelectorAll('#kpi-strip .kpi-delta .visually-hidden')].map(e => e.textContent),
  dotOutline: document.querySelector('#event-map .js-plotly-plot').data.find(t => t.type === 'scattergl').marker.line,
  legend: legend ? legend.textContent : '', legendDots: legend ? legend.querySelectorAll('.map-legend-dot').length : 0,
  yTitle: (document.querySelector('#approvals-throughput .ytitle') || {}).textContent,
  xTitle: (document.querySelector('#approvals-throughput .xtitle') || {}).textContent,
  ranks: [...document.querySelectorAll('#approvals-ranking li.rank-row')].map(
      row => [row.dataset.place, row.querySelector('.rank-name').textContent,
              row.querySelector('.rank-rate').textContent]),
  cut: eachTopic(cut), clipped: eachTopic(clipped),
};
"""
TEXTS = {"zh-CN": {"delta": "较昨日", "words": ("上升，", "下降，", "持平"), "legend": ("在办事件数", "红色", "蓝色"),
                   "unit": "件/小时", "hours": "当前小时未满"},
         "en": {"delta": "vs yesterday", "words": ("up, ", "down, ", "unchanged"),
                "legend": ("open events", "Extreme", "Minor"), "unit": "applications/h", "hours": "current one"}}


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_the_wall_panels_say_what_they_mean_in_full(dash_duo, open_page, wall_runtime, shoot, lang):
    _screen(dash_duo, 1920, 1080)
    open_page(f"/wall?lang={lang}", role="wall")
    _wall_ready(dash_duo)
    dash_duo.wait_for_element("#approvals-throughput .ytitle", timeout=10)
    seen = dash_duo.driver.execute_script(PANELS_JS)
    shoot(f"wall-panels-{lang}.png")
    texts = TEXTS[lang]

    assert seen["police"].replace(",", "").isdigit(), seen["police"]  # a count of incidents is whole
    assert "." not in seen["calls"].removeprefix("▲").removeprefix("▼"), seen["calls"]
    assert seen["worse"] and seen["better"] and seen["worse"] != seen["better"]
    assert all(word.strip().startswith(texts["words"]) for word in seen["words"]) and seen["words"]

    assert all(text in seen["legend"] for text in texts["legend"]) and seen["legendDots"] == 4
    assert seen["dotOutline"]["width"] > 0 and seen["dotOutline"]["color"] == DOT_OUTLINE  # seen on every shade

    assert texts["unit"] in seen["yTitle"] and texts["hours"] in seen["xTitle"]
    zone = wall_runtime.settings.zone
    hours = dash_duo.driver.execute_script("return document.querySelector('#approvals-throughput .js-plotly-plot')"
                                           ".data[0].x;")
    now = datetime.now(UTC)
    assert hours[-1] == local_time(now - timedelta(hours=1), zone, "%H:00") or now.minute == 0, hours  # whole hours

    assert seen["ranks"], "the seeded store completes applications every day"
    for place, name, rate in seen["ranks"]:
        assert name and "…" not in name
        tied = [p for p, _n, r in seen["ranks"] if r == rate]
        assert set(tied) == {place}, seen["ranks"]  # equal rates, equal places

    assert seen["cut"] == [], f"labels cut: {seen['cut']}"
    assert seen["clipped"] == [], f"card lines outside their card: {seen['clipped']}"
