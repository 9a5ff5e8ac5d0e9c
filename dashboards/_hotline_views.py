"""What /hotline shows for a view state, from services.hotline through the hotline components.

A view state is `{"days": "1"|"7"|"30", "district", "category", "channel": comma-joined codes or None,
"drill": "kind|value[|channel]" or None, "lang"}`: the URL's query, corrected (unknown codes, districts outside the
caller's scope and a malformed drill are dropped). The period ends with the current hour, so views opened in the
same hour share cached results.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd

from components import hotline_figures as figs
from components import hotline_panels as panels
from components.i18n import translator
from dashboards._approval_views import num, pct
from dashboards._present import local_time
from dashboards._runtime import runtime
from services import events, hotline
from services.access import Principal, Scope, mask_name, mask_phone

DAYS = ("1", "7", "30")
LISTED = ("district", "category", "channel")
STAMP = "%Y-%m-%d %H:%M"
TIME_COLUMNS = ("reported_at", "reply_due_at", "replied_at", "sla_due_at", "closed_at")


def _known(value: Any, allowed: Mapping[str, Any] | tuple[str, ...]) -> str | None:
    codes = [c for c in str(value or "").split(",") if c in allowed]
    return ",".join(dict.fromkeys(codes)) or None


def state_from(query: Mapping[str, Any], scope: Scope) -> dict[str, Any]:
    """A complete, valid state from a (possibly partial or tampered) query."""
    rt = runtime()
    districts = [code for code in rt.city.adcodes if scope.allows_district(code)]
    state: dict[str, Any] = {
        "days": query.get("days") if query.get("days") in DAYS else "7",
        "district": _known(query.get("district"), tuple(districts)),
        "category": _known(query.get("category"), events.category_names(rt.pack, "zh-CN")),
        "channel": _known(query.get("channel"), hotline.ORDER_CHANNELS),
        "drill": None, "lang": "en" if query.get("lang") == "en" else "zh-CN"}
    try:
        drill_of({**state, "drill": query.get("drill")})
        state["drill"] = query.get("drill") or None
    except ValueError:
        pass
    return state


def listed(state: Mapping[str, Any], name: str) -> tuple[str, ...]:
    return tuple(c for c in str(state.get(name) or "").split(",") if c)


def filter_of(state: Mapping[str, Any], now: datetime | None = None) -> hotline.HotlineFilter:
    """The state's filter: the `days` before the end of the current hour."""
    now = now or datetime.now(UTC)
    end = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    return hotline.HotlineFilter(end - timedelta(days=int(state["days"])), end, district=listed(state, "district"),
                                 category=listed(state, "category"), channel=listed(state, "channel"))


def drill_of(state: Mapping[str, Any]) -> hotline.Drill:
    """The state's drill; ValueError names what is wrong with a crafted one."""
    if not state.get("drill"):
        return hotline.Drill()
    parts = str(state["drill"]).split("|")
    return hotline.Drill(parts[0], parts[1] if len(parts) > 1 else "", parts[2] if len(parts) > 2 else "")


def drill_key(kind: str, value: str = "", channel: str = "") -> str | None:
    """The state's form of a drill (None: every order)."""
    return None if kind == "all" else f"{kind}|{value}" + (f"|{channel}" if channel else "")


class Names:
    """The page's words for codes, in its language: categories and districts from the city pack, departments from
    the store, channels, statuses and verdicts from the catalogs."""

    def __init__(self, lang: str):
        rt = runtime()
        self.lang = lang
        self.text = translator(lang)
        self.categories = events.category_names(rt.pack, lang)
        self.districts = rt.city.names(lang)
        with rt.sessions() as session:
            self.departments = events.department_names(session=session, lang=lang)

    def word(self, kind: str, code: Any) -> Any:
        if code is None or (isinstance(code, float) and pd.isna(code)):
            return None
        return self.text.get(f"{'events' if kind == 'status' else 'hl'}.{kind}.{code}", code)

    def channels(self) -> dict[str, str]:
        return {c: self.word("channel", c) for c in hotline.ORDER_CHANNELS}


