"""The briefings that write themselves: a weekly briefing made on its cron schedule from a generated city and
delivered to a real SMTP server (aiosmtpd), its sentences in Chinese and English carrying the numbers a pandas
recomputation from the raw rows gives, on SQLite and PostgreSQL; the same into a folder; a delivery that fails
while the server is down and is retried, once; a restart that sends nothing twice; and the workers that run them."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from email.message import Message as Mail
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from pypdf import PdfReader
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from dashboards._leader_briefing import period_pdf
from services.briefing import BriefingJob, Period, briefing_deliveries, due_period, period_before
from services.briefing.movements import MEASURES, MIN_BASE, MIN_CHANGE, TOP_MOVEMENTS
from services.citypack import load_pack
from services.citypack.briefings import Briefings, Schedule
from services.config import DEFAULT_CITY, DEFAULT_PACK, Settings
from services.demo.simulator import seed
from services.geo import load_city
from services.notify import SmtpSettings, backoff, channels
from services.platform import open_runtime
from services.store import (
    Alert,
    Application,
    AuditEntry,
    BriefingDelivery,
    District,
    Event,
    WorkOrder,
    make_sessionmaker,
)
from services.store.catalog import install_catalog
from services.workers import background_loops
from tests.services.notify.receivers import free_port, smtp_server

ZONE = ZoneInfo("Asia/Shanghai")
WEEK = Period("weekly", date(2026, 11, 16))  # Monday 16 to Sunday 22 November 2026
FIRED = datetime(2026, 11, 23, 0, 5, tzinfo=UTC)  # Monday 08:05 in the city, just after the 08:00 fire
SIMING = "350203"
PACK = load_pack(DEFAULT_PACK)
WORDS = PACK.briefings.sentences
LEADERS = "leaders@example.gov.cn"


def _weekly(**where: object) -> Briefings:
    return Briefings((Schedule("weekly", "weekly", "0 8 * * 1", ("zh-CN", "en"), **where),), WORDS)  # type: ignore[arg-type]


def _city(engine: Engine, *, generate: bool) -> sessionmaker[Session]:
    """The catalogs; with `generate`, 15 days of the simulated city up to the week's end, and by hand: a surge of
    12345 work orders in Siming during the week, events and alerts a year earlier, and alerts in both weeks (the
    simulator writes none)."""
    sessions = make_sessionmaker(engine)
    with sessions() as session:
        install_catalog(session, districts=load_city(DEFAULT_CITY).rows(), catalogs=PACK.catalogs)
        session.commit()
    if not generate:
        return sessions
    end = WEEK.window(ZONE)[1]
    seed(engine, days=15, end=end, progress=False, events_per_day=150, applications_per_day=200)
    rng = np.random.default_rng(5)
    year_start = WEEK.year_before().window(ZONE)[0]
    with sessions() as session:
        for n in range(150):
            surge = Event(category="road", source="test", severity="minor", status="reported", district=SIMING,
                          out_of_city=False, reported_at=end - timedelta(hours=float(rng.uniform(1, 160))))
            session.add(surge)
            session.flush()
            session.add(WorkOrder(event_id=surge.id, channel="phone", token=f"surge-{n}"))
        for _n in range(90):
            session.add(Event(category="road", source="test", severity="minor", status="closed",
                              district=str(rng.choice([SIMING, "350206"])), out_of_city=False,
                              reported_at=year_start + timedelta(hours=float(rng.uniform(0, 167)))))
        for n, (start, count) in enumerate(((end - timedelta(days=7), 40), (end - timedelta(days=14), 24),
                                            (year_start, 30))):
            for k in range(count):
                session.add(Alert(stream_id=f"{n}-{k}", alert_id=f"a{n}-{k}", source="test", severity="minor",
                                  sent_at=start + timedelta(hours=float(rng.uniform(0, 167))), urgency="expected",
                                  certainty="likely", category="met", event="大风", headline=f"预警{n}-{k}",
                                  district=str(rng.choice([SIMING, "350206", "350211"])), msg_type="alert"))
        session.commit()
    return sessions


@pytest.fixture
def city(engine: Engine) -> sessionmaker[Session]:
    return _city(engine, generate=True)


@pytest.fixture
def empty_city(engine: Engine) -> sessionmaker[Session]:
    return _city(engine, generate=False)


def _frame(session: Session, *columns: object) -> pd.DataFrame:
    rows = session.execute(select(*columns)).all()  # type: ignore[call-overload]
    return pd.DataFrame([tuple(r) for r in rows], columns=[c.key for c in columns])  # type: ignore[attr-defined]


def _reference(session: Session) -> list[str]:
    """The week's sentences in both languages, recomputed from the raw rows with pandas and the pack's words."""
    events = _frame(session, Event.id, Event.district, Event.reported_at)
    orders = events[events["id"].isin(_frame(session, WorkOrder.event_id)["event_id"])]
    apps = _frame(session, Application.district, Application.submitted_at)
    alerts = _frame(session, Alert.district, Alert.sent_at, Alert.msg_type)
    alerts = alerts[alerts["msg_type"] == "alert"]
    stamps = {"work_orders": (orders, "reported_at"), "events": (events, "reported_at"),
              "approvals": (apps, "submitted_at"), "alerts": (alerts, "sent_at")}

    def by_district(measure: str, period: Period) -> pd.Series:
        frame, column = stamps[measure]
        start, end = period.window(ZONE)
        at = pd.to_datetime(frame[column], utc=True)
        return frame[(at >= start) & (at < end)]["district"].fillna("").value_counts()

    moving = []
    for order, measure in enumerate(MEASURES):
        now, before, year = (by_district(measure, p) for p in (WEEK, WEEK.previous(), WEEK.year_before()))
        change = (now.sum() - before.sum()) / before.sum() if before.sum() >= MIN_BASE else None
        if change is None or abs(change) < MIN_CHANGE:
            continue
        deltas = now.sub(before, fill_value=0) * (1 if change > 0 else -1)
        deltas = deltas[deltas > 0].rename_axis("key").reset_index(name="d").sort_values(["d", "key"],
                                                                                         ascending=[False, True])
        moving.append((-abs(change), order, measure, int(now.sum()), int(before.sum()), int(year.sum()), change,
                       str(deltas["key"].iloc[0]), int(deltas["d"].iloc[0]) * (1 if change > 0 else -1)))
    moving = sorted(moving)[:TOP_MOVEMENTS]
    names = {code: (zh, en) for code, zh, en in session.execute(select(District.adcode, District.name_zh,
                                                                       District.name_en))}
    said = []
    for lang in ("zh-CN", "en"):
        words = WORDS[lang]
        for _key, _order, measure, now_n, before_n, year_n, change, driver, driver_change in moving:
            said.append(words["rise" if change > 0 else "fall"].format(
                period=words["weekly"], previous_period=words["weekly_previous"], measure=words[measure],
                current=now_n, previous=before_n, change=f"{abs(change) * 100:.0f}", year_ago=year_n,
                year_change=f"{(now_n - year_n) / year_n * 100:+.0f}%" if year_n else "—",
                driver=names[driver][0 if lang == "zh-CN" else 1], driver_change=f"{driver_change:+d}"))
    return said


def _body(mail: Mail) -> str:
    return next(part.get_payload(decode=True).decode("utf-8") for part in mail.walk()  # type: ignore[union-attr]
                if part.get_content_type() == "text/plain" and not part.get_filename())


def _pdfs(mail: Mail) -> dict[str, bytes]:
    return {str(part.get_filename()): part.get_payload(decode=True)  # type: ignore[misc]
            for part in mail.walk() if part.get_filename()}


def _render() -> object:
    return period_pdf(lambda lang: "厦门市" if lang == "zh-CN" else "Xiamen")


def test_the_periods_and_the_fire_they_follow() -> None:
    assert period_before("weekly", FIRED, ZONE) == WEEK
    assert period_before("daily", FIRED, ZONE) == Period("daily", date(2026, 11, 22))
    assert WEEK.window(ZONE) == (datetime(2026, 11, 15, 16, tzinfo=UTC), datetime(2026, 11, 22, 16, tzinfo=UTC))
    assert WEEK.previous() == Period("weekly", date(2026, 11, 9))
    assert WEEK.year_before() == Period("weekly", date(2025, 11, 17))  # a Monday, 52 weeks before
    assert Period("daily", date(2028, 2, 29)).year_before() == Period("daily", date(2027, 2, 28))
    (weekly,) = _weekly(email=(LEADERS,)).schedules
    assert due_period(weekly, FIRED, ZONE) == WEEK
    # Sunday evening the latest fire was the Monday before: the week before that one
    assert due_period(weekly, FIRED - timedelta(hours=9), ZONE) == WEEK.previous()


def test_a_scheduled_weekly_briefing_arrives_by_email_with_the_recomputed_sentences(
        city: sessionmaker[Session]) -> None:
    port = free_port()
    mail = channels({}, SmtpSettings("127.0.0.1", port, "onescreen@example.gov.cn"))
    job = BriefingJob(city, _weekly(email=(LEADERS,)), ZONE, mail, _render())  # type: ignore[arg-type]
    with smtp_server(port) as inbox:
        assert job.run_once(FIRED - timedelta(days=1)) != []  # the week before's, on its own Monday (catching up)
        inbox.mail.clear()
        (row,) = job.run_once(FIRED)
        assert BriefingJob(city, _weekly(email=(LEADERS,)), ZONE, mail,  # type: ignore[arg-type]
                           _render()).run_once(FIRED + timedelta(hours=2)) == []  # a restart sends nothing again
    assert (row.state, row.channel, row.target, row.period_first) == ("sent", "email", LEADERS, WEEK.first)
    (recipients, message), = inbox.mail
    assert recipients == [LEADERS]
    with city() as session:
        expected = _reference(session)
        entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "briefing.delivery",
                                                           AuditEntry.target == f"weekly {WEEK.first}")).all()
        assert [(e.actor, e.outcome, e.detail) for e in entries] == [("briefings", "ok", f"email {LEADERS}")]
    assert len(expected) >= 4 and any(s.startswith("本周12345工单量") for s in expected)
    assert any(s.startswith("12345 work orders") for s in expected)
    assert _body(message).rstrip("\n").split("\n\n") == ["\n".join(expected[:len(expected) // 2]),
                                            "\n".join(expected[len(expected) // 2:])]
    pdfs = _pdfs(message)
    assert sorted(pdfs) == [f"weekly-{WEEK.label}-en.pdf", f"weekly-{WEEK.label}-zh-CN.pdf"]
    chinese = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdfs[f"weekly-{WEEK.label}-zh-CN.pdf"])).pages)
    assert "城市运行周报" in chinese and expected[0][:12] in chinese.replace("\n", "")


def test_a_briefing_goes_into_a_folder_whole(empty_city: sessionmaker[Session], tmp_path: Path) -> None:
    exchange = tmp_path / "exchange" / "briefings"
    job = BriefingJob(empty_city, _weekly(folder=str(exchange)), ZONE, {}, _render())  # type: ignore[arg-type]
    (row,) = job.run_once(FIRED)
    assert (row.state, row.channel, row.target) == ("sent", "folder", str(exchange))
    assert sorted(p.name for p in exchange.iterdir()) == [f"weekly-{WEEK.label}-{lang}.{kind}"
                                                          for lang in ("en", "zh-CN") for kind in ("pdf", "txt")]
    assert (exchange / f"weekly-{WEEK.label}-zh-CN.txt").read_text() == "本周各项主要指标与上周基本持平。\n"
    assert (exchange / f"weekly-{WEEK.label}-en.txt").read_text() == "The main figures held steady on last week.\n"
    assert (exchange / f"weekly-{WEEK.label}-en.pdf").read_bytes().startswith(b"%PDF")


def test_a_failed_delivery_is_retried_and_delivered_once(empty_city: sessionmaker[Session]) -> None:
    port = free_port()  # nobody listens there yet
    mail = channels({}, SmtpSettings("127.0.0.1", port, "onescreen@example.gov.cn"))
    job = BriefingJob(empty_city, _weekly(email=(LEADERS,)), ZONE, mail, _render())  # type: ignore[arg-type]
    (row,) = job.run_once(FIRED)
    assert (row.state, row.attempts) == ("pending", 1)
    assert row.last_error == f"e-mail to {LEADERS}: ConnectionRefusedError"
    assert row.next_attempt_at == FIRED + backoff(1)
    with smtp_server(port) as inbox:
        assert job.run_once(FIRED + timedelta(seconds=5)) == []  # not due yet
        (again,) = job.run_once(FIRED + backoff(1))
        assert job.run_once(FIRED + timedelta(hours=1)) == []
    assert (again.state, again.attempts, again.delivered_at) == ("sent", 2, FIRED + backoff(1))
    assert len(inbox.mail) == 1
    with empty_city() as session:
        (stored,) = briefing_deliveries(session, "weekly")
        assert (stored.state, stored.attempts, stored.last_error) == ("sent", 2, None)
        outcomes = session.scalars(select(AuditEntry.outcome).where(AuditEntry.action == "briefing.delivery")
                                   .order_by(AuditEntry.id)).all()
        assert outcomes == ["failed", "ok"]
        assert session.scalar(select(BriefingDelivery.id).where(BriefingDelivery.state == "pending")) is None



@pytest.mark.parametrize("on", [True, False])
def test_the_workers_run_the_briefings_when_on_and_given_their_renderer(settings: Settings, on: bool) -> None:
    rt = open_runtime(settings.model_copy(update={"briefings": on}))
    try:
        def jobs(loops: list[Any]) -> list[Any]:
            return [loop.__self__ for loop in loops if isinstance(getattr(loop, "__self__", None), BriefingJob)]

        assert jobs(background_loops(rt)) == []  # nothing to draw the PDF with
        found = jobs(background_loops(rt, _render()))  # type: ignore[arg-type]
        assert len(found) == (1 if on else 0)
        if on:
            assert found[0].briefings == rt.pack.briefings and found[0].zone == rt.settings.zone
    finally:
        rt.close()
