"""What the /events page shows, as plain functions of a session: the map figure, the detail panel, table rows.

They sit outside the page module so that `bench/events.py` times exactly the work the map's callback does, and
the callbacks in `dashboards/events.py` stay one call long.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pandas as pd
import plotly.graph_objects as go

from components import event_figures
from components.event_panel import DispatchRow, detail_body
from components.i18n import translator
from dashboards._present import local_time
from services import events
from services.access import Action, Principal, Scope, mask_name, mask_phone
from services.events import EventFilter
from services.geo import City

DRILL_POINTS = 20_000  # tens of thousands at most on the map-projected drill view (software WebGL)
VIEWS = ("districts", "points", "density")
TIME_COLUMNS = ("reported_at", "sla_due_at", "closed_at")
STAMP = "%Y-%m-%d %H:%M"
_NEXT_STAGE = {needed: stage for stage, (needed, _status, _column) in events.DISPATCH_STAGES.items()}
# Which catalog words a refusal's parameter is made of (by parameter name); the others are shown as they are.
_REFUSAL_WORDS = {"current": "status", "to": "status", "statuses": "status", "allowed": "status",
                  "dispatch_status": "dispatch", "needed": "dispatch", "stage": "stage", "stages": "stage"}


def filter_from(values: Mapping[str, Any], zone: ZoneInfo) -> EventFilter:
    """The filter the page's controls describe: dates are whole local days (the end day included)."""
    start, end = values.get("start"), values.get("end")
    return EventFilter.from_query({
        **{name: values.get(name) for name in ("status", "category", "district", "department")},
        "start": _local_midnight(start, zone, 0), "end": _local_midnight(end, zone, 1)})


def _local_midnight(day: str | None, zone: ZoneInfo, plus_days: int) -> str | None:
    if not day:
        return None
    try:
        moment = datetime.combine(date.fromisoformat(day[:10]) + timedelta(days=plus_days), time(), zone)
    except ValueError:
        return day  # left for EventFilter to refuse, naming the field
    return moment.isoformat()


def query_string(values: Mapping[str, Any]) -> str:
    """The page's URL query for its controls: lists comma-joined, empty values left out."""
    pairs = {name: ",".join(value) if isinstance(value, list | tuple) else value for name, value in values.items()}
    return urlencode({name: value for name, value in pairs.items() if value not in (None, "", [])})


def map_figure(session: Any, city: City, filters: EventFilter, *, scope: Scope, view: str, colour_by: str,
               drill: str | None, lang: str, now: datetime | None = None) -> dict[str, Any]:
    """The map for a view: the district choropleth, the WebGL points or density, or one district's grid."""
    text = translator(lang)
    labels = {"open": text["events.open"], "overdue": text["events.overdue"], "events": text["events.events"]}
    if drill in city.adcodes:
        narrowed = replace(filters, district=(drill,))
        counts = events.grid_counts(session=session, district=drill, filters=narrowed, scope=scope)
        dots = events.map_points(session=session, filters=narrowed, scope=scope, limit=DRILL_POINTS)
        minx, miny, maxx, maxy = city.districts.loc[[drill]].total_bounds
        return event_figures.grid_map(city.grid.geojson(drill), counts, dots.frame, labels=labels,
                                      bounds=(float(minx), float(miny), float(maxx), float(maxy)))
    if view in ("points", "density"):
        dots = events.map_points(session=session, filters=filters, scope=scope)
        key = "status" if colour_by == "status" else "severity"
        names = {value: text.get(f"events.{key}.{value}", value) for value in dots.frame[key].cat.categories}
        return event_figures.point_map(city.geojson, dots.frame, colour_by="severity" if key == "severity"
                                       else "status", density=view == "density", names=names)
    counts = events.counts_by_district(session=session, filters=filters, scope=scope, now=now)
    return event_figures.district_choropleth(city.geojson, city.names(lang), counts, center=city.center(),
                                             labels=labels)


def map_note(session: Any, filters: EventFilter, *, scope: Scope, view: str, drill: str | None,
             lang: str) -> str:
    """Under a map whose points are capped: "showing the newest N of M"; otherwise nothing. Its own call (and
    callback), so counting every match never delays the map."""
    if drill:
        filters, limit = replace(filters, district=(drill,)), DRILL_POINTS
    elif view in ("points", "density"):
        limit = events.MAP_POINTS
    else:
        return ""
    if not events.map_points(session=session, filters=filters, scope=scope, limit=limit).capped:
        return ""
    total = events.count_matching(session=session, filters=filters, scope=scope)
    return translator(lang)["events.capped"].format(shown=f"{limit:,}", total=f"{total:,}")


