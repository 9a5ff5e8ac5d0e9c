"""The acceptance test of issue 21 on the page: a work order through its whole life in /hotline's panel, as an
operator — dispatched to two departments, one returns it, re-dispatched, replied, closed, 回访 dissatisfied →
reopened, 督办 once it is overdue — each step visible in the panel, refusals worded, every step audited; then the
wall's hotline topic counts it among the orders under 督办."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select

from services import audit, hotline
from services.hotline import refresh_readings
from services.platform.runtime import Runtime
from services.store import Event, IndicatorReading
from tests.dashboards.dom import click_when_still, data_of, pick, text_of, texts_of

MARK = "测试井盖松动"  # a word only this order says: the drill by topic finds it and nothing else


def _take_order(rt: Runtime) -> int:
    """An urgent order taken by the agents' system two hours ago, through the real intake."""
    row = {"external_id": "12345-accept-1", "channel": "phone", "urgency": "urgent", "category": "facilities",
           "subcategory": "井盖缺失", "title": "井盖松动", "description": f"{MARK}，路过车辆很危险",
           "lon": 118.0894, "lat": 24.4798, "reporter_name": "张三丰", "reporter_phone": "13812341234",
           "reported_at": (datetime.now(UTC) - timedelta(hours=2)).isoformat()}
    with rt.sessions() as session:
        report = hotline.take_orders(session, [row], source="hotline-12345", city=rt.city,
                                     categories=rt.pack.catalogs.categories, limits=rt.pack.hotline_limits,
                                     secret_key=rt.settings.secret_key)
        assert report.refused == []
        session.commit()
        return int(session.scalars(select(Event.id).where(Event.external_id == row["external_id"])).one())


def _status(dash_duo, order_id: int, status: str) -> None:  # type: ignore[no-untyped-def]
    dash_duo.wait_for_element(f'#hl-order-body h3[data-order-id="{order_id}"][data-status="{status}"]', timeout=20)


def _click(dash_duo, selector: str) -> None:  # type: ignore[no-untyped-def]
    click_when_still(dash_duo.driver, selector)


def _pick(dash_duo, *names: str, dropdown: str = "#hl-act-departments") -> None:  # type: ignore[no-untyped-def]
    pick(dash_duo.driver, dropdown, *names)


def _type(dash_duo, words: str) -> None:  # type: ignore[no-untyped-def]
    field = dash_duo.find_element("#hl-act-text")
    field.clear()
    field.send_keys(words)


def _done(dash_duo) -> None:  # type: ignore[no-untyped-def]
    WebDriverWait(dash_duo.driver, 20).until(
        lambda d: "hl-act-done" in (d.find_element(By.ID, "hl-act-message").get_attribute("class") or ""))


def _open_panel(dash_duo, order_id: int) -> None:  # type: ignore[no-untyped-def]
    cell = f'#hl-orders .ag-row[row-id="{order_id}"] .ag-cell[col-id="id"]'
    dash_duo.wait_for_element(cell, timeout=30)
    _click(dash_duo, cell)


