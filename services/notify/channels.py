"""The ways a notification goes out: webhooks (a generic JSON body, or the WeCom and DingTalk group-robot formats
that government units use) and e-mail over SMTP (stdlib smtplib).

A channel sends one message to one target or raises `DeliveryError` with a reason that names no secret: a webhook's
URL (which carries its key) is read from the environment at the moment of sending and never appears in an error,
a log line or the store; the SMTP password comes from the settings.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

import httpx

from services.config import Settings

TIMEOUT_S = 10.0


class DeliveryError(Exception):
    """A message that did not get through (the reason names no secret); it is retried later."""


@dataclass(frozen=True)
class Attachment:
    """A file sent with an e-mail (webhooks carry the text only)."""

    filename: str
    content: bytes
    mime: str = "application/pdf"


@dataclass(frozen=True)
class Message:
    subject: str
    body: str
    attachments: tuple[Attachment, ...] = ()


class Channel(Protocol):
    def send(self, target: str, message: Message) -> None: ...


def webhook_body(kind: str, message: Message) -> dict[str, object]:
    """The JSON a webhook of `kind` expects: WeCom and DingTalk robots take a `text` message; a generic receiver
    gets subject and text."""
    if kind in ("wecom", "dingtalk"):
        return {"msgtype": "text", "text": {"content": f"{message.subject}\n{message.body}"}}
    return {"subject": message.subject, "text": message.body}


@dataclass
class WebhookChannel:
    """POSTs JSON to the URL the environment variable `target` holds. WeCom and DingTalk answer 200 with an
    `errcode`; anything but 0 is a failure."""

    kind: str
    environ: Mapping[str, str]

    def send(self, target: str, message: Message) -> None:
        url = self.environ.get(target)
        if not url:
            raise DeliveryError(f"{target} is not set: the webhook's URL comes from that environment variable")
        try:
            answer = httpx.post(url, json=webhook_body(self.kind, message), timeout=TIMEOUT_S)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"webhook {target}: {exc.__class__.__name__}") from None  # the URL stays out
        if answer.status_code >= 300:
            raise DeliveryError(f"webhook {target}: HTTP {answer.status_code}")
        if self.kind in ("wecom", "dingtalk"):
            try:
                code = answer.json().get("errcode", 0)
            except (ValueError, AttributeError):
                code = "unreadable answer"
            if code != 0:
                raise DeliveryError(f"webhook {target}: errcode {code}")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    user: str | None = None
    password: str | None = None
    starttls: bool = False


@dataclass
class EmailChannel:
    """Sends plain-text UTF-8 mail, with the message's attachments, through one SMTP server."""

    smtp: SmtpSettings
    connect: Callable[..., smtplib.SMTP] = smtplib.SMTP

    def send(self, target: str, message: Message) -> None:
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = self.smtp.sender, target, message.subject
        mail.set_content(message.body)
        for attachment in message.attachments:
            maintype, subtype = attachment.mime.split("/", 1)
            mail.add_attachment(attachment.content, maintype=maintype, subtype=subtype,
                                filename=attachment.filename)
        try:
            with self.connect(self.smtp.host, self.smtp.port, timeout=TIMEOUT_S) as server:
                if self.smtp.starttls:
                    server.starttls(context=ssl.create_default_context())
                if self.smtp.user:
                    server.login(self.smtp.user, self.smtp.password or "")
                server.send_message(mail)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"e-mail to {target}: {exc.__class__.__name__}") from None


def channels(environ: Mapping[str, str], smtp: SmtpSettings | None) -> dict[str, Channel]:
    """Every channel kind the deployment can send by (e-mail only with an SMTP server)."""
    found: dict[str, Channel] = {kind: WebhookChannel(kind, environ) for kind in ("webhook", "wecom", "dingtalk")}
    if smtp is not None:
        found["email"] = EmailChannel(smtp)
    return found


def channels_from(settings: Settings, environ: Mapping[str, str]) -> dict[str, Channel]:
    """The deployment's channels: its SMTP settings (ONESCREEN_SMTP_*) and the environment's webhook URLs."""
    smtp = None if not settings.smtp_host else SmtpSettings(
        settings.smtp_host, settings.smtp_port, settings.smtp_sender, settings.smtp_user,
        settings.smtp_password.get_secret_value() if settings.smtp_password else None, settings.smtp_starttls)
    return channels(environ, smtp)