def detail_view(session: Any, event_id: int, *, principal: Principal, names: Names, zone: ZoneInfo,
                department_names: Mapping[str, str], now: datetime | None = None
                ) -> tuple[list[Any], go.Figure] | None:
    """The detail panel's body and timeline, contact masked unless the caller may see personal data."""
    now = now or datetime.now(UTC)
    shown = events.detail(session=session, event_id=event_id, scope=principal.scope, now=now)
    if shown is None:
        return None
    text = translator(names.lang)
    ev = shown.event
    name, phone = ev["reporter_name"], ev["reporter_phone"]
    if not principal.may_see_pii:
        name, phone = mask_name(name), mask_phone(phone)
    fields = [(text["events.col.category"], names.categories.get(ev["category"], ev["category"])),
              (text["events.col.subcategory"], ev["subcategory"] or "—"),
              (text["events.col.status"], names.word("status", ev["status"])),
              (text["events.col.severity"], names.word("severity", ev["severity"])),
              (text["events.col.source"], names.word("source", ev["source"])),
              (text["events.col.district"], names.district(ev["district"])),
              (text["events.col.grid"], ev["grid"] or "—"),
              (text["events.col.reported_at"], local_time(ev["reported_at"], zone, STAMP)),
              (text["events.col.sla_due_at"], local_time(ev["sla_due_at"], zone, STAMP)),
              (text["events.reporter"], name or "—"), (text["events.phone"], phone or "—")]
    history = [f"{local_time(row.at, zone, STAMP)} {names.word('status', row.from_status)} → "
               f"{names.word('status', row.to_status)} · {row.user}" + (f" · {row.comment}" if row.comment else "")
               for row in shown.history.itertuples()]
    stages = {stage: text[f"events.stage.{stage}"] for stage in ("accept", "arrive", "finish")}
    parts = [DispatchRow(int(row.id), department_names.get(row.department, row.department),
                         text.get(f"events.dispatch.{row.status}", row.status), _NEXT_STAGE.get(row.status))
             for row in shown.dispatches.itertuples()]
    body = detail_body(f"#{event_id} {ev['description'] or ''}", fields, shown.card,
                       text[f"events.sla.{shown.card}"], text["events.history"], history, event_id,
                       status=ev["status"], dispatches=parts, history_empty=text["events.no_history"],
                       stage_labels=stages if principal.may(Action.EVENT_ACT) else None)
    timeline = event_figures.dispatch_timeline(_local(shown.dispatches, zone), names=department_names,
                                               stage_labels=stages, now=pd.Timestamp(now).tz_convert(zone),
                                               texts={"empty": text["events.no_timeline"],
                                                      "axis": text["events.timeline.axis"]})
    return body, timeline


def _local(frame: pd.DataFrame, zone: ZoneInfo) -> pd.DataFrame:
    """Timestamps in the display zone, so the timeline's axis reads in local time."""
    out = frame.copy()
    for column in out.columns:
        if column.endswith("_at"):
            out[column] = pd.to_datetime(out[column], utc=True).dt.tz_convert(zone)
    return out


@dataclass(frozen=True)
class Names:
    """What the page calls the codes of an event row, in its language: categories and districts by the city pack,
    sources, statuses, severities and yes / no by the locale catalog."""

    lang: str
    categories: Mapping[str, str]
    districts: Mapping[str, str]

    def word(self, kind: str, code: Any) -> Any:
        """A catalog word (`events.<kind>.<code>`), the code itself when the catalog has none."""
        return translator(self.lang).get(f"events.{kind}.{code}", code)

    def district(self, code: str | None) -> str:
        return translator(self.lang)["events.outside"] if not code else self.districts.get(code, code)


