"""E-mail over SMTP: one multipart (plain text + HTML) message per delivery.

smtplib runs in a thread (``asyncio.to_thread``) so the event loop keeps delivering the other
channels; its own timeout bounds each exchange. STARTTLS and AUTH follow the settings.
Every smtplib or socket error becomes ``DeliveryFailed``.
"""

from __future__ import annotations

import asyncio
import html
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from fenghuo import clock
from fenghuo.notification import policy
from fenghuo.notification.channels import DeliveryFailed, Envelope
from fenghuo.settings import Settings


def build_message(envelope: Envelope, *, sender: str) -> EmailMessage:
    """The e-mail of one delivery: text/plain with a text/html alternative."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(envelope.addresses)
    message["Subject"] = envelope.subject
    message["Date"] = format_datetime(clock.now())
    message["Message-ID"] = make_msgid(idstring=envelope.delivery_id, domain="fenghuo")
    message[policy.DELIVERY_HEADER] = envelope.delivery_id
    message["X-Fenghuo-Notification"] = envelope.notification_id
    message.set_content(envelope.text)
    paragraphs = "".join(
        f"<p>{html.escape(part).replace(chr(10), '<br>')}</p>"
        for part in envelope.text.split("\n\n")
    )
    message.add_alternative(
        f'<!doctype html><html><body lang="zh">{paragraphs}</body></html>', subtype="html"
    )
    return message


class SmtpChannel:
    """Sends notification e-mail through the configured SMTP server."""

    name = "email"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    async def send(self, envelope: Envelope) -> None:
        """Send the e-mail to every address of the recipient organisation."""
        if not envelope.addresses:
            raise DeliveryFailed("no e-mail address")
        message = build_message(envelope, sender=self.settings.smtp_from)
        await asyncio.to_thread(self._send, message)

    def _send(self, message: EmailMessage) -> None:
        s = self.settings
        try:
            with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.delivery_timeout_seconds) as smtp:
                if s.smtp_starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if s.smtp_user:
                    smtp.login(s.smtp_user, s.smtp_password)
                refused = smtp.send_message(message)
        except (smtplib.SMTPException, OSError) as error:
            raise DeliveryFailed(f"SMTP: {type(error).__name__}: {error}"[:1000]) from None
        if refused:
            raise DeliveryFailed(f"SMTP refused {', '.join(sorted(refused))}")

    async def aclose(self) -> None:
        """Nothing is kept open between messages."""