PIECES = ("tiles", "volume", "categories", "topics", "spots", "verdicts", "departments")
# drawn with the page; hot topics (a week's terms scored against the week before: up to a second at city scale)
# follow in their own callback, so the page never waits for them
AT_ONCE = tuple(name for name in PIECES if name != "topics")


def piece(name: str, state: Mapping[str, Any], principal: Principal, now: datetime | None = None) -> Any:
    """One analytic piece of the view (`PIECES`), from its own query: each is its own callback, so no piece waits
    for another's query (the grid fetches its own rows)."""
    now = now or datetime.now(UTC)
    rt = runtime()
    lang = state["lang"]
    names = Names(lang)
    text = names.text
    filters, scope = filter_of(state, now), principal.scope
    with rt.sessions() as session:
        if name in ("tiles", "verdicts"):
            counts = hotline.summary(session=session, filters=filters, scope=scope, now=now)
            if name == "verdicts":
                return panels.verdicts([(v, names.word("satisfaction", v), getattr(counts, v))
                                        for v in hotline.SATISFACTIONS])
            calls = hotline.period_calls(session=session, filters=filters)
            return panels.tiles(_tiles(counts, calls, text, lang))
        if name == "volume":
            volume = hotline.volume(session=session, filters=filters, scope=scope)
            volume = volume.assign(hour_key=volume["hour"].map(lambda t: t.isoformat()),
                                   hour=volume["hour"].dt.tz_convert(rt.settings.zone))
            return figs.volume_figure(volume, names.channels(), {"title": text["hl.volume"],
                                                                 "y": text["hl.volume.y"]}, lang)
        if name == "categories":
            categories = hotline.top_categories(session=session, filters=filters, scope=scope)
            return figs.categories_figure(categories, names.categories, {"title": text["hl.categories"],
                                                                         "x": text["hl.categories.x"]})
        if name == "topics":
            topics = hotline.topics(session=session, filters=filters, scope=scope,
                                    ignore=frozenset(rt.city.names("zh-CN").values()))
            return panels.topic_list([(t.term, text["hl.topics.count"].format(count=t.count, previous=t.previous))
                                      for t in topics], text["hl.topics.none"])
        if name == "spots":
            spots = hotline.hot_spots(session=session, filters=filters, scope=scope)
            return panels.plain_table(
                [{"grid": r.grid, "district": names.districts.get(r.district, r.district or "—"), "orders": r.orders,
                  "repeats": r.repeats} for r in spots.itertuples()],
                [(c, text[f"hl.spots.{c}"]) for c in ("grid", "district", "orders", "repeats")],
                table_id="hl-spots-table", empty=text["hl.spots.none"], key="grid", drills={"orders": "grid"})
        if name == "departments":
            return _departments(hotline.departments(session=session, filters=filters, scope=scope, now=now), names)
    raise ValueError(f"piece: unknown {name!r} ({', '.join(PIECES)})")


def render(state: Mapping[str, Any], principal: Principal, now: datetime | None = None) -> dict[str, Any]:
    """The analytic pieces the page draws at once (`AT_ONCE`)."""
    now = now or datetime.now(UTC)
    return {name: piece(name, state, principal, now) for name in AT_ONCE}


def _tiles(counts: hotline.OrderSummary, calls: Any, text: Mapping[str, str], lang: str) -> list[panels.Tile]:
    def raw(value: float | None) -> str:
        return "" if value is None else repr(float(value))

    pickup = calls.pickup_mean_s
    return [
        panels.Tile("orders", text["hl.kpi.orders"], num(counts.orders, lang), str(counts.orders), ("all", "")),
        panels.Tile("answer_rate", text["hl.kpi.answer_rate"], pct(calls.answer_rate), raw(calls.answer_rate)),
        panels.Tile("service_level", text["hl.kpi.service_level"], pct(calls.service_level), raw(calls.service_level)),
        panels.Tile("pickup", text["hl.kpi.pickup"], "—" if pickup is None else f"{pickup:.1f}", raw(pickup)),
        panels.Tile("on_time_reply", text["hl.kpi.on_time_reply"], pct(counts.on_time_reply),
                    raw(counts.on_time_reply), ("replied_late", "")),
        panels.Tile("on_time_close", text["hl.kpi.on_time_close"], pct(counts.on_time_close),
                    raw(counts.on_time_close), ("closed_late", "")),
        panels.Tile("satisfaction", text["hl.kpi.satisfaction"], pct(counts.satisfaction), raw(counts.satisfaction),
                    ("followed_up", "")),
        panels.Tile("overdue", text["hl.kpi.overdue"], num(counts.overdue, lang), str(counts.overdue),
                    ("overdue", "")),
        panels.Tile("repeats", text["hl.kpi.repeats"], num(counts.repeats, lang), str(counts.repeats),
                    ("repeats", "")),
    ]