def named_rows(frame: pd.DataFrame, names: Names, zone: ZoneInfo) -> pd.DataFrame:
    """The table's rows with names for codes and times in the display zone (still timestamps, for the export)."""
    text = translator(names.lang)
    out = frame.copy()
    for column in TIME_COLUMNS:
        out[column] = pd.to_datetime(out[column], utc=True).dt.tz_convert(zone)
    for column in ("status", "severity", "source"):
        out[column] = [names.word(column, v) for v in out[column]]
    out["category"] = [names.categories.get(v, v) for v in out["category"]]
    out["district"] = [names.district(v) for v in out["district"]]
    out["out_of_city"] = [text["events.yes" if v else "events.no"] for v in out["out_of_city"]]
    return out


def table_records(frame: pd.DataFrame, names: Names, zone: ZoneInfo) -> list[dict[str, Any]]:
    """Rows for the grid: names for codes, local times as text."""
    out = named_rows(frame, names, zone)
    for column in TIME_COLUMNS:
        out[column] = out[column].dt.strftime(STAMP)
    records: list[dict[str, Any]] = out.astype(object).where(out.notna(), None).to_dict("records")
    return records


def export_frame(frame: pd.DataFrame, names: Names, zone: ZoneInfo) -> pd.DataFrame:
    """The export: the table's rows under the page's column names, times as timestamps (Excel date-times)."""
    text = translator(names.lang)
    return named_rows(frame, names, zone).rename(columns={c: text[f"events.col.{c}"] for c in frame.columns})


def linkage_view(session: Any, filters: EventFilter, *, scope: Scope, lang: str, zone: ZoneInfo,
                 department_names: Mapping[str, str], now: datetime | None = None
                 ) -> tuple[str, list[dict[str, Any]], go.Figure, go.Figure]:
    """Share of multi-department events, per-department statistics as grid rows (names, minutes to 1 decimal),
    the p50/p90 bars, the trend."""
    text = translator(lang)
    stats = events.department_stats(session=session, filters=filters, scope=scope, now=now)
    share = events.multi_department_share(session=session, filters=filters, scope=scope)
    trend = events.trends(session=session, zone=zone, filters=filters, scope=scope)
    bar_texts = {"p50": text["events.p50"], "p90": text["events.p90"], "title": text["events.linkage.bars"],
                 "x": text["events.minutes_axis"], "y": text["events.linkage.department_axis"]}
    trend_texts = {"name": text["events.multi_share"], "title": text["events.trend"],
                   "x": text["events.trend.period"], "y": text["events.trend.axis"]}
    rows = stats.assign(department=[department_names.get(d, d) for d in stats["department"]]).round(1)
    share_text = f"{text['events.multi_share']}: {'—' if share is None else f'{share:.1%}'}"
    return (share_text, rows.astype(object).where(rows.notna(), None).to_dict("records"),
            event_figures.linkage_bars(stats, names=department_names, texts=bar_texts),
            event_figures.trend_line(trend, texts=trend_texts, lang=lang))


def options(values: Sequence[str], lang: str, kind: str) -> list[dict[str, str]]:
    """Dropdown options for codes, labelled in the page's language where the catalog knows them."""
    text = translator(lang)
    return [{"label": text.get(f"events.{kind}.{v}", v), "value": v} for v in values]


def act(session: Any, principal: Principal, command: events.EventCommand) -> events.TransitionRefused | None:
    """Carry out one operator action through the domain's command and commit; None when done, else the refusal,
    audited in a transaction of its own (`refusal_text` words it for the page)."""
    try:
        events.act(session, command, principal=principal)
    except events.TransitionRefused as refused:
        session.rollback()
        events.record_refusal(session, command, refused, principal=principal)
        session.commit()
        return refused
    session.commit()  # the runtime's sessions invalidate the cached event views on commit
    return None


def refusal_text(refused: events.TransitionRefused, lang: str, department_names: Mapping[str, str]) -> str:
    """A lifecycle refusal in the page's language: its code's sentence from the catalog, with statuses, stages and
    departments as the page names them."""
    text = translator(lang)

    def word(name: str, value: Any) -> Any:
        if name.startswith("department"):
            return department_names.get(value, value)
        kind = _REFUSAL_WORDS.get(name)
        return text.get(f"events.{kind}.{value}", value) if kind else value

    params = {name: (text["events.refusal.or" if name == "allowed" else "events.refusal.list"]
                     .join(word(name, item) for item in value) if isinstance(value, tuple) else word(name, value))
              for name, value in refused.params.items()}
    return text[f"events.refusal.{refused.code}"].format(**params)
