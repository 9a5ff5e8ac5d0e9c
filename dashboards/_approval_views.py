"""What /approvals shows for a view state, from the approval services through the approval components.

A view state is `{"days": "1"|"7"|"30", "department": code|None, "matter": code|None, "lang": ...}`; the drill
level follows from it: the city (departments), one department (its matters), one matter (its applications).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
from dash import html

from components import approval_figures as figs
from components.graphs import analyst_graph, date_axis
from components.i18n import translator
from dashboards._present import local_time, number
from dashboards._runtime import runtime
from dashboards._supervision import PICK, mark, marks
from services import approvals
from services.access import Principal, Scope
from services.export import RATE, ColumnFormat

DAYS = ("1", "7", "30")
DAY_MS = 86_400_000
PAGE_HOUR = "%Y-%m-%d %H:%M"  # the page's hours: local ISO times on a date axis (the wall's are "%H:%M" categories)
HOURS = 24
LIST_LIMIT = 200
OVERDUE_LIMIT = 20


def pct(value: Any) -> str:
    return "—" if value is None or pd.isna(value) else f"{value * 100:.1f}%"


def num(value: Any, lang: str) -> str:
    return "—" if value is None or pd.isna(value) else number(float(value), lang)


def state_from(query: dict[str, Any], scope: Scope) -> dict[str, Any]:
    """A complete, valid state from a (possibly partial or tampered) query: an unknown or out-of-scope department
    or matter is dropped, and a matter brings its own department."""
    with runtime().sessions() as session:
        names = approvals.catalog_names(session=session, lang="zh-CN")
    matter = query.get("matter") if query.get("matter") in names["matter"] else None
    department = names["matter_department"][matter] if matter else query.get("department")
    if department not in names["department"] or not scope.allows_department(department):
        department = matter = None
    return {"days": query.get("days") if query.get("days") in DAYS else "7", "department": department,
            "matter": matter, "lang": "en" if query.get("lang") == "en" else "zh-CN"}


def _now() -> datetime:
    """Now, rounded up to the minute: views opened within the same minute share cached results."""
    now = datetime.now(UTC)
    return now.replace(second=0, microsecond=0) + timedelta(minutes=1)


def _window(state: dict[str, Any]) -> tuple[datetime, datetime, datetime]:
    """(start, end, now): the period ends with the current hour, so it covers whole hours, which the approvals
    rollup answers from its cells alone; SLA cards are judged at `now`."""
    now = _now()
    end = now.replace(minute=0) + timedelta(hours=1)
    return end - timedelta(days=int(state["days"])), end, now


def _slice(state: dict[str, Any]) -> approvals.Slice:
    return approvals.Slice(department=state["department"], matter=state["matter"])


def _summaries(session: Any, state: dict[str, Any], scope: Scope, start: datetime,
               end: datetime) -> list[pd.DataFrame]:
    """(the overall row, the drill level's table) of the view, from one read of the rollup, shared through the
    cache by the KPI tiles and the table of the same callback."""
    by = "matter" if state["department"] else "department"
    where = _slice(state)
    return approvals.summaries(session=session, start=start, end=end, by=(None, by), scope=scope, where=where)


# How the drill table's typed columns are written: rates as percentages, hours with one decimal; times are local.
HOURS_FORMAT = ColumnFormat(decimals=1)
LIST_TIME = "%m-%d %H:%M"


def level_frame(state: dict[str, Any], principal: Principal) -> tuple[str, pd.DataFrame, dict[str, ColumnFormat]]:
    """(level, the drill table with translated headers and a `key` column, the formats of its number columns) for
    the current state. Values stay typed (numbers, local times) so an export keeps them so; `drill_table` writes
    them as the page shows them."""
    text = translator(state["lang"])
    start, end, now = _window(state)
    zone = runtime().settings.zone
    with runtime().sessions() as session:
        names = approvals.catalog_names(session=session, lang=state["lang"])
        scope, where = principal.scope, _slice(state)
        if state["matter"]:
            rows = approvals.application_list(session=session, start=start, end=end, now=now, limit=LIST_LIMIT,
                                              reveal_pii=principal.may_see_pii, scope=scope, where=where)
        else:
            rows = _summaries(session, state, scope, start, end)[1]
    if state["matter"]:
        stamp = {c: pd.to_datetime(rows[c], utc=True).dt.tz_convert(zone) for c in ("submitted_at", "due_at",
                                                                                      "completed_at")}
        return "application", pd.DataFrame({
            "key": rows["id"].astype(str), text["apv.col.id"]: rows["id"].astype(str),
            text["apv.col.district"]: rows["district"].map(runtime().city.names(state["lang"])).fillna("—"),
            text["apv.col.channel"]: rows["channel"].map(lambda c: text.get(f"apv.channel.{c}", c)),
            text["apv.col.status"]: rows["status"].map(lambda s: text.get(f"apv.status.{s}", s)),
            text["apv.col.submitted"]: stamp["submitted_at"], text["apv.col.due"]: stamp["due_at"],
            text["apv.col.completed_at"]: stamp["completed_at"], text["apv.col.applicant"]: rows["applicant_name"],
            text["apv.col.phone"]: rows["applicant_phone"], text["apv.col.reason"]: rows["return_reason"].fillna(""),
            text["apv.col.card"]: rows["card"].map(lambda c: text[f"apv.card.{c}"]), "card": rows["card"]}), {}
    level = "matter" if state["department"] else "department"
    rows = rows.sort_values(["on_time_rate", "received"], ascending=[False, False], na_position="last")
    formats = {text["apv.col.on_time"]: RATE, text["apv.col.return"]: RATE, text["apv.col.p50"]: HOURS_FORMAT,
               text["apv.col.p90"]: HOURS_FORMAT, text["apv.col.bad"]: RATE}
    return level, pd.DataFrame({
        "key": rows["key"], text["apv.col.name"]: rows["key"].map(lambda k: names[level].get(k, k)),
        text["apv.col.received"]: rows["received"], text["apv.col.completed"]: rows["completed"],
        text["apv.col.on_time"]: rows["on_time_rate"].astype(float), text["apv.col.return"]: rows["return_rate"].astype(float),
        text["apv.col.p50"]: rows["p50_hours"].astype(float), text["apv.col.p90"]: rows["p90_hours"].astype(float),
        text["apv.col.bad"]: rows["bad_review_rate"].astype(float)}), formats


def _shown(value: Any, fmt: ColumnFormat | None, lang: str) -> Any:
    """One typed cell as the page writes it."""
    if isinstance(value, pd.Timestamp) or (value is pd.NaT):
        return "—" if pd.isna(value) else value.strftime(LIST_TIME)
    if fmt is None:
        return value
    return pct(value) if fmt.percent else num(value, lang)


def drill_table(level: str, frame: pd.DataFrame, formats: dict[str, ColumnFormat], lang: str) -> Any:
    text = translator(lang)
    shown = [c for c in frame.columns if c not in ("key", "card")]
    rows = [{column: _shown(value, formats.get(column), lang) for column, value in row.items()}
            for row in frame.to_dict("records")]
    if "card" in frame:
        for row in rows:
            row[text["apv.col.card"]] = figs.card_badge(row["card"], row[text["apv.col.card"]])
    return figs.table(rows, [(c, c) for c in shown], drill=None if level == "application" else level,
                      table_id=f"apv-table-{level}", empty=text["apv.empty"])


def render(state: dict[str, Any], principal: Principal) -> dict[str, Any]:
    """Everything that changes with the view: KPI tiles, throughput, ranking, drill table, overdue, reviews."""
    rt = runtime()
    text = translator(state["lang"])
    start, end, now = _window(state)
    scope, where = principal.scope, _slice(state)
    with rt.sessions() as session:
        names = approvals.catalog_names(session=session, lang=state["lang"])
        overall = _summaries(session, state, scope, start, end)[0].iloc[0]
        flow = approvals.hourly_throughput(session=session, hours=HOURS, now=now, scope=scope, where=where)
        daily = approvals.daily_throughput(session=session, days=int(state["days"]), now=now, zone=rt.settings.zone,
                                           scope=scope, where=where)
        followups = approvals.bad_review_followups(session=session, start=start, end=end, scope=scope, where=where)
        counts, late = approvals.overdue(session=session, now=now, limit=OVERDUE_LIMIT,
                                         reveal_pii=principal.may_see_pii, scope=scope, where=where)
    level, frame, formats = level_frame(state, principal)
    crumbs = [text["apv.city"]] + [names["department"].get(state["department"], "")] * bool(state["department"]) \
        + [names["matter"].get(state["matter"], "")] * bool(state["matter"])
    counted = {"y": text["apv.axis.applications"], "y2": text["apv.axis.backlog"]}
    days = [local_time(d, rt.settings.zone, "%Y-%m-%d") for d in daily["day"]]
    daily_title = f"{text['approvals.received']} / {text['approvals.completed']} · {text['apv.days.' + state['days']]}"
    return {
        "kpis": _kpis(overall, text, state["lang"]),
        "throughput": figs.titled(
            figs.throughput_figure(flow, [local_time(h, rt.settings.zone, PAGE_HOUR) for h in flow["hour"]],
                                   _series_names(text), xaxis=date_axis(state["lang"])),
            {"title": text["apv.throughput"], "x": text["chart.time"], **counted}),
        "flow": flow_state(flow),
        "daily": figs.titled(figs.throughput_figure(daily, days, _series_names(text),
                                                    xaxis=_day_axis(state), markers=True),
                             {"title": daily_title, "x": text["chart.day"], **counted}),
        "ranking": _ranking(level, frame, names, text),
        "table": drill_table(level, frame, formats, state["lang"]),
        "crumbs": " › ".join(crumbs),
        "overdue": _overdue(counts, late, names, text),
        "reviews": figs.titled(figs.review_figure({v: overall[f"rating_{v}"] for v in range(1, 6)},
                                                  {v: text[f"apv.rating.{v}"] for v in range(1, 6)}),
                               {"title": text["apv.reviews"], "x": text["apv.axis.rating"],
                                "y": text["apv.axis.applications"]}),
        "followups": " · ".join(f"{text.get(f'apv.followup.{s}', s)} {n}" for s, n in
                                zip(followups["state"], followups["count"], strict=True)) or text["apv.empty"],
    }


def _day_axis(state: dict[str, Any]) -> dict[str, Any]:
    """The daily chart's date axis: a tick a day up to a week, then every few days (30 days: every fourth), never
    plotly's hour ticks between days."""
    return date_axis(state["lang"], "day") | {"dtick": DAY_MS * max(1, round(int(state["days"]) / 7))}


def _series_names(text: Any) -> dict[str, str]:
    return {"received": text["approvals.received"], "completed": text["approvals.completed"],
            "backlog": text["apv.backlog"]}


def throughput(flow: pd.DataFrame, lang: str, series: tuple[str, ...] = figs.SERIES, scale: float = 1.0,
               y_ticks: int | None = None) -> Any:
    zone = runtime().settings.zone
    return figs.throughput_figure(flow, [local_time(h, zone) for h in flow["hour"]], _series_names(translator(lang)),
                                  series, scale, y_ticks)


def flow_state(flow: pd.DataFrame) -> dict[str, Any]:
    """What the page keeps of a drawn throughput figure to patch it later: its last hour and its length."""
    return {"last": flow["hour"].iloc[-1].isoformat(), "size": len(flow)}


def patch_throughput(flow: dict[str, Any], scope: Scope, where: approvals.Slice,
                     series: tuple[str, ...] = figs.SERIES, hour: str = "%H:%M", whole_hours: bool = False
                     ) -> tuple[Any, dict[str, Any]]:
    """(Patch for a drawn throughput figure, its new flow state): only the hours since the last one shown, the
    current hour rewritten in place and new ones appended (labelled by the `hour` pattern the figure was drawn
    with), never a new figure. `whole_hours` keeps to the hours already over (a figure that leaves the
    still-filling hour out, as the wall's does)."""
    minute = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=1 if whole_hours else 0)
    with runtime().sessions() as session:  # every wall of a scope refreshing in the same minute shares one entry
        recent = approvals.hourly_throughput(session=session, hours=2, now=minute, scope=scope, where=where)
    zone = runtime().settings.zone
    patch, last = figs.throughput_patch(recent, [h.isoformat() for h in recent["hour"]],
                                        [local_time(h, zone, hour) for h in recent["hour"]], flow["last"], flow["size"],
                                        series)
    return patch, {**flow, "last": last}