def test_a_work_order_goes_through_its_whole_life_on_the_page(
        dash_duo, open_page, shoot, wall_runtime: Runtime) -> None:  # type: ignore[no-untyped-def]
    order_id = _take_order(wall_runtime)
    dash_duo.driver.set_window_size(1600, 1200)
    open_page(f"/hotline?drill=topic|{MARK}", role="operator")
    _open_panel(dash_duo, order_id)
    _status(dash_duo, order_id, "registered")
    assert text_of(dash_duo.driver, "#hl-order-body .event-fields").count("13812341234") == 1  # an operator's

    _click(dash_duo, "#hl-act-reply")  # nothing dispatched, nothing said: refused, in words
    dash_duo.wait_for_element("#hl-act-message.hl-act-refused", timeout=20)
    assert "回复内容为空" in dash_duo.find_element("#hl-act-message").text

    _pick(dash_duo, "厦门水务集团", "厦门市市政园林局")  # 派单 to two departments
    _click(dash_duo, "#hl-act-dispatch")
    _status(dash_duo, order_id, "dispatched")
    assert sorted(texts_of(dash_duo.driver, "#hl-order-dispatches li")) and \
        {data_of(dash_duo.driver, f'#hl-order-dispatches li[data-department="{d}"]', "status")
         for d in ("water", "municipal")} == {"dispatched"}

    _type(dash_duo, "不属于供水职责")  # 退单 by one of them, with its reason
    _click(dash_duo, '#hl-order-dispatches li[data-department="water"] button')
    dash_duo.wait_for_element('#hl-order-dispatches li[data-department="water"][data-status="returned"]', timeout=20)
    assert "不属于供水职责" in text_of(dash_duo.driver, '#hl-order-dispatches li[data-department="water"]')

    _pick(dash_duo, "厦门市城市管理行政执法局")  # 重派
    _click(dash_duo, "#hl-act-redispatch")
    dash_duo.wait_for_element('#hl-order-dispatches li[data-department="urban_mgmt"][data-status="dispatched"]',
                              timeout=20)

    _type(dash_duo, "井盖已更换加固")  # 回复
    _click(dash_duo, "#hl-act-reply")
    _status(dash_duo, order_id, "feedback")
    assert "井盖已更换加固" in text_of(dash_duo.driver, "#hl-order-body .event-fields")

    _click(dash_duo, "#hl-act-close")  # 办结
    _status(dash_duo, order_id, "closed")

    _click(dash_duo, "label[for='_dbcprivate_radioitems_hl-act-satisfaction_input_dissatisfied']")  # 回访
    _type(dash_duo, "井盖仍有异响")
    _click(dash_duo, "#hl-act-follow_up")
    _status(dash_duo, order_id, "rework")
    assert data_of(dash_duo.driver, "#hl-order-followup", "satisfaction") == "dissatisfied"
    assert "结案 → 返工" in text_of(dash_duo.driver, "#hl-order-history")

    with wall_runtime.sessions() as session:  # time passes: the reopened order's close limit goes by
        event = session.get(Event, order_id)
        assert event is not None
        event.sla_due_at = datetime.now(UTC) - timedelta(minutes=30)
        session.commit()
    _open_panel(dash_duo, order_id)
    dash_duo.wait_for_element('#hl-order-cards .sla-card[data-card="red"]', timeout=20)

    supervised_before = _supervised_on_the_wall(wall_runtime)
    _pick(dash_duo, "厦门市城市管理行政执法局", dropdown="#hl-sv-department")  # 督办, the section every panel shares
    field = dash_duo.find_element("#hl-sv-instruction")
    field.clear()
    field.send_keys("请于明日前办结并回复市民")
    _click(dash_duo, "#hl-sv-supervise")
    dash_duo.wait_for_element("#hl-sv-message.sv-done", timeout=20)
    dash_duo.wait_for_element('#hl-sv-list li[data-status="open"]', timeout=20)
    assert "请于明日前办结并回复市民" in text_of(dash_duo.driver, "#hl-sv-list")
    shoot("hotline-order-panel.png")

    with wall_runtime.sessions() as session:
        steps = {(e.action, e.outcome) for e in audit.recent(session, actor="operator")
                 if e.action.startswith(("hotline.", "supervision."))}
    for step in ("dispatch", "return", "redispatch", "reply", "close", "follow_up", "reopen"):
        assert (f"hotline.{step}", "ok") in steps, step
    assert ("hotline.reply", "refused") in steps and any(a.startswith("supervision.") for a, _ in steps)

    supervised = _supervised_on_the_wall(wall_runtime)  # the wall's hotline topic, measured from the orders
    assert supervised == supervised_before + 1
    open_page("/wall?rotate=3", role="operator")
    WebDriverWait(dash_duo.driver, 30).until(
        lambda d: text_of(d, "#focus-hotline_supervised_orders .kpi-value") == f"{supervised:g}")


def _supervised_on_the_wall(rt: Runtime) -> float:
    """Refresh the wall's hotline readings now (as the readings job does on its cadence); the city's count of
    orders under an open 督办."""
    refresh_readings(engine=rt.engine, sessions=rt.sessions, redis_client=rt.redis, settings=rt.settings,
                     cache=rt.cache, force=True)
    with rt.sessions() as session:
        return float(session.scalars(select(IndicatorReading.value).where(
            IndicatorReading.indicator_code == "hotline_supervised_orders", IndicatorReading.district.is_(None))
            .order_by(IndicatorReading.ts.desc()).limit(1)).one())


def test_an_analyst_sees_the_order_masked_and_no_actions(
        dash_duo, open_page, wall_runtime: Runtime) -> None:  # type: ignore[no-untyped-def]
    order_id = _take_order(wall_runtime)
    dash_duo.driver.set_window_size(1600, 1200)
    open_page(f"/hotline?drill=topic|{MARK}", role="analyst")
    _open_panel(dash_duo, order_id)
    _status(dash_duo, order_id, "registered")
    fields = text_of(dash_duo.driver, "#hl-order-body .event-fields")
    assert "138****1234" in fields and "13812341234" not in fields and "张**" in fields
    assert "d-none" in dash_duo.find_element("#hl-actions").get_attribute("class")
