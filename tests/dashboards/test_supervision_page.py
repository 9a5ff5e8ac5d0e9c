"""The acceptance test of issue 23 (督办 on every page, marked on the wall) in a real headless Chromium: a leader
flags two overdue events on /events with an instruction, a department and a deadline; the department's reply
(an operator on its behalf) answers the first and the leader clears it; the second, left unanswered, is escalated
by the worker once its deadline has passed. Every step is in the audit trail, the leader's card lists what waits
(linking to the item) and the wall's marker counts it. Then the same section on /approvals and /alerts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select

from services import audit, events
from services.access import Principal, Role
from services.platform.runtime import Runtime
from services.store import Event, Supervision
from services.supervision import EscalationJob, open_supervisions, supervise
from tests.dashboards.dom import click_when_still, data_of, pick, text_of, texts_of
from tests.dashboards.live_alerts import alert_sender, wait_stored

WATER = "water"  # the responsible department (its Chinese name is read from the store)


def _overdue_events(rt: Runtime, count: int) -> list[int]:
    """Open events past their SLA in the seeded city."""
    now = datetime.now(UTC)
    with rt.sessions() as session:
        return list(session.scalars(select(Event.id).where(Event.status.in_(events.WORKING), Event.sla_due_at < now,
                                                           Event.district.is_not(None))
                                    .order_by(Event.id).limit(count)))


def _department_name(rt: Runtime) -> str:
    with rt.sessions() as session:
        return events.department_names(session=session, lang="zh-CN")[WATER]


def _type(dash_duo, selector: str, words: str) -> None:  # type: ignore[no-untyped-def]
    """Replace a field's words as a user does (select all, type over: React sees every key)."""
    field = dash_duo.find_element(selector)
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(Keys.DELETE)
    field.send_keys(words)


def _status(dash_duo, prefix: str, supervision_id: int, status: str) -> None:  # type: ignore[no-untyped-def]
    dash_duo.wait_for_element(f'#{prefix}sv-list li[data-supervision-id="{supervision_id}"][data-status="{status}"]',
                              timeout=20)


def _press(dash_duo, prefix: str, button: str, outcome: str) -> str:  # type: ignore[no-untyped-def]
    """Click `button` and wait for the section's new message, of `outcome` (done | refused); its words."""
    message = f"#{prefix}sv-message"
    before = text_of(dash_duo.driver, message)
    click_when_still(dash_duo.driver, button)
    WebDriverWait(dash_duo.driver, 20).until(lambda d: text_of(d, message) != before and f"sv-{outcome}" in (
        d.find_element(By.CSS_SELECTOR, message).get_attribute("class") or ""))
    return text_of(dash_duo.driver, message)


def _flag(dash_duo, prefix: str, instruction: str, department: str, deadline: datetime, zone,  # type: ignore[no-untyped-def]
          outcome: str = "done") -> str:
    """Fill the 督办 form as a user does and press 督办; the message."""
    _type(dash_duo, f"#{prefix}sv-instruction", instruction)
    pick(dash_duo.driver, f"#{prefix}sv-department", department)
    _type(dash_duo, f"#{prefix}sv-deadline", deadline.astimezone(zone).strftime("%Y-%m-%d %H:%M"))
    return _press(dash_duo, prefix, f"#{prefix}sv-supervise", outcome)


def _open_event(dash_duo, open_page, event_id: int, role: str) -> None:  # type: ignore[no-untyped-def]
    open_page(f"/events?event={event_id}", role=role)  # the leader's card links here
    dash_duo.wait_for_element(f'#event-detail-body h3[data-event-id="{event_id}"]', timeout=30)


def _supervision_of(rt: Runtime, subject: str, subject_id: int | str) -> int:
    with rt.sessions() as session:
        return int(session.scalars(select(Supervision.id).where(Supervision.subject == subject,
                                                                Supervision.subject_id == str(subject_id))).one())