def extend_throughput(state: dict[str, Any], flow: dict[str, Any], principal: Principal) -> tuple[Any, Any]:
    """The page's throughput Patch for the view `state`."""
    return patch_throughput(flow, principal.scope, _slice(state), hour=PAGE_HOUR)


def _kpis(row: pd.Series, text: Any, lang: str) -> list[html.Div]:
    tiles = [("received", num(row["received"], lang)), ("completed", num(row["completed"], lang)),
             ("on_time", pct(row["on_time_rate"])), ("p90", num(row["p90_hours"], lang)),
             ("promised", "—" if pd.isna(row["p50_promised_pct"]) else f"{row['p50_promised_pct']:.0f}%"),
             ("compression", pct(row["compression_ratio"])), ("instant", pct(row["instant_rate"])),
             ("online", pct(row["fully_online_rate"])), ("one_visit", pct(row["one_visit_share"])),
             ("no_visit", pct(row["no_visit_share"])), ("visits", num(row["visits_per_application"], lang)),
             ("return", pct(row["return_rate"])), ("bad", pct(row["bad_review_rate"]))]
    return [html.Div([html.Div(value, className="apv-kpi-value h5 mb-0"),
                      html.Div(text[f"apv.kpi.{name}"], className="small text-body-secondary")],
                     id=f"apv-kpi-{name}", className="apv-kpi border rounded px-2 py-1") for name, value in tiles]


