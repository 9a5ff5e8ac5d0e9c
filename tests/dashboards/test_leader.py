"""/ — the leader's overview in a real headless Chromium: the wall's picture on a 1366×768 laptop and a
390×844 phone with every panel inside the screen's width and no sideways scroll, Chinese drawn with the
shipped Noto Sans SC (a loaded face, not only the CSS name), the panels refreshing in place, the briefing
downloads (PNG and PDF, audited) with last week's movements worded as the weekly briefing words them, and only
leaders (and admins) let in."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

import pytest
from PIL import Image
from pypdf import PdfReader

from services import audit, briefing
from services.indicators import RULES_SOURCE
from services.store import Alert
from tests.dashboards.dom import text_of, texts_of
from tests.dashboards.downloads import downloaded

PANELS = ("leader-kpis", "leader-events", "leader-approvals", "leader-supervision", "leader-alerts", "leader-rankings",
          "leader-response", "leader-divide-card", "leader-briefing")

GEOMETRY_JS = """
const box = el => {
  const r = el.getBoundingClientRect(); return {left: r.left, right: r.right, width: r.width};
};
const panels = {};
for (const el of document.querySelectorAll('#leader-root .panel')) {
  panels[el.id] = {...box(el), scroll: el.scrollWidth, client: el.clientWidth};
}
const root = document.getElementById('leader-root');
const wide = [...document.querySelectorAll('#leader-root *')].filter(el => {
  const r = el.getBoundingClientRect(); return r.width > 0 && (r.right > innerWidth + 0.5 || r.left < -0.5);
}).map(el => el.id || el.className.toString());
return {inner: innerWidth, scroll: document.documentElement.scrollWidth, body: document.body.scrollWidth,
        root: [root.scrollWidth, root.clientWidth], panels, wide};
