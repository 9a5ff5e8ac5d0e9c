"""Numbers and dates as each language writes them, and the wall canvas a kiosk URL asks for."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from components.i18n import translator
from dashboards._present import kpi_cards, local_date, number, shown_decimals, unit_text
from dashboards._wall_canvas import canvas
from services.config import Settings, parse_size
from services.indicators.queries import KpiValue
from services.store.catalog import load_indicators

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(("value", "zh", "en"), [
    (None, "—", "—"), (0, "0", "0"), (0.123, "0.12", "0.12"), (42.5, "42.5", "42.5"), (4119, "4,119", "4,119"),
    (99_999, "99,999", "99,999"), (126_000, "12.6万", "126,000"), (120_000, "12万", "120,000"),
    (350_000_000, "3.5亿", "350,000,000"), (-250_000, "-25万", "-250,000"),
])
def test_numbers_per_language(value, zh, en):
    assert number(value, "zh-CN") == zh
    assert number(value, "en") == en


def test_dates_per_language_in_the_display_zone():
    moment = datetime(2026, 11, 23, 20, 30, tzinfo=UTC)  # already Tuesday the 24th in Shanghai
    assert local_date(moment, SHANGHAI, "zh-CN") == "2026年11月24日 星期二"
    assert local_date(moment, SHANGHAI, "en") == "Tue 24 Nov 2026"
    assert local_date(None, SHANGHAI, "en") == "—"


def test_units_in_words_are_translated_and_symbols_kept():
    assert unit_text("persons/h", translator("zh-CN")) == "人次/时"
    assert unit_text("persons/h", translator("en")) == "persons/h"
    assert unit_text("μg/m³", translator("zh-CN")) == "μg/m³"


def test_canvas_from_the_kiosk_url_over_the_settings():
    settings = Settings(_env_file=None)
    spec = canvas(settings)
    assert (spec.width, spec.height, spec.fit, spec.rotate_s, spec.reload, spec.unit) == (1920, 1080, "fit", 15, "", 1)
    spec = canvas(settings, size="3840x2160", fit="fill", rotate="30", reload="04:00")
    assert (spec.width, spec.height, spec.fit, spec.rotate_s, spec.reload, spec.unit) == (3840, 2160, "fill", 30,
                                                                                          "04:00", 2)
    assert canvas(settings, reload="720").reload == "720"
    bad = canvas(settings, size="huge", fit="zoom", rotate="0.5", reload="2")  # typos fall back, never blank the wall
    assert (bad.width, bad.height, bad.fit, bad.rotate_s, bad.reload) == (1920, 1080, "fit", 15, "")
    assert canvas(Settings(wall_size="5760x1080", wall_fit="width", _env_file=None)).fit == "width"


def test_a_bad_canvas_setting_stops_start_up_with_the_reason():
    assert parse_size("3840X2160") == (3840, 2160)
    with pytest.raises(ValueError, match="WIDTHxHEIGHT"):
        Settings(wall_size="1920*1080", _env_file=None)
    with pytest.raises(ValueError, match="outside"):
        parse_size("100x100")


def _kpi(code: str, unit: str, direction: str, value: float, delta: float) -> KpiValue:
    return KpiValue(code=code, name_zh=code, name_en=code, domain="d", unit=unit, direction=direction, value=value,
                    status="normal", warn=None, alarm=None, as_of=None, delta_day=delta, delta_week=None,
                    delta_year=None, sparkline=(), stale=False)


def test_cards_take_the_catalogs_decimals_and_read_the_change_with_the_direction():
    """A count is whole ("43 个", not "43.2"); a rise in PM2.5 is worse, a rise in the on-time rate better, and
    a change that rounds to nothing is no change; the meaning is in words too."""
    rows = [_kpi("police_incidents", "count", "lower", 43.2, 3.37), _kpi("pm25", "μg/m³", "lower", 35.4, 4.6),
            _kpi("gov_ontime_rate", "%", "higher", 98.94, 0.44), _kpi("hotline_calls", "calls", "lower", 304, 0.3)]
    decimals = shown_decimals(load_indicators())
    zh = {card.code: card for card in kpi_cards(rows, "zh-CN", SHANGHAI, translator("zh-CN"), decimals=decimals)}
    assert (zh["police_incidents"].value_text, zh["police_incidents"].delta_text) == ("43", "较昨日 3")
    assert (zh["police_incidents"].delta_tone, zh["police_incidents"].delta_words) == ("worse", "上升，变差")
    assert (zh["pm25"].value_text, zh["pm25"].delta_tone) == ("35", "worse")
    assert (zh["gov_ontime_rate"].value_text, zh["gov_ontime_rate"].delta_tone) == ("98.9", "better")
    assert (zh["hotline_calls"].delta_sign, zh["hotline_calls"].delta_tone, zh["hotline_calls"].delta_words) == (
        0, "same", "持平")
    en = kpi_cards(rows[2:3], "en", SHANGHAI, translator("en"), decimals=decimals)[0]
    assert (en.delta_text, en.delta_words) == ("vs yesterday 0.4", "up, better")
