"""/admin — the loaded city pack (admins only: the role table names no other role for this page, so the page and its
callback are closed to them): which city it makes, its administrative levels, its catalogs, its first users and its
screens, and a button that checks the pack's folder again, since its files may have been edited since the start."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import dash
from dash import Input, Output, State, callback, dcc, html

from components.admin import catalog_grid, check_result, facts, levels_tree, screens_list, users_table
from components.i18n import translator
from components.theme import PAGE_STYLE
from dashboards._auth import current_principal, user_bar
from dashboards._present import local_time
from dashboards._runtime import runtime
from dashboards._wall_screens import thumbnail
from services.citypack import CATALOGS, Area, FirstUser, PackSummary, check_pack, pack_summary

dash.register_page(__name__, path="/admin", title="城市包管理 OneScreen")


def _user_rows(summary: PackSummary, lang: str, text: Mapping[str, str]) -> list[dict[str, str]]:
    zh = lang == "zh-CN"
    areas = {area.adcode: area.name_zh if zh else area.name_en for area in summary.levels}
    departments = {row["code"]: row["name_zh" if zh else "name_en"] for row in summary.catalogs["departments"]}

    def scope(user: FirstUser) -> str:
        named = [areas.get(code, code) for code in user.areas] + [departments.get(c, c) for c in user.departments]
        return "、".join(named) or text["admin.scope.all"]

    return [{"username": user.username, "role": text[f"admin.role.{user.role.value}"], "name": user.display_name,
             "scope": scope(user)} for user in summary.users]


def _area_name(area: Area | None, lang: str, text: Mapping[str, str]) -> str:
    if area is None:
        return text["admin.pack.none"]
    return f"{area.name_zh if lang == 'zh-CN' else area.name_en}（{area.adcode}）"


def _section(title: str, body: Any, section_id: str) -> html.Section:
    return html.Section([html.H2(title, className="h6"), body], id=section_id, className="admin-section mb-4")


def layout(lang: str | None = None, **_query: Any) -> html.Div:
    current_principal()  # only for a caller the middleware admitted
    rt = runtime()
    lang = lang if lang in ("zh-CN", "en") else rt.settings.lang
    text = translator(lang)
    summary = pack_summary(rt.pack)
    pack_facts = facts([(text["admin.pack.folder"], summary.folder),
                        (text["admin.pack.city"], _area_name(rt.pack.city_area, lang, text)),
                        (text["admin.pack.province"], _area_name(rt.pack.province, lang, text)),
                        (text["admin.pack.timezone"], summary.timezone)], "admin-pack")
    catalogs = [html.Div([html.H3([text[f"admin.catalog.{catalog}"], " ",
                                   html.Span(str(len(summary.catalogs[catalog])), className="badge bg-info",
                                             id=f"admin-count-{catalog}")], className="h6 mt-3"),
                          catalog_grid(catalog, summary.catalogs[catalog], text)]) for catalog in CATALOGS]
    return html.Div([
        html.Div([html.H1(text["admin.title"], className="h3 mb-0"), user_bar(lang)], className="page-head"),
        _section(text["admin.pack"], pack_facts, "admin-pack-section"),
        _section(text["admin.check"], html.Div([
            html.Button(text["admin.check.button"], id="admin-check-button", className="btn btn-sm btn-outline-info"),
            dcc.Loading(html.Div(html.Div(text["admin.check.loaded"], className="text-success"),
                                 id="admin-check-result", className="mt-2")),
        ]), "admin-check-section"),
        _section(text["admin.levels"], levels_tree(summary.levels, lang, text), "admin-levels-section"),
        _section(text["admin.catalogs"], html.Div(catalogs), "admin-catalogs-section"),
        _section(text["admin.users"], users_table(_user_rows(summary, lang, text), text), "admin-users-section"),
        _section(text["admin.screens"], screens_list(
            [(screen.name, thumbnail(rt.pack, screen, lang, rt.settings.wall_size)) for screen in rt.pack.screens]),
            "admin-screens-section"),
        dcc.Store(id="admin-lang", data=lang),
    ], className="container-fluid py-3", style=PAGE_STYLE, lang=lang)


@callback(Output("admin-check-result", "children"), Input("admin-check-button", "n_clicks"),
          State("admin-lang", "data"), prevent_initial_call=True)
def check_again(_clicks: int, lang: str) -> list[Any]:
    """The pack's folder checked as the start would check it now (same districts override)."""
    rt = runtime()
    problems = check_pack(rt.settings.city_pack, districts=rt.settings.city)
    return check_result(problems, local_time(datetime.now(UTC), rt.settings.zone, "%H:%M:%S"), translator(lang))
