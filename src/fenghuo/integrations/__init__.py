"""Adapters to the outside world, implementing ports the domains declare.

``smtp.SmtpChannel`` and ``webhook.WebhookChannel`` implement
``fenghuo.notification.channels.NotificationChannel``; ``notification_channels`` builds the
ones a deployment has configured (e-mail only with ``FENGHUO_SMTP_HOST``).
"""

from __future__ import annotations

from fenghuo.integrations.smtp import SmtpChannel
from fenghuo.integrations.webhook import WebhookChannel
from fenghuo.notification.channels import NotificationChannel
from fenghuo.settings import Settings

__all__ = ["SmtpChannel", "WebhookChannel", "notification_channels"]


def notification_channels(settings: Settings) -> dict[str, NotificationChannel]:
    """The e-mail and webhook channels of this deployment, by channel name."""
    found: dict[str, NotificationChannel] = {"webhook": WebhookChannel(settings)}
    if settings.smtp_host:
        found["email"] = SmtpChannel(settings)
    return found