"""

FONT_JS = """
const done = arguments[arguments.length - 1];
document.fonts.ready.then(() => {  // the faces the page's own text made the browser load
  const title = document.querySelector('.leader-title');
  const faces = [...document.fonts].filter(f => f.family.replace(/["']/g, '') === 'Noto Sans SC'
                                                 && f.status === 'loaded');
  done({family: getComputedStyle(title).fontFamily, loaded: faces.length,
        check: document.fonts.check('16px "Noto Sans SC"', '城市')});
});
"""


def _screen(dash_duo, width: int, height: int, *, phone: bool) -> None:
    dash_duo.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 3 if phone else 1, "mobile": phone})


def _ready(dash_duo) -> None:
    dash_duo.wait_for_element("#leader-root .leader-kpi", timeout=15)
    dash_duo.wait_for_element("#leader-events-graph .main-svg .bars", timeout=15)


def _add_alert(wall_runtime, headline: str, source: str = "test", event: str = "暴雨") -> None:
    now = datetime.now(UTC)
    with wall_runtime.sessions() as session:
        session.add(Alert(stream_id=f"{int(now.timestamp() * 1000)}-0", alert_id=f"leader-{headline}",
                          source=source, sent_at=now, severity="severe",
                          urgency="immediate", certainty="observed", category="met", event=event,
                          headline=headline, district="350203", msg_type="alert", status="new",
                          received_at=now))
        session.commit()


@pytest.mark.parametrize(("width", "height", "phone"), [(1366, 768, False), (390, 844, True)])
def test_every_panel_fits_the_screen_without_sideways_scroll(dash_duo, open_page, wall_runtime, width, height,
                                                             phone):
    _add_alert(wall_runtime, "思明区 短时强降雨")
    _screen(dash_duo, width, height, phone=phone)
    open_page("/", role="leader")
    _ready(dash_duo)
    geometry = dash_duo.driver.execute_script(GEOMETRY_JS)

    assert geometry["inner"] == width
    assert geometry["scroll"] <= geometry["inner"] and geometry["body"] <= geometry["inner"]
    assert geometry["root"][0] <= geometry["root"][1], "the page scrolls sideways"
    assert set(geometry["panels"]) == {f"panel-{name}" for name in PANELS}
    for name, panel in geometry["panels"].items():
        assert panel["left"] >= 0 and panel["right"] <= width, f"{name} leaves the screen: {panel}"
        assert panel["scroll"] <= panel["client"] + 1, f"{name} has content wider than itself: {panel}"
    assert geometry["wide"] == [], "elements past the screen's edge"
    lefts = {round(panel["left"]) for panel in geometry["panels"].values()}
    assert (len(lefts) == 1) if phone else (len(lefts) >= 3), f"columns: {sorted(lefts)}"

    cards = dash_duo.find_elements("#leader-root .leader-kpi")
    assert len(cards) == 8 and all(c.get_attribute("data-status") in ("normal", "warn", "alarm", "nodata")
                                   for c in cards)
    assert all(c.size["height"] >= 44 for c in cards), "tiles are too small to tap"
    assert all(b.size["height"] >= 44 for b in dash_duo.find_elements("#leader-root .leader-button"))
    assert dash_duo.find_element("#kpi-aqi").get_attribute("href").endswith("/indicators?code=aqi")
    row = dash_duo.find_element("#leader-alert-0")
    assert row.get_attribute("data-severity") == "severe" and "短时强降雨" in row.text
    assert int(dash_duo.find_element("#leader-sev-severe").text) >= 1

    font = dash_duo.driver.execute_async_script(FONT_JS)
    assert font["family"].startswith('"Noto Sans SC"') and font["loaded"] > 0 and font["check"], font
    assert dash_duo.get_logs() == [], "the browser console has errors"


def test_english_and_in_place_refresh(dash_duo, open_page, wall_runtime):
    open_page("/?lang=en", role="leader")
    _ready(dash_duo)
    assert "City overview" in dash_duo.find_element(".leader-title").text
    assert dash_duo.find_element("#panel-leader-approvals").text.count("On time") == 1
    tile = dash_duo.find_element("#kpi-aqi")
    stamp = dash_duo.find_element("#leader-alerts-as-of").get_attribute("datetime")
    _add_alert(wall_runtime, "Harbour gale warning")
    dash_duo.driver.execute_script("window.dash_clientside.set_props('leader-refresh', {n_intervals: 1})")
    dash_duo.wait_for_contains_text("#leader-alert-0-headline", "Harbour gale warning", timeout=10)
    assert dash_duo.find_element("#leader-alerts-as-of").get_attribute("datetime") != stamp
    assert dash_duo.find_element("#kpi-aqi") == tile, "the tile was rebuilt instead of updated"


def test_briefing_downloads_as_png_and_pdf_and_is_audited(dash_duo, open_page, wall_runtime):
    open_page("/", role="leader")
    _ready(dash_duo)
    folder = Path(dash_duo.download_path)

    dash_duo.find_element("#leader-briefing-png").click()
    image = Image.open(io.BytesIO(downloaded(folder, ".png", timeout=30).read_bytes()))
    assert image.width == 1080 and image.height > 1000

    dash_duo.find_element("#leader-briefing-pdf").click()
    pdf = downloaded(folder, ".pdf", timeout=30)
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "每日简报" in text and "新报事件" in text
    day = pdf.name.removeprefix("briefing-").removesuffix(".pdf")
    assert day in text
    with wall_runtime.sessions() as session:
        entries = audit.recent(session, action="export.briefing")
    assert sorted(e.detail for e in entries) == [f"{day} pdf", f"{day} png"]
    assert {e.actor for e in entries} == {"leader"}


def test_the_briefing_panel_says_last_weeks_movements_in_the_readers_language(dash_duo, open_page, wall_runtime,
                                                                                 shoot):
    zone = wall_runtime.settings.zone
    week = briefing.period_before("weekly", datetime.now(UTC), zone)
    with wall_runtime.sessions() as session:  # alerts issued: 36 last week against 24 the week before (+50 %)
        for n, (start, count) in enumerate(((week.window(zone)[0], 36), (week.previous().window(zone)[0], 24))):
            for k in range(count):
                sent = start + timedelta(hours=4 * k + 1)
                session.add(Alert(stream_id=f"{n}-{k}", alert_id=f"week-{n}-{k}", source="test", sent_at=sent,
                                  severity="minor", urgency="expected", certainty="likely", category="met",
                                  event="大风", headline="大风", district="350206" if k % 3 else "350203",
                                  msg_type="alert", status="closed", received_at=sent))
        session.commit()
    expected = {}
    with wall_runtime.sessions() as session:
        for lang in ("zh-CN", "en"):
            *_movements, said = briefing.highlights(session=session, period=week, zone=zone, sentence_words={
                lang: wall_runtime.pack.briefings.sentences[lang]})
            expected[lang] = list(said[lang])
    assert "本周预警发布数36，较上周上升50%（同比—），主要来自湖里区（+8）。" in expected["zh-CN"]

    open_page("/", role="leader")
    _ready(dash_duo)
    assert texts_of(dash_duo.driver, "#leader-briefing-highlights li") == expected["zh-CN"]
    assert f"周报要点 {week.first:%m-%d} – {week.last:%m-%d}" in dash_duo.find_element("#panel-leader-briefing").text
    dash_duo.driver.execute_script("document.getElementById('panel-leader-briefing').scrollIntoView()")
    shoot("leader-briefing-highlights.png")
    open_page("/?lang=en", role="leader")
    _ready(dash_duo)
    assert texts_of(dash_duo.driver, "#leader-briefing-highlights li") == expected["en"]
    assert "Alerts issued rose 50% on last week to 36 (— year on year), mostly from Huli (+8)." in expected["en"]
    assert dash_duo.get_logs() == [], "the browser console has errors"


def test_an_analyst_is_sent_to_their_own_home_page(dash_duo, open_page):
    open_page("/indicators", role="analyst")
    dash_duo.driver.get(f"{dash_duo.server_url}/")
    dash_duo.wait_for_element("#ind-trend", timeout=15)
    assert urlparse(dash_duo.driver.current_url).path == "/indicators"
    assert not dash_duo.driver.find_elements("css selector", "#leader-root")


ORDER_JS = """
const panels = [...document.querySelectorAll('#leader-root .panel')].filter(p => p.getClientRects().length);
const wall = document.querySelector('#leader-root a.leader-more-wall');
return {order: panels.sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top
                                     || a.getBoundingClientRect().left - b.getBoundingClientRect().left).map(p => p.id),
        alertsTop: document.getElementById('panel-leader-alerts').getBoundingClientRect().top,
        wall: !!(wall && wall.getClientRects().length),
        arrows: [...document.querySelectorAll('#leader-root .leader-kpi')].map(
            tile => [tile.className, getComputedStyle(tile.querySelector('.kpi-arrow')).color])};
"""


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_a_phone_shows_the_alerts_first_and_no_wall_miniature(dash_duo, open_page, wall_runtime, shoot, lang):
    """At 390×844 the alerts are the first panel, on the first screen, and the link to the 1920 px wall is gone
    (the page is the phone's summary); a laptop keeps the link. The change arrows are coloured by direction."""
    _add_alert(wall_runtime, "思明区 空气质量指数 达到报警阈值", source=RULES_SOURCE, event="aqi")  # our own words
    _screen(dash_duo, 390, 844, phone=True)
    open_page(f"/?lang={lang}", role="leader")
    _ready(dash_duo)
    first = text_of(dash_duo.driver, "#panel-leader-alerts [id^=leader-alert-][id$=-headline]")
    assert ("AQI" in first and "思明" not in first) if lang == "en" else "思明区" in first, first
    phone = dash_duo.driver.execute_script(ORDER_JS)
    shoot(f"leader-phone-{lang}.png")
    assert phone["order"][0] == "panel-leader-alerts" and phone["alertsTop"] < 844, phone["order"]
    assert not phone["wall"], "a phone is offered the wall's miniature"
    colours = {tone: {colour for name, colour in phone["arrows"] if f"tone-{tone}" in name}
               for tone in ("better", "worse")}
    assert all(len(found) <= 1 for found in colours.values()) and not colours["better"] & colours["worse"], colours

    _screen(dash_duo, 1366, 768, phone=False)
    dash_duo.driver.refresh()
    _ready(dash_duo)
    laptop = dash_duo.driver.execute_script(ORDER_JS)
    assert laptop["wall"], "a laptop keeps its link to the wall"
    assert laptop["order"][:2] == ["panel-leader-kpis", "panel-leader-alerts"], laptop["order"]  # KPIs' row on top
