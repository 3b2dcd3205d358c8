"""Webhooks: a signed JSON POST per delivery over one pooled ``httpx.AsyncClient``.

Headers: ``X-Fenghuo-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>``,
``X-Fenghuo-Timestamp`` (Unix seconds), ``X-Fenghuo-Delivery`` (the delivery id, the
receiver's de-duplication key) and ``X-Fenghuo-Event: notification``. Any 2xx answer is a
delivery; anything else, or a network error, raises ``DeliveryFailed``. Requests go through
``http11.KeepAliveTransport`` (see there for why not httpx's default transport).
"""

from __future__ import annotations

import httpx
import orjson

from fenghuo import __version__, clock
from fenghuo.integrations.http11 import KeepAliveTransport
from fenghuo.notification import policy
from fenghuo.notification.channels import DeliveryFailed, Envelope
from fenghuo.settings import Settings


class WebhookChannel:
    """Signed JSON POSTs to organisations' webhook endpoints."""

    name = "webhook"

    def __init__(self, settings: Settings, *, client: httpx.AsyncClient | None = None) -> None:
        limit = settings.delivery_concurrency
        self._client = client or httpx.AsyncClient(
            timeout=httpx.Timeout(settings.delivery_timeout_seconds),
            transport=KeepAliveTransport(max_idle_per_origin=limit),
            follow_redirects=False,
        )

    async def send(self, envelope: Envelope) -> None:
        """POST the document, signed; a non-2xx answer or a network error fails the attempt."""
        if envelope.url is None or envelope.secret is None:
            raise DeliveryFailed("the webhook has no URL or secret")
        body = orjson.dumps(envelope.document)
        timestamp = str(int(clock.now().timestamp()))
        headers = {
            "Content-Type": "application/json",
            "User-Agent": f"Fenghuo/{__version__}",
            policy.SIGNATURE_HEADER: policy.signature(envelope.secret, timestamp, body),
            policy.TIMESTAMP_HEADER: timestamp,
            policy.DELIVERY_HEADER: envelope.delivery_id,
            policy.EVENT_HEADER: "notification",
        }
        try:
            response = await self._client.post(envelope.url, content=body, headers=headers)
        except httpx.TimeoutException:
            raise DeliveryFailed(f"timed out: {envelope.url}") from None
        except httpx.HTTPError as error:
            raise DeliveryFailed(f"{type(error).__name__}: {error}"[:1000]) from None
        if not 200 <= response.status_code < 300:
            raise DeliveryFailed(f"HTTP {response.status_code} from {envelope.url}")

    async def aclose(self) -> None:
        """Close the pooled connections."""
        await self._client.aclose()
