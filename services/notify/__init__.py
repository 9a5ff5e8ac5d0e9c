"""Notifications out: channels (webhook: generic JSON, WeCom and DingTalk robots; e-mail over SMTP), the
departments' contacts from the pack, and a durable outbox that retries with backoff."""

from __future__ import annotations

from services.citypack.contacts import CHANNELS, Contact, Contacts, load_contacts
from services.notify.channels import (
    Attachment,
    Channel,
    DeliveryError,
    EmailChannel,
    Message,
    SmtpSettings,
    WebhookChannel,
    channels,
    channels_from,
    webhook_body,
)
from services.notify.outbox import (
    MAX_ATTEMPTS,
    DeliveryView,
    NotifyLoop,
    backoff,
    claim_due,
    deliver_due,
    deliveries,
    enqueue,
)

__all__ = ["CHANNELS", "MAX_ATTEMPTS", "Attachment", "Channel", "Contact", "Contacts", "DeliveryError", "DeliveryView",
           "EmailChannel", "Message", "NotifyLoop", "SmtpSettings", "WebhookChannel", "backoff", "channels", "claim_due", "channels_from",
           "deliver_due", "deliveries", "enqueue", "load_contacts", "webhook_body"]
