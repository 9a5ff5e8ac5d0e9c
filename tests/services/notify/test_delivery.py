"""Notifications against real local receivers, on both databases: a webhook (generic JSON, WeCom and DingTalk
robot formats) to an HTTP server and an e-mail to an SMTP server are each delivered once; while the receiver is
down the delivery stays pending with its attempt counted and its error (never the webhook's key) and is retried
after its backoff; after the last attempt it is failed. The state is what the console reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.header import decode_header, make_header

import pytest
from sqlalchemy.orm import Session

from services.citypack.contacts import Contact, Contacts
from services.notify import (
    MAX_ATTEMPTS,
    Message,
    SmtpSettings,
    backoff,
    channels,
    deliver_due,
    enqueue,
)
from services.store import Delivery
from tests.services.notify.receivers import HttpReceiver, free_port, smtp_server

NOW = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
NOTICE = Message("【防汛预案】Ⅲ级响应启动", "请水务集团于09:30前启动泵站全负荷排水")
KEY = "key=6f1e-secret-robot-key"


def _contacts(*contacts: Contact) -> Contacts:
    return Contacts({"water": contacts})


def test_backoff_grows_and_is_capped() -> None:
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [15, 30, 60, 120]
    assert backoff(20) == timedelta(minutes=30)


@pytest.mark.parametrize(("kind", "expected"), [
    ("webhook", {"subject": NOTICE.subject, "text": NOTICE.body}),
    ("wecom", {"msgtype": "text", "text": {"content": f"{NOTICE.subject}\n{NOTICE.body}"}}),
    ("dingtalk", {"msgtype": "text", "text": {"content": f"{NOTICE.subject}\n{NOTICE.body}"}}),
])
def test_a_webhook_is_delivered_once_in_its_format(session: Session, kind: str, expected: dict[str, object]) -> None:
    receiver = HttpReceiver()
    environ = {"ROBOT_URL": f"{receiver.url}/cgi-bin/webhook/send?{KEY}"}
    (row,) = enqueue(session, _contacts(Contact("water", kind, "ROBOT_URL")), department="water", reason="dispatch",
                     message=NOTICE, now=NOW)
    session.commit()
    with receiver.running():
        assert len(deliver_due(session, channels(environ, None), now=NOW)) == 1
        assert deliver_due(session, channels(environ, None), now=NOW + timedelta(hours=1)) == []  # nothing twice
    assert receiver.received == [(f"/cgi-bin/webhook/send?{KEY}", expected)]
    stored = session.get(Delivery, row.id)
    assert stored is not None and (stored.state, stored.attempts, stored.sent_at) == ("sent", 1, NOW)
    assert stored.target == "ROBOT_URL"  # the variable's name: the URL and its key are never stored


def test_a_webhook_is_retried_while_its_receiver_is_down(session: Session) -> None:
    receiver = HttpReceiver()
    environ = {"ROBOT_URL": f"{receiver.url}/send?{KEY}"}
    (row,) = enqueue(session, _contacts(Contact("water", "wecom", "ROBOT_URL")), department="water",
                     reason="dispatch", message=NOTICE, now=NOW)
    session.commit()
    with receiver.running():
        receiver.down = True
        deliver_due(session, channels(environ, None), now=NOW)
        stored = session.get(Delivery, row.id)
        assert stored is not None and (stored.state, stored.attempts) == ("pending", 1)
        assert stored.last_error == "webhook ROBOT_URL: HTTP 503" and KEY not in (stored.last_error or "")
        assert stored.next_attempt_at == NOW + backoff(1)
        assert deliver_due(session, channels(environ, None), now=NOW + timedelta(seconds=5)) == []  # not yet due
        receiver.down = False
        deliver_due(session, channels(environ, None), now=NOW + backoff(1))
    assert len(receiver.received) == 1
    assert (stored.state, stored.attempts, stored.last_error) == ("sent", 2, None)


def test_an_unreachable_webhook_gives_up_after_the_last_attempt(session: Session) -> None:
    environ = {"ROBOT_URL": f"http://127.0.0.1:{free_port()}/send?{KEY}"}  # nobody listens there
    (row,) = enqueue(session, _contacts(Contact("water", "webhook", "ROBOT_URL")), department="water",
                     reason="escalation", message=NOTICE, now=NOW)
    session.commit()
    at = NOW
    for _ in range(MAX_ATTEMPTS):
        deliver_due(session, channels(environ, None), now=at)
        at += timedelta(hours=1)
    stored = session.get(Delivery, row.id)
    assert stored is not None and (stored.state, stored.attempts) == ("failed", MAX_ATTEMPTS)
    assert stored.last_error == "webhook ROBOT_URL: ConnectError"


def test_a_webhook_whose_variable_is_not_set_waits_with_the_reason(session: Session) -> None:
    enqueue(session, _contacts(Contact("water", "dingtalk", "UNSET_ROBOT_URL")), department="water",
            reason="dispatch", message=NOTICE, now=NOW)
    session.commit()
    (row,) = deliver_due(session, channels({}, None), now=NOW)
    assert row.state == "pending" and row.last_error is not None and row.last_error.startswith("UNSET_ROBOT_URL is not set")


def test_an_email_is_retried_while_the_smtp_server_is_down_then_delivered_once(session: Session) -> None:
    port = free_port()
    mail = channels({}, SmtpSettings("127.0.0.1", port, "onescreen@example.gov.cn"))
    (row,) = enqueue(session, _contacts(Contact("water", "email", "duty@water.example.gov.cn")), department="water",
                     reason="dispatch", message=NOTICE, now=NOW)
    session.commit()
    deliver_due(session, mail, now=NOW)  # no server yet
    stored = session.get(Delivery, row.id)
    assert stored is not None and (stored.state, stored.attempts) == ("pending", 1)
    assert stored.last_error == "e-mail to duty@water.example.gov.cn: ConnectionRefusedError"
    with smtp_server(port) as inbox:
        deliver_due(session, mail, now=NOW + backoff(1))
        deliver_due(session, mail, now=NOW + timedelta(hours=1))
    assert stored.state == "sent" and len(inbox.mail) == 1
    (recipients, message), = inbox.mail
    assert recipients == ["duty@water.example.gov.cn"]
    assert str(make_header(decode_header(message["Subject"]))) == NOTICE.subject
    assert NOTICE.body in message.get_payload(decode=True).decode("utf-8")  # type: ignore[union-attr]


def test_a_department_without_contacts_gets_no_delivery(session: Session) -> None:
    assert enqueue(session, Contacts(), department="water", reason="dispatch", message=NOTICE, now=NOW) == []
