"""The analyst pages' data grid (dash-ag-grid): the wall's dark colours, the shipped CJK font, and the grid's own
words (paging, loading, the screen reader's hints) in the page's language from `components/locales/grid.toml`; and
the words of Dash's own dropdown (`components/locales/controls.toml`), which would otherwise be English.

The theme goes through AG Grid's theming API as a function string: no theme CSS to fetch (the intranet has no CDN).
"""

from __future__ import annotations

from dash import dcc

from components.i18n import translator
from components.theme import ACCENT, BACKGROUND, FONT_FAMILY, GRID_LINE, PANEL, TEXT

GRID_THEME = {"function": f"themeQuartz.withParams({{backgroundColor: '{PANEL}', foregroundColor: '{TEXT}', "
                          f"headerBackgroundColor: '{BACKGROUND}', borderColor: '{GRID_LINE}', "
                          f"accentColor: '{ACCENT}', selectedRowBackgroundColor: 'rgba(47, 209, 255, 0.28)', "
                          f"fontFamily: \"{FONT_FAMILY}\", fontSize: 13}})"}
_PREFIX = "grid."


def locale_text(lang: str) -> dict[str, str]:
    """AG Grid's `localeText` for `lang`: every `grid.<key>` of the catalog, under AG Grid's own key."""
    return {key.removeprefix(_PREFIX): text for key, text in translator(lang).items() if key.startswith(_PREFIX)}


def dropdown_words(lang: str) -> dcc.Dropdown.Labels:
    """dcc.Dropdown's own words (`labels`: select all, search, "n selected", …) in `lang`."""
    text = translator(lang)
    return dcc.Dropdown.Labels(
        select_all=text["dropdown.select_all"], deselect_all=text["dropdown.deselect_all"],
        selected_count=text["dropdown.selected_count"], search=text["dropdown.search"],
        clear_search=text["dropdown.clear_search"], clear_selection=text["dropdown.clear_selection"],
        no_options_found=text["dropdown.no_options_found"])
