"""The wall's approvals panel ranks departments (or districts) beside its chart as the screen chooses: worst first
by default, over a rolling week with a minimum volume (services.rankings), in the caller's scope, named in the
page's language, and the refresh rewrites the same rows."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from dash import html

from components.rankings import percent
from dashboards import _wall_approvals
from dashboards._auth import as_principal
from services import rankings
from services.access import Principal, Role, Scope
from services.approvals import queries as approvals
from services.citypack import Panel


def _ranking(node: Any) -> Any:
    if getattr(node, "id", None) == "approvals-ranking":
        return node
    children = getattr(node, "children", None)
    for child in children if isinstance(children, list) else [children] if children is not None else []:
        found = _ranking(child)
        if found is not None:
            return found
    return None


def _rows(ranking: Any) -> list[tuple[str, str, str, str, str]]:
    """(unit key, place, name, score text, volume text) of each ranked row, top first."""
    out = []
    for row in ranking.children if isinstance(ranking, html.Ol) else ranking:
        if row.className == "rank-row":
            props = row.to_plotly_json()["props"]
            out.append((props["data-unit"], row.children[0].children, row.children[1].children,
                        row.children[2].children, row.children[4].children))
    return out


def _expected(wall_runtime: Any, scope: Scope, lang: str, rule: rankings.RankingRule, by: str = "department"
              ) -> list[tuple[str, str, str, str, str]]:
    with wall_runtime.sessions() as session:
        names = (approvals.catalog_names(session=session, lang=lang)["department"] if by == "department"
                 else wall_runtime.city.names(lang))
        table = rankings.standings(session=session, by=by, now=datetime.now(UTC), scope=scope, rule=rule)
    table = table[table["ranked"]]
    return [(key, str(place), names[key], percent(score), str(volume))
            for key, place, score, volume in zip(table["key"], table["place"], table["score"], table["volume"],
                                                 strict=True)]


def test_the_default_list_is_worst_first_over_the_week_and_refreshes_in_place(wall_app, wall_runtime):
    with as_principal(Principal("kiosk", Role.WALL)):
        panel = _wall_approvals.approvals_panel("en")
        flow = {"last": datetime.now(UTC).replace(minute=0, second=0, microsecond=0).isoformat(), "size": 24}
        refreshed = _wall_approvals._refresh_panel(1, flow, "en", None)
    ranking = _ranking(panel)
    shown = _rows(ranking)
    expected = _expected(wall_runtime, Scope(), "en", rankings.RankingRule())
    assert expected, "two seeded days give the departments more than the minimum volume"
    assert shown == expected[:_wall_approvals.RANKED]
    assert ranking.to_plotly_json()["props"]["data-ranking"] == "red"
    assert _rows(refreshed[2]) == shown  # the refresh's rows for the same hour: the same ranking
    scores = [float(score.rstrip("%")) for *_, score, _volume in shown]
    assert scores == sorted(scores, reverse=True)  # worst first
    assert len(set(scores)) > 1, "a rolling week tells the departments apart"


def test_an_honour_roll_of_districts_when_the_screen_asks_for_it(wall_app, wall_runtime):
    panel = Panel("approvals", 1, 1, 1, 1, ranking="honour", ranking_by="district", min_volume=10)
    with as_principal(Principal("kiosk", Role.WALL)):
        section = _wall_approvals.approvals_panel("zh-CN", 1.0, panel)
    shown = _rows(_ranking(section))
    expected = _expected(wall_runtime, Scope(), "zh-CN", rankings.RankingRule("honour", 10), "district")
    assert shown and shown == expected[:_wall_approvals.RANKED]
    scores = [float(score.rstrip("%")) for *_, score, _volume in shown]
    assert scores == sorted(scores, reverse=True) and scores[0] > 50  # best first, good shares
    assert "区县红榜" in str(section)


def test_a_department_scoped_wall_ranks_only_its_departments(wall_app, wall_runtime):
    everyone = _expected(wall_runtime, Scope(), "zh-CN", rankings.RankingRule())
    assert len(everyone) > 1
    mine = {everyone[-1][0]}
    scope = Scope.of(departments=mine)
    with as_principal(Principal("kiosk", Role.WALL, scope=scope)):
        shown = _rows(_ranking(_wall_approvals.approvals_panel("zh-CN")))
    assert [row[0] for row in shown] == list(mine)
    assert shown == _expected(wall_runtime, scope, "zh-CN", rankings.RankingRule())


def test_units_under_the_minimum_volume_are_counted_not_ranked(wall_app, wall_runtime):
    panel = Panel("approvals", 1, 1, 1, 1, min_volume=100_000)
    with as_principal(Principal("kiosk", Role.WALL)):
        ranking = _ranking(_wall_approvals.approvals_panel("en", 1.0, panel))
    assert _rows(ranking) == []
    notes = [row.children for row in ranking.children if row.className == "rank-more"]
    assert len(notes) == 1 and notes[0].endswith("departments under 100000 cases, not ranked"), notes