def test_a_leader_supervises_overdue_events_one_is_answered_and_cleared_the_other_escalates(
        dash_duo, open_page, shoot, wall_runtime: Runtime) -> None:  # type: ignore[no-untyped-def]
    rt, zone = wall_runtime, wall_runtime.settings.zone
    answered, ignored = _overdue_events(rt, 2)
    water = _department_name(rt)
    dash_duo.driver.set_window_size(1600, 1200)

    _open_event(dash_duo, open_page, answered, "leader")
    dash_duo.wait_for_element("#events-sv-list .sv-empty", timeout=20)
    # no department chosen: refused, naming the field
    assert "请选择责任部门" in _press(dash_duo, "events-", "#events-sv-supervise", "refused")
    past = datetime.now(UTC) - timedelta(hours=1)  # a deadline already past: the service refuses
    assert "办理期限" in _flag(dash_duo, "events-", "请今日内修复并回复", water, past, zone, "refused")
    assert _flag(dash_duo, "events-", "请今日内修复并回复", water, datetime.now(UTC) + timedelta(hours=4), zone) == "已督办"
    first = _supervision_of(rt, "event", answered)
    _status(dash_duo, "events-", first, "open")
    assert data_of(dash_duo.driver, "#events-sv-list .sv-badge", "supervised") == "1"  # the 督 mark in the detail
    line = text_of(dash_duo.driver, f'#events-sv-list li[data-supervision-id="{first}"]')
    assert "待办" in line and water in line and "请今日内修复并回复" in line, line
    shoot("supervision-events-flagged.png")

    _open_event(dash_duo, open_page, ignored, "leader")
    _flag(dash_duo, "events-", "限两小时内到场处置", water, datetime.now(UTC) + timedelta(hours=2), zone)
    second = _supervision_of(rt, "event", ignored)

    _open_event(dash_duo, open_page, answered, "operator")  # the department's reply, by an operator on its behalf
    _status(dash_duo, "events-", first, "open")
    _type(dash_duo, "#events-sv-reply-text", "已派员抢修，18时前完成")
    click_when_still(dash_duo.driver, f'#events-sv-list li[data-supervision-id="{first}"] .sv-reply-button')
    _status(dash_duo, "events-", first, "replied")
    assert "已派员抢修，18时前完成" in text_of(dash_duo.driver, f'#events-sv-list li[data-supervision-id="{first}"]')

    _open_event(dash_duo, open_page, answered, "leader")  # answered: the leader clears it
    click_when_still(dash_duo.driver, f'#events-sv-list li[data-supervision-id="{first}"] .sv-clear-button')
    _status(dash_duo, "events-", first, "cleared")
    assert not dash_duo.driver.find_elements("css selector", "#events-sv-list .sv-badge")  # nothing waits

    escalated = EscalationJob(rt.sessions).run_once(now=datetime.now(UTC) + timedelta(hours=3))
    # the unanswered one escalates, the cleared one does not (the seeded city's own 督办 may fall due in those hours)
    assert second in escalated and first not in escalated, escalated

    with rt.sessions() as session:
        ours = {f"supervision:{first}", f"supervision:{second}", f"event:{answered}", f"event:{ignored}"}
        steps = [(entry.action, entry.target, entry.outcome) for entry in reversed(audit.recent(session, limit=500))
                 if entry.action.startswith("supervision.") and entry.target in ours]
        waiting = open_supervisions(session)
    assert ("supervision.create", f"event:{answered}", "refused") in steps  # the past deadline
    assert [step for step in steps if step[2] == "ok"] == [
        ("supervision.create", f"supervision:{first}", "ok"), ("supervision.create", f"supervision:{second}", "ok"),
        ("supervision.reply", f"supervision:{first}", "ok"), ("supervision.clear", f"supervision:{first}", "ok"),
        ("supervision.escalate", f"supervision:{second}", "ok")]

    open_page("/", role="leader")  # the leader's card: what still waits, worst overdue first, linking to the item
    row = f'#leader-sv-list li[data-supervision-id="{second}"]'
    dash_duo.wait_for_element(f'{row}[data-status="escalated"]', timeout=20)
    assert not dash_duo.driver.find_elements("css selector", f'#leader-sv-list li[data-supervision-id="{first}"]')
    assert dash_duo.find_element(f"{row} a").get_attribute("href").endswith(f"/events?event={ignored}")
    assert "已升级" in text_of(dash_duo.driver, row) and "限两小时内到场处置" in text_of(dash_duo.driver, row)
    dash_duo.driver.execute_script("document.getElementById('panel-leader-supervision').scrollIntoView()")
    shoot("supervision-leader.png")

    open_page("/wall", role="leader")  # the wall's marker counts what waits, the escalated one among them
    dash_duo.wait_for_element("#wall-supervision.is-escalated", timeout=30)
    assert data_of(dash_duo.driver, "#wall-supervision", "open") == str(len(waiting))
    assert data_of(dash_duo.driver, "#wall-supervision", "escalated") == str(
        sum(view.status == "escalated" for view in waiting))
    assert ("escalated", str(ignored)) in [(view.status, view.subject_id) for view in waiting]
    shoot("supervision-wall-marker.png")


