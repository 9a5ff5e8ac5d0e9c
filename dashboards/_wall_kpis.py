"""The wall's city-indicator panel: the headline KPI cards a screen names (screens/*.toml, `kind = "kpis"`),
refreshed in place on the screen's cadence.

Between refreshes, alerts about these indicators recolour their cards at once (dashboards/_kpi_live.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from dash import Output, State, html

from components.i18n import translator
from components.kpi import kpi_strip
from components.panel import as_of_stamp, panel, refresh_timer
from dashboards._auth import current_principal
from dashboards._late_sources import names_by_indicator
from dashboards._present import kpi_cards, local_time, shown_decimals
from dashboards._runtime import runtime
from dashboards._wall_refresh import register_refresh
from services import indicators, sources


def read_cards(codes: Sequence[str], lang: str, hook: str = "kpi", spark: bool = True) -> tuple[
        list[html.Div], datetime, str]:
    """The cards of `codes` for the caller's scope (with sparklines unless `spark` is false), the time they were
    read and that time as the reader sees it."""
    rt = runtime()
    now = datetime.now(UTC)
    with rt.sessions() as session:
        kpis = indicators.kpi_strip(session=session, codes=codes, now=now, scope=current_principal().scope)
        late = sources.late_sources(session, now=now)
    zone = rt.settings.zone
    cards = kpi_cards(kpis, lang, zone, translator(lang), names_by_indicator(late, codes, lang),
                      shown_decimals(rt.pack.catalogs.indicators))
    return kpi_strip(cards, hook, spark), now, local_time(now, zone, "%H:%M:%S")


def kpi_panel(lang: str, codes: Sequence[str], cadence_s: float) -> html.Section:
    """The panel as the page first shows it."""
    cards, as_of, as_of_text = read_cards(codes, lang)
    body = html.Div([html.Div(cards, id="kpi-strip", className="kpi-strip"), refresh_timer("kpis", cadence_s)],
                    className="panel-body")
    return panel("kpis", translator(lang)["wall.kpis"], body, as_of_stamp("kpis", as_of, as_of_text, cadence_s))


def _refresh(lang: str, screen: str | None) -> tuple[list[html.Div], datetime, str]:
    shown = runtime().pack.screen_or_default(screen)
    return read_cards(next((p.codes for p in shown.panels if p.kind == "kpis"), ()), lang)


def register_callbacks() -> None:
    """Wire this panel's callbacks (see dashboards._auth.register_for_page)."""
    register_refresh("kpis", Output("kpi-strip", "children"), _refresh, State("wall-screen", "data"))
