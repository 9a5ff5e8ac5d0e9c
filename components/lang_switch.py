"""The language switch on every page: 中文 | English, each language written in itself.

Plain links (`?lang=…`), so the switch works without script; assets/onescreen.js keeps the rest of the query
(a wall's canvas, a view's filters) when following one and remembers the choice in the `onescreen_lang` cookie,
which later visits without `lang` in their address follow.
"""

from __future__ import annotations

from dash import html

from components.html_attrs import aria_attributes, data_attributes

LANGUAGE_NAMES = {"zh-CN": "中文", "en": "English"}


def language_switch(lang: str, label: str) -> html.Nav:
    """`id="lang-switch"`; the current language's link has `aria-current`. `label` names the control for readers."""
    links = [html.A(name, href=f"?lang={code}", lang=code, className="lang-option",
                    **data_attributes(lang=code), **aria_attributes(current="true" if code == lang else None))
             for code, name in LANGUAGE_NAMES.items()]
    return html.Nav(links, id="lang-switch", className="lang-switch", **aria_attributes(label=label))

