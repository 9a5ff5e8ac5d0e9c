"""The wall's approvals panel ranks the departments by today's on-time rate beside its chart: the best RANKED,
in the caller's scope, named in the page's language, and the refresh rewrites the same rows."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pandas as pd
from dash import html

from dashboards import _wall_approvals
from dashboards._auth import as_principal
from services.access import Principal, Role, Scope
from services.approvals import metrics as approval_metrics
from services.approvals import queries as approvals


def _ranking(node: Any) -> Any:
    if getattr(node, "id", None) == "approvals-ranking":
        return node
    children = getattr(node, "children", None)
    for child in children if isinstance(children, list) else [children] if children is not None else []:
        found = _ranking(child)
        if found is not None:
            return found
    return None


def _rows(ranking: Any) -> list[tuple[str, str, str, str]]:
    """(department code, name, rate text, completed text) of each department's row, top first."""
    return [(row.to_plotly_json()["props"]["data-department"], *(span.children for span in row.children[1:]))
            for row in ranking.children if row.className == "rank-row"]


def _expected(wall_runtime: Any, scope: Scope, lang: str) -> list[tuple[str, str, str, str]]:
    now = datetime.now(UTC)
    with wall_runtime.sessions() as session:
        names = approvals.catalog_names(session=session, lang=lang)["department"]
        start, end = _wall_approvals._today(now)
        table = approval_metrics.summary(session=session, start=start, end=end, by="department", scope=scope)
    table = table[table["completed"] > 0].sort_values(["on_time_rate", "completed"], ascending=False)
    return [(key, names[key], "—" if pd.isna(rate) else f"{rate * 100:.1f}%", str(int(done)))
            for key, rate, done in zip(table["key"], table["on_time_rate"], table["completed"], strict=True)]


def test_the_ranking_is_todays_best_on_time_departments_and_refreshes_in_place(wall_app, wall_runtime):
    with as_principal(Principal("kiosk", Role.WALL)):
        shown = _rows(_ranking(_wall_approvals.approvals_panel("en")))
        flow = {"last": datetime.now(UTC).replace(minute=0, second=0, microsecond=0).isoformat(), "size": 24}
        refreshed = _wall_approvals._refresh_panel(1, flow, "en")
    expected = _expected(wall_runtime, Scope(), "en")
    assert expected, "the seeded store completes applications every day"
    assert shown == expected[:_wall_approvals.RANKED]
    assert _rows(html.Ol(refreshed[2])) == shown  # the refresh's rows for the same minute: the same ranking
    rates = [float(rate.rstrip("%")) for _, _, rate, _ in shown]
    assert rates == sorted(rates, reverse=True)


def test_a_department_scoped_wall_ranks_only_its_departments(wall_app, wall_runtime):
    everyone = _expected(wall_runtime, Scope(), "zh-CN")
    assert len(everyone) > 1
    mine = {everyone[-1][0]}  # the least on time: on a scoped wall it tops the ranking
    scope = Scope.of(departments=mine)
    with as_principal(Principal("kiosk", Role.WALL, scope=scope)):
        shown = _rows(_ranking(_wall_approvals.approvals_panel("zh-CN")))
    assert [row[0] for row in shown] == list(mine)
    assert shown == _expected(wall_runtime, scope, "zh-CN")


def test_departments_the_wall_cannot_tell_apart_share_a_place_and_the_rest_are_counted(wall_app, wall_runtime):
    """Five departments at 100.0 % are all first, not 1 to 5; more at that rate than the rows shown are counted
    in a last line, so the cut is not taken for a ranking."""
    with as_principal(Principal("kiosk", Role.WALL)):
        ranking = _ranking(_wall_approvals.approvals_panel("en"))
    rows = [row for row in ranking.children if row.className == "rank-row"]
    places = [int(row.to_plotly_json()["props"]["data-place"]) for row in rows]
    rates = [row.children[2].children for row in rows]
    expected = _expected(wall_runtime, Scope(), "en")
    all_rates = [rate for *_, rate, _done in expected]
    values = [float(rate.rstrip("%")) for rate in all_rates]
    assert places == [1 + sum(value > float(rate.rstrip("%")) for value in values) for rate in rates]
    assert [row.children[0].children for row in rows] == [str(p) for p in places]
    beyond = all_rates[_wall_approvals.RANKED:].count(rates[-1])
    notes = [row.children for row in ranking.children if row.className == "rank-more"]
    assert notes == ([f"{beyond} more departments also at {rates[-1]}"] if beyond else [])