def test_an_overdue_application_is_supervised_from_approvals(dash_duo, open_page, shoot,
                                                             wall_runtime: Runtime) -> None:  # type: ignore[no-untyped-def]
    rt = wall_runtime
    dash_duo.driver.set_window_size(1600, 1200)
    open_page("/approvals", role="leader")
    button = "#apv-overdue-table tbody tr:first-child button"
    dash_duo.wait_for_element(button, timeout=30)
    application = dash_duo.find_element(button).text
    click_when_still(dash_duo.driver, button)
    dash_duo.wait_for_element(f'#apv-sv-heading h3[data-application-id="{application}"]', timeout=20)
    assert _flag(dash_duo, "apv-", "请加快审批", _department_name(rt), datetime.now(UTC) + timedelta(days=1),
                 rt.settings.zone) == "已督办"
    _status(dash_duo, "apv-", _supervision_of(rt, "application", application), "open")
    shoot("supervision-approvals.png")

    open_page(f"/approvals?application={application}", role="leader")  # the leader's card links here: marked
    dash_duo.wait_for_element(f'#apv-overdue-table tr[data-key="{application}"] .sv-badge', timeout=30)
    dash_duo.wait_for_element(f'#apv-sv-heading h3[data-application-id="{application}"]', timeout=20)


def _alert(alert_id: str) -> dict[str, str]:
    return {"id": alert_id, "source": "test", "sent": datetime.now(UTC).isoformat(), "severity": "severe",
            "urgency": "immediate", "certainty": "observed", "category": "infra", "event": "供水管爆裂",
            "headline": f"供水管爆裂 {alert_id}", "district": "350206", "msg_type": "alert"}


def test_a_supervised_alert_is_marked_in_the_console_and_answered_there(dash_duo, open_page, redis_client,
                                                                        wall_runtime: Runtime) -> None:  # type: ignore[no-untyped-def]
    rt = wall_runtime
    dash_duo.driver.set_window_size(1600, 1200)
    open_page("/alerts", role="operator")  # the app's persist worker stores the alert sent
    dash_duo.wait_for_element('#connection-state[data-state="live"]', timeout=15)
    stream_id = alert_sender(rt, redis_client, _alert)("sv-1")
    wait_stored(rt, stream_id)
    with rt.sessions() as session:
        supervise(session, subject="alert", subject_id=stream_id, department=WATER, instruction="请核实并回复",
                  deadline=datetime.now(UTC) + timedelta(hours=6), principal=Principal("leader", Role.LEADER))
        session.commit()
    flagged = _supervision_of(rt, "alert", stream_id)
    open_page(f"/alerts?alert={stream_id}", role="operator")
    _status(dash_duo, "alerts-", flagged, "open")
    assert any("督" in words for words in texts_of(dash_duo.driver, "#alert-list .sv-badge"))
    reply = f'#alerts-sv-list li[data-supervision-id="{flagged}"] .sv-reply-button'
    assert "回复内容为空" in _press(dash_duo, "alerts-", reply, "refused")  # worded in the page's language
    _type(dash_duo, "#alerts-sv-reply-text", "已核实，水压恢复")
    click_when_still(dash_duo.driver, f'#alerts-sv-list li[data-supervision-id="{flagged}"] .sv-reply-button')
    _status(dash_duo, "alerts-", flagged, "replied")
    with rt.sessions() as session:
        entries = [(entry.action, entry.outcome) for entry in audit.recent(session, actor="operator")]
    assert ("supervision.reply", "refused") in entries and ("supervision.reply", "ok") in entries
