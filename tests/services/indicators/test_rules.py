"""services.indicators.rules: crossings become stream alerts, with hysteresis, state rebuilt from the alerts table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
import redis
from sqlalchemy.orm import Session

from services.config import Settings
from services.indicators.rules import Reading, StatusChange, ThresholdRules, publish_crossings, status_change
from services.store import Alert, District, Indicator
from tests.services.indicators.data import Def

HULI, SIMING = "350206", "350203"
T0 = datetime(2026, 5, 1, 4, 0, tzinfo=UTC)
NAMES = {HULI: "湖里区", SIMING: "思明区"}


AQI = Def("aqi", "AQI", "environment", "", "lower", 100, 200)
PRESSURE = Def("water_pressure", "供水压力", "lifelines", "MPa", "higher", 0.25, 0.2)
ALARM_ONLY = Def("queue", "排队长度", "services", "人", "lower", None, 200)
CATALOG = {d.code: d for d in (AQI, PRESSURE, ALARM_ONLY)}


def run(rules: ThresholdRules, code: str, values: Sequence[float], district: str | None = HULI) -> list[dict]:
    readings = [Reading(code, district, T0 + timedelta(minutes=5 * i), v) for i, v in enumerate(values)]
    return rules.evaluate(readings, CATALOG)


def test_alarm_headline_and_contract_fields() -> None:
    (alert,) = run(ThresholdRules(district_names=NAMES), "aqi", [80, 215])
    assert alert["headline"] == "湖里区 AQI 达到 215（报警阈值 200）"
    assert alert["msg_type"] == "alert" and "references" not in alert
    assert (alert["severity"], alert["urgency"], alert["certainty"]) == ("severe", "immediate", "observed")
    assert (alert["source"], alert["event"], alert["district"], alert["category"]) == (
        "rules",
        "aqi",
        HULI,
        "env",
    )
    assert datetime.fromisoformat(alert["sent"]) == T0 + timedelta(minutes=5)
    assert alert["sent"].endswith("+08:00")
    assert all(isinstance(v, str) for v in alert.values())


def test_warn_category_and_higher_is_better_wording() -> None:
    (warn,) = run(ThresholdRules(), "water_pressure", [0.3, 0.24], district=None)
    assert warn["headline"] == "全市 供水压力 降至 0.24MPa（预警阈值 0.25MPa）"
    assert (warn["severity"], warn["category"]) == ("moderate", "infra")
    assert "district" not in warn
    (other,) = run(ThresholdRules(), "queue", [250])
    assert other["category"] == "other"


def test_value_hovering_at_the_alarm_threshold_raises_one_alert() -> None:
    rules = ThresholdRules(district_names=NAMES)  # no warn threshold: the band is 5 % of the alarm, 10
    messages = run(rules, "queue", [150, 203, 198, 201, 193, 204, 199, 191, 205])
    assert [m["msg_type"] for m in messages] == ["alert"]
    (cancel,) = rules.evaluate([Reading("queue", HULI, T0 + timedelta(hours=1), 189)], CATALOG)
    assert cancel["msg_type"] == "cancel" and cancel["references"] == messages[0]["id"]
    assert cancel["headline"] == "湖里区 排队长度 恢复正常（当前 189人）"
    assert rules.open_alerts == {}


def test_escalation_sends_one_update_and_recovery_one_cancel() -> None:
    rules = ThresholdRules(district_names=NAMES)  # band: 5 % of 100..200 = 5
    values = [50, 120, 201, 199, 202, 196, 203, 194, 97, 99, 96, 94]
    messages = run(rules, "aqi", values)
    kinds = [(m["msg_type"], m["severity"]) for m in messages]
    assert kinds == [("alert", "moderate"), ("update", "severe"), ("update", "moderate"), ("cancel", "minor")]
    opened = messages[0]["id"]
    assert all(m["references"] == opened for m in messages[1:])
    assert messages[2]["headline"] == "湖里区 AQI 降为预警（当前 194）"
    assert len({m["id"] for m in messages}) == 4


def test_at_most_one_open_alert_per_indicator_and_area() -> None:
    rules = ThresholdRules()
    readings = [
        Reading("aqi", d, T0 + timedelta(minutes=i), 250 + i) for i in range(5) for d in (HULI, SIMING)
    ]
    messages = rules.evaluate(readings, CATALOG)
    assert sorted(m["district"] for m in messages) == [SIMING, HULI]
    assert set(rules.open_alerts) == {("aqi", HULI), ("aqi", SIMING)}


def test_late_readings_do_not_flip_the_state() -> None:
    rules = ThresholdRules()
    run(rules, "aqi", [250])
    assert rules.evaluate([Reading("aqi", HULI, T0 - timedelta(hours=1), 10)], CATALOG) == []
    assert rules.open_alerts[("aqi", HULI)][1] == "alarm"


def test_a_batch_is_taken_in_time_order() -> None:
    late, early = Reading("aqi", HULI, T0 + timedelta(minutes=5), 50), Reading("aqi", HULI, T0, 250)
    assert [m["msg_type"] for m in ThresholdRules().evaluate([late, early], CATALOG)] == ["alert", "cancel"]


def test_per_indicator_band() -> None:
    rules = ThresholdRules(bands={"aqi": 30})
    assert [m["msg_type"] for m in run(rules, "aqi", [210, 175, 171, 169])] == ["alert", "update"]


@pytest.mark.parametrize(
    ("reading", "reason"),
    [
        (Reading("nope", None, T0, 1.0), "unknown indicator code 'nope'"),
        (Reading("aqi", None, datetime(2026, 5, 1), 1.0), "timezone-aware"),
        (Reading("aqi", None, T0, float("nan")), "finite number"),
        (("aqi", None, T0), r"\(code, district, ts, value\)"),
    ],
)
def test_bad_readings_are_refused_with_the_reason(reading: tuple, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        ThresholdRules().evaluate([reading], CATALOG)


def test_orm_indicators_work_as_definitions() -> None:
    ind = Indicator(code="aqi", name_zh="AQI", name_en="AQI", domain="environment", unit="", direction="lower",
                    warn=100, alarm=200, cadence_minutes=60)  # fmt: skip
    (alert,) = ThresholdRules().evaluate([Reading("aqi", None, T0, 120)], {"aqi": ind})
    assert alert["headline"] == "全市 AQI 达到 120（预警阈值 100）"


def _persist(session: Session, messages: list[dict[str, str]]) -> None:
    """Store messages as the persist worker would, one alerts row each."""
    for n, m in enumerate(messages):
        session.add(
            Alert(stream_id=f"1-{n}", alert_id=m["id"], source=m["source"], sent_at=datetime.fromisoformat(m["sent"]),
                  severity=m["severity"], urgency=m["urgency"], certainty=m["certainty"], category=m["category"],
                  event=m["event"], headline=m["headline"], district=m.get("district"), msg_type=m["msg_type"],
                  references=m.get("references"))
        )  # fmt: skip
    session.commit()


def test_load_open_rebuilds_the_state(session: Session) -> None:
    for adcode, name in NAMES.items():
        session.add(District(adcode=adcode, name_zh=name, name_en=name, geometry="{}"))
    session.commit()
    before = ThresholdRules()
    messages = run(before, "aqi", [120, 210]) + run(before, "aqi", [150], district=SIMING)
    messages += run(before, "water_pressure", [0.1], district=None)
    messages += before.evaluate([Reading("water_pressure", None, T0 + timedelta(hours=2), 0.4)], CATALOG)
    _persist(session, messages)

    after = ThresholdRules()
    assert after.load_open(session) == 2
    assert after.open_alerts == before.open_alerts
    assert after.open_alerts[("aqi", HULI)] == (messages[0]["id"], "alarm")
    (cancel,) = after.evaluate([Reading("aqi", HULI, T0 + timedelta(hours=3), 20)], CATALOG)
    assert (cancel["msg_type"], cancel["references"]) == ("cancel", messages[0]["id"])


def test_publish_crossings_adds_them_to_the_stream(redis_client: redis.Redis, redis_url: str) -> None:
    settings = Settings(redis_url=redis_url, simulate=False, stream_prefix="test-rules", _env_file=None)
    readings = [Reading("aqi", HULI, T0 + timedelta(minutes=i), v) for i, v in enumerate([90, 130, 250, 40])]
    ids = publish_crossings(ThresholdRules(district_names=NAMES), readings, CATALOG, redis_client, settings)
    entries = redis_client.xrange(settings.alerts_stream)
    assert [entry_id for entry_id, _ in entries] == ids
    assert [fields["msg_type"] for _, fields in entries] == ["alert", "update", "cancel"]
    assert entries[1][1]["headline"] == "湖里区 AQI 达到 250（报警阈值 200）"


def test_status_change_decodes_only_the_rules_own_messages() -> None:
    rules = ThresholdRules(district_names=NAMES)
    alert, down, cancel = run(rules, "aqi", [250, 160, 20], district=None)
    assert [status_change(m) for m in (alert, down, cancel)] == [
        StatusChange("aqi", None, "alarm"), StatusChange("aqi", None, "warn"), StatusChange("aqi", None, "normal")]
    (district_alert,) = run(rules, "aqi", [120])
    assert status_change(district_alert) == ("aqi", HULI, "warn")
    for foreign in ({**alert, "source": "simulator"}, {**alert, "id": "simulator:1"}, {**alert, "event": ""},
                    {**alert, "severity": "minor"}, {**alert, "msg_type": "ack"}, {"source": "rules"}):
        assert status_change(foreign) is None
