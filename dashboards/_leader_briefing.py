"""The briefings for the reader: `services.briefing.Briefing` (the daily snapshot) and `PeriodReport` (a scheduled
daily or weekly briefing), numbers and codes, as a `BriefingSheet` (text in the reader's language and zone) that
components/briefing.py renders as PDF or PNG."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from components.briefing import Bars, BriefingSheet, Headline, Rows, render_pdf
from components.i18n import translator
from components.ticker import SEVERITY_LABELS, count_text
from dashboards._present import local_time, number, unit_text
from services.briefing import Briefing, PeriodReport


def _name(zh: str, en: str, lang: str) -> str:
    return zh if lang == "zh-CN" else en


def _minutes(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def percent(value: float | None) -> str:
    """A share as a percentage with one decimal; a dash when there is nothing to divide."""
    return "—" if value is None else f"{value * 100:.1f}%"


def _headlines(b: Briefing, text: Mapping[str, str], lang: str) -> tuple[Headline, ...]:
    alerts = sum(n for _s, n in b.alerts_by_severity)
    worst = next((severity for severity, n in b.alerts_by_severity if n), "")
    return (
        Headline(text["brief.reported"], number(b.events_reported, lang)),
        Headline(text["brief.closed"], number(b.events_closed, lang)),
        Headline(text["brief.overdue"], number(b.events_overdue, lang),
                 "alarm" if b.events_overdue else "normal"),
        Headline(text["brief.alerts"], number(alerts, lang), worst),
        Headline(text["brief.received"], number(b.approvals_received, lang)),
        Headline(text["brief.completed"], number(b.approvals_completed, lang)),
        Headline(text["brief.on_time"], percent(b.approvals_on_time_rate)),
        Headline(text["brief.bad_reviews"], number(b.approvals_bad_reviews, lang),
                 "warn" if b.approvals_bad_reviews else "normal"),
    )


def _tables(b: Briefing, text: Mapping[str, str], lang: str, zone: ZoneInfo) -> tuple[Rows, ...]:
    none = text["brief.none"]
    kpis = Rows(text["brief.kpis"],
                tuple(text[f"brief.{k}"] for k in ("kpi", "mean", "worst", "unit", "status")),
                tuple((_name(k.name_zh, k.name_en, lang), number(k.mean, lang), number(k.worst, lang),
                       unit_text(k.unit, text),
                       text[f"brief.status.{k.status}"]) for k in b.kpis),
                (3, 1.3, 1.3, 1.4, 1.1), tuple(k.status for k in b.kpis), none)
    districts = Rows(text["brief.districts"], (text["brief.district"], text["brief.events"]),
                     tuple((_name(d.name_zh, d.name_en, lang), number(d.count, lang))
                           for d in b.top_districts),
                     (3, 1), empty=none)
    departments = Rows(text["brief.departments"],
                       tuple(text[f"brief.{k}"] for k in ("department", "dispatches", "accept_p50",
                                                          "accept_p90", "finish_p90", "dept_overdue")),
                       tuple((_name(d.name_zh, d.name_en, lang), number(d.dispatches, lang),
                              _minutes(d.accept_p50), _minutes(d.accept_p90), _minutes(d.finish_p90),
                              number(d.overdue, lang)) for d in b.slow_departments),
                       (3.4, 1.3, 1.4, 1.4, 1.4, 1), empty=none)
    alerts = Rows(text["brief.notable"],
                  tuple(text[f"brief.{k}"] for k in ("level", "time", "district", "headline")),
                  tuple((SEVERITY_LABELS[lang].get(a.severity, a.severity),
                         local_time(a.sent_at, zone, "%H:%M"),
                         _name(a.district_zh, a.district_en, lang) or "—",
                         f"{a.headline} {count_text(a.count)}".strip()) for a in b.notable_alerts),
                  (1, 1, 1.3, 5), tuple(a.severity for a in b.notable_alerts), none)
    return kpis, districts, departments, alerts


def briefing_sheet(b: Briefing, *, lang: str, city: str, scope_label: str, text: Mapping[str, str],
                   category_names: Mapping[str, str], generated: datetime) -> BriefingSheet:
    """The sheet of `b` for a reader of `lang`; `scope_label` says whose figures these are, `category_names` names
    the event categories (the city pack's)."""
    zone = ZoneInfo(b.zone)
    categories = Bars(text["brief.categories"],
                      tuple(category_names.get(c.key, c.key) for c in b.top_categories),
                      tuple(float(c.count) for c in b.top_categories), ("minor",) * len(b.top_categories))
    shown = [(s, n) for s, n in b.alerts_by_severity if s != "unknown" or n]
    severities = Bars(text["brief.alerts_by_severity"],
                      tuple(SEVERITY_LABELS[lang].get(s, s) for s, _n in shown),
                      tuple(float(n) for _s, n in shown), tuple(s for s, _n in shown))
    return BriefingSheet(
        title=f"{city} · {text['brief.title']}",
        subtitle=f"{b.day.isoformat()} ({b.zone}) · {text['brief.scope']}: {scope_label}",
        headlines=_headlines(b, text, lang),
        charts=(categories, severities),
        tables=_tables(b, text, lang, zone),
        footer=f"OneScreen 一屏统览 · {text['brief.generated']} {local_time(generated, zone, '%Y-%m-%d %H:%M')}",
    )


def _signed(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:+.0f}%"


def _points(value: float | None) -> str:
    return "—" if value is None else f"{value:+.1f}"


def period_sheet(r: PeriodReport, *, lang: str, city: str, text: Mapping[str, str]) -> BriefingSheet:
    """The sheet of a scheduled briefing for a reader of `lang`: its sentences first, then the figures behind
    them, the red list, the lagging districts and 督办 waiting."""
    zone, none = ZoneInfo(r.zone), text["brief.none"]
    period = r.period
    span = period.first.isoformat() if period.days == 1 else f"{period.first.isoformat()} – {period.last.isoformat()}"
    waiting = r.supervision
    headlines = (
        *(Headline(text[f"brief.measure.{m.measure}"], number(m.current, lang)) for m in r.movements),
        Headline(text["brief.supervision.open"], number(waiting.open, lang)),
        Headline(text["brief.supervision.overdue"], number(waiting.overdue, lang),
                 "alarm" if waiting.overdue else "normal"),
        Headline(text["brief.supervision.escalated"], number(waiting.escalated, lang),
                 "warn" if waiting.escalated else "normal"),
    )
    tables = (
        Rows(text["brief.highlights"], (text["brief.highlights"],),
             tuple((sentence,) for sentence in r.sentences.get(lang, ())), (1,), empty=none),
        Rows(text["brief.comparison"],
             tuple(text[f"brief.{k}"] for k in ("measure", "current", "previous", "change", "year_ago", "year_change")),
             tuple((text[f"brief.measure.{m.measure}"], number(m.current, lang), number(m.previous, lang),
                    _signed(m.change), number(m.year_ago, lang), _signed(m.year_change)) for m in r.movements),
             (3, 1.2, 1.2, 1.2, 1.2, 1.2), empty=none),
        Rows(text["brief.red_list"], (text["brief.place"], text["brief.department"]),
             tuple((str(u.place), _name(u.name_zh, u.name_en, lang)) for u in r.red_list), (1, 4), empty=none),
        Rows(text["brief.lagging"], (text["brief.district"], text["brief.online_gap"], text["brief.on_time_gap"]),
             tuple((_name(u.name_zh, u.name_en, lang), _points(u.online_gap), _points(u.on_time_gap))
                   for u in r.lagging), (2, 1.5, 1.5), empty=none),
    )
    return BriefingSheet(
        title=f"{city} · {text[f'brief.period.{period.kind}']}",
        subtitle=f"{span} ({r.zone}) · {text['brief.scope']}: {text['brief.city_wide']}",
        headlines=headlines, charts=(), tables=tables,
        footer=f"OneScreen 一屏统览 · {text['brief.generated']} {local_time(r.generated, zone, '%Y-%m-%d %H:%M')}",
    )


def period_pdf(city: Callable[[str], str]) -> Callable[[PeriodReport, str], bytes]:
    """The scheduled briefings' renderer the workers are given: (report, language) -> A4 PDF; `city` names the
    city in a language."""
    return lambda r, lang: render_pdf(period_sheet(r, lang=lang, city=city(lang), text=translator(lang)))