def _ranking(level: str, frame: pd.DataFrame, names: dict[str, dict[str, str]], text: Any) -> Any:
    """Departments (or a department's matters) by on-time rate; at the applications level, the empty chart."""
    titles = {"title": text["apv.ranking.matter" if level != "department" else "apv.ranking"],
              "x": text["apv.axis.on_time"]}
    if level == "application":
        empty = pd.DataFrame(columns=["key", "on_time_rate", "received"])
        return figs.titled(figs.ranking_figure(empty, {}, {"on_time": ""}), titles)
    column = text["apv.col.on_time"]
    data = pd.DataFrame({"key": frame["key"], "received": frame[text["apv.col.received"]],
                         "on_time_rate": frame[column]})
    return figs.titled(figs.ranking_figure(data, names[level], {"on_time": column}),
                       titles | {"y": text[f"apv.axis.{level}"]})


def _overdue(counts: dict[str, int], late: pd.DataFrame, names: dict[str, dict[str, str]], text: Any) -> list[Any]:
    zone = runtime().settings.zone
    marked = marks("application", [r.id for r in late.itertuples()])
    rows = [{"key": str(r.id), "id": html.Button(str(r.id), id={"type": PICK, "application": str(r.id)},
                                                className="btn btn-link btn-sm p-0 text-info"),
             "matter": names["matter"].get(r.matter_code, r.matter_code),
             "due": local_time(r.due_at, zone, "%m-%d %H:%M"), "applicant": r.applicant_name,
             "card": figs.card_badge(r.card, text[f"apv.card.{r.card}"]),
             "sv": mark(text, marked[str(r.id)]) if str(r.id) in marked else ""}
            for r in late.itertuples()]
    columns = [("id", text["apv.col.id"]), ("matter", text["apv.col.matter"]), ("due", text["apv.col.due"]),
               ("applicant", text["apv.col.applicant"]), ("card", text["apv.col.card"]), ("sv", text["sv.title"])]
    return [html.Div([figs.card_badge("red", f"{text['apv.card.red']} {counts['red']}"),
                      figs.card_badge("yellow", f"{text['apv.card.yellow']} {counts['yellow']}")],
                     id="apv-overdue-counts", className="d-flex gap-2 mb-2"),
            figs.table(rows, columns, table_id="apv-overdue-table", empty=text["apv.empty"])]