def _departments(frame: pd.DataFrame, names: Names) -> Any:
    text = names.text
    columns = ("rank", "department", "orders", "overdue", "overdue_rate", "dissatisfied", "dissatisfied_rate",
               "repeats", "returned")
    rows = [{"key": r.department, "rank": "—" if pd.isna(r.rank) else int(r.rank),
             "department": names.departments.get(r.department, r.department), "orders": int(r.orders),
             "overdue": int(r.overdue), "overdue_rate": pct(r.overdue_rate), "dissatisfied": int(r.dissatisfied),
             "dissatisfied_rate": pct(r.dissatisfied_rate), "repeats": int(r.repeats), "returned": int(r.returned)}
            for r in frame.itertuples()]
    drills = {"orders": "department", "overdue": "department_overdue", "dissatisfied": "department_dissatisfied",
              "repeats": "department_repeats", "returned": "department_returned"}
    return panels.plain_table(rows, [(c, text[f"hl.dep.{c}"]) for c in columns], table_id="hl-departments-table",
                              empty=text["hl.departments.none"], key="key", drills=drills)


def drill_label(state: Mapping[str, Any], names: Names) -> str:
    """What the grid lists, in words ("类别：市容环境")."""
    drill = drill_of(state)
    value: Any = drill.value
    if drill.kind == "category":
        value = names.categories.get(value, value)
    elif drill.kind == "channel":
        value = names.word("channel", value)
    elif drill.kind.startswith("department"):
        value = names.departments.get(value, value)
    elif drill.kind == "satisfaction":
        value = names.word("satisfaction", value)
    elif drill.kind == "hour":
        value = local_time(datetime.fromisoformat(value), runtime().settings.zone, STAMP) + \
            (f" · {names.word('channel', drill.channel)}" if drill.channel else "")
    return names.text[f"hl.drill.{drill.kind}"].format(value=value)


def named_rows(frame: pd.DataFrame, names: Names, principal: Principal) -> pd.DataFrame:
    """The orders with words for codes, local times (still timestamps) and the reporter masked unless the caller
    may see personal data."""
    zone = runtime().settings.zone
    out = frame.copy()
    for column in TIME_COLUMNS:
        out[column] = pd.to_datetime(out[column], utc=True).dt.tz_convert(zone)
    for column in ("channel", "urgency", "satisfaction", "status"):
        out[column] = [names.word(column, v) for v in out[column]]
    out["category"] = [names.categories.get(v, v) for v in out["category"]]
    out["district"] = [names.districts.get(v, v) if v else None for v in out["district"]]
    out["repeat_of"] = [None if pd.isna(v) else str(int(v)) for v in out["repeat_of"]]
    if not principal.may_see_pii:
        out["reporter_name"] = out["reporter_name"].map(mask_name)
        out["reporter_phone"] = out["reporter_phone"].map(mask_phone)
    return out


def grid_records(frame: pd.DataFrame, names: Names, principal: Principal) -> list[dict[str, Any]]:
    out = named_rows(frame, names, principal)
    for column in TIME_COLUMNS:
        out[column] = out[column].dt.strftime(STAMP)
    records: list[dict[str, Any]] = out.astype(object).where(out.notna(), None).to_dict("records")
    return records


def export_frame(frame: pd.DataFrame, names: Names, principal: Principal) -> pd.DataFrame:
    """The export: the grid's rows under its column names, times as date-times, masked as on the page."""
    out = named_rows(frame, names, principal)
    return out.rename(columns={c: names.text[f"hl.col.{c}"] for c in frame.columns})


def column_titles(lang: str) -> dict[str, str]:
    text = translator(lang)
    return {c: text[f"hl.col.{c}"] for c in hotline.ORDER_COLUMNS}
