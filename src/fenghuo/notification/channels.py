"""The channel port: what e-mail and webhook adapters (``fenghuo.integrations``) implement.

The worker hands a channel one ``Envelope`` per delivery: everything needed to send, already
rendered, with no database access. A channel raises ``DeliveryFailed`` for anything that went
wrong (the adapters map smtplib and httpx errors to it); the worker then schedules a retry
or dead-letters the delivery.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from fenghuo.errors import FenghuoError
from fenghuo.monitoring.indicators import Tlp
from fenghuo.notification.models import Notification


class DeliveryFailed(FenghuoError):
    """One attempt to deliver on a channel failed (the reason is kept on the delivery)."""

    code = "delivery_failed"


@dataclass(frozen=True)
class Envelope:
    """One delivery attempt, rendered: the JSON document, the e-mail text, where it goes."""

    delivery_id: str
    notification_id: str
    channel: str
    org_id: str
    attempt: int
    url: str | None = None  # webhook
    secret: str | None = None  # webhook signing secret
    addresses: tuple[str, ...] = ()  # e-mail
    subject: str = ""
    text: str = ""
    document: dict[str, Any] = field(default_factory=dict)


class NotificationChannel(Protocol):
    """A way out of Fenghuo to an organisation: e-mail, webhook, or a third party's."""

    name: str

    async def send(self, envelope: Envelope) -> None:
        """Deliver ``envelope`` or raise ``DeliveryFailed``."""

    async def aclose(self) -> None:
        """Release connections."""


def console_link(public_url: str, notification_id: str) -> str:
    """Where a recipient reads and acknowledges the notification."""
    return f"{public_url.rstrip('/')}/notifications/{notification_id}"


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def visible_body(notification: Notification) -> str:
    """The body outside Fenghuo: TLP:RED stays in the console, only the link goes out."""
    if notification.tlp == Tlp.red:
        return "TLP:RED — 请登录控制台阅读。Sign in to the console to read it."
    return notification.body


def document(
    notification: Notification, *, delivery_id: str, org_id: str, org_name: str, link: str
) -> dict[str, Any]:
    """The webhook's JSON document."""
    return {
        "type": "notification",
        "delivery_id": delivery_id,
        "recipient": {"org_id": org_id, "name": org_name},
        "notification": {
            "id": notification.id,
            "kind": notification.kind,
            "title": notification.title,
            "body": visible_body(notification),
            "tlp": notification.tlp,
            "sender": notification.sender_label,
            "sender_org_id": notification.sender_org_id,
            "ref_type": notification.ref_type,
            "ref_id": notification.ref_id,
            "created_at": _iso(notification.created_at),
            "acknowledge_by": _iso(notification.escalate_at),
        },
        "acknowledge_url": link,
    }


def email_text(notification: Notification, *, org_name: str, link: str) -> tuple[str, str]:
    """The e-mail's subject and plain-text body."""
    subject = f"[Fenghuo 烽火][TLP:{notification.tlp.upper()}] {notification.title}"
    deadline = (
        f"请于 {notification.escalate_at:%Y-%m-%d %H:%M} UTC 前确认。"
        f"Please acknowledge by {notification.escalate_at:%Y-%m-%d %H:%M} UTC.\n"
        if notification.escalate_at
        else "请确认收到。Please acknowledge receipt.\n"
    )
    text = (
        f"致 To: {org_name}\n"
        f"类型 Kind: {notification.kind}    TLP:{notification.tlp.upper()}\n"
        f"发送方 From: {notification.sender_label}\n\n"
        f"{notification.title}\n\n"
        f"{visible_body(notification)}\n\n"
        f"{deadline}"
        f"确认 Acknowledge: {link}\n"
    )
    return subject, text