def findings(state: dict[str, Any], scope: Scope) -> list[Any]:
    """The reformers' panel: idle matters, high return rates, push suggestions (last mining), bundle time saved."""
    text = translator(state["lang"])
    start, end, now = _window(state)
    with runtime().sessions() as session:
        names = approvals.catalog_names(session=session, lang=state["lang"])
        idle = approvals.idle_matters(session=session, now=now, days=30, scope=scope)
        high = approvals.high_return_matters(session=session, start=start, end=end, scope=scope)
        rules = approvals.latest_rules(session=session, limit=10, scope=scope)
        bundles = approvals.bundle_savings(session=session, start=start, end=end, scope=scope)
    zone = runtime().settings.zone
    idle_rows = [{"name": names["matter"].get(r.code, r.code), "last": text["apv.never"] if pd.isna(r.last_submitted)
                  else local_time(r.last_submitted, zone, "%Y-%m-%d")} for r in idle.itertuples()]
    high_rows = [{"name": names["matter"].get(r.matter, r.matter), "rate": pct(r.return_rate),
                  "reasons": "；".join(f"{reason} {share * 100:.0f}%" for reason, share in r.reasons)}
                 for r in high.itertuples()]
    rule_rows = [{"a": names["matter"].get(r.antecedent, r.antecedent), "b": names["matter"].get(r.consequent,
                  r.consequent), "n": int(r.pairs), "s": f"{r.support:.4f}", "c": pct(r.confidence),
                  "l": f"{r.lift:.1f}"} for r in rules.itertuples()]
    bundle_names = {b: text.get(f"apv.bundle.{b}", b) for b in bundles["bundle"]}
    return [
        html.H3(text["apv.idle"], className="h6"),
        figs.table(idle_rows, [("name", text["apv.col.name"]), ("last", text["apv.col.last"])],
                   table_id="apv-idle", empty=text["apv.empty"]),
        html.H3(text["apv.high_return"], className="h6"),
        figs.table(high_rows, [("name", text["apv.col.name"]), ("rate", text["apv.col.return"]),
                               ("reasons", text["apv.col.reasons"])], table_id="apv-high-return",
                   empty=text["apv.empty"]),
        html.H3(text["apv.assoc"], className="h6"),
        figs.table(rule_rows, [("a", text["apv.col.antecedent"]), ("b", text["apv.col.consequent"]),
                               ("n", text["apv.col.pairs"]), ("s", text["apv.col.support"]),
                               ("c", text["apv.col.confidence"]), ("l", text["apv.col.lift"])],
                   table_id="apv-rules", empty=text["apv.assoc.none"]),
        analyst_graph("apv-bundles", figs.titled(
            figs.bundle_figure(bundles, bundle_names, {"parallel": text["apv.parallel"],
                                                       "sequential": text["apv.sequential"]}),
            {"title": text["apv.bundles"], "x": text["apv.axis.hours"]}), "320px", state["lang"]),
    ]
