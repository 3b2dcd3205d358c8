"""The event bus: how one domain reacts to a later one, and how workers share the load.

Two backends keep one contract (``fenghuo.bus.base``): ``InProcessBus`` for the embedded
default (``memory://``) and ``NatsBus`` on NATS JetStream for scale-out (``nats://...``).
Domains do not publish directly: a flow calls ``outbox.emit`` in its transaction, and the
relay (``fenghuo.bus.relay``) publishes committed events with their outbox id as the
de-duplication key. Consumers subscribe with a durable name; subscribers sharing it form
a consumer group with acknowledgement, redelivery and a dead-letter subject.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from fenghuo.bus.base import (
    DEAD_LETTER_ROOT,
    HEADER_DEAD_DELIVERIES,
    HEADER_DEAD_DURABLE,
    HEADER_DEAD_MESSAGE_ID,
    HEADER_DEAD_REASON,
    HEADER_DEAD_SUBJECT,
    Bus,
    Handler,
    Message,
    Payload,
    Publisher,
    Subscription,
    dead_letter_subject,
)
from fenghuo.bus.memory import InProcessBus
from fenghuo.errors import Invalid

__all__ = [
    "DEAD_LETTER_ROOT",
    "HEADER_DEAD_DELIVERIES",
    "HEADER_DEAD_DURABLE",
    "HEADER_DEAD_MESSAGE_ID",
    "HEADER_DEAD_REASON",
    "HEADER_DEAD_SUBJECT",
    "Bus",
    "Handler",
    "InProcessBus",
    "Message",
    "Payload",
    "Publisher",
    "Subscription",
    "dead_letter_subject",
    "make_bus",
]

_NATS_OPTIONS = {"stream", "prefix", "storage", "replicas"}


def make_bus(url: str) -> Bus:
    """Build the bus ``FENGHUO_BUS_URL`` names: ``memory://`` or ``nats://host:port[?...]``.

    A NATS URL may carry ``stream``, ``prefix``, ``storage`` (file|memory) and ``replicas``
    as query parameters; several servers are given comma-separated, as nats-py accepts.
    """
    parts = urlsplit(url)
    if parts.scheme == "memory":
        return InProcessBus()
    if parts.scheme in {"nats", "tls"}:
        from fenghuo.bus.nats import NatsBus  # nats-py is needed only for this shape

        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        unknown = set(query) - _NATS_OPTIONS
        if unknown:
            raise Invalid(
                f"unknown bus URL options: {', '.join(sorted(unknown))}",
                field="bus_url",
                rule="bus-options",
            )
        server = parts._replace(query="", fragment="").geturl()
        return NatsBus(
            server,
            stream=query.get("stream", "FENGHUO"),
            prefix=query.get("prefix", "fenghuo"),
            storage=query.get("storage", "file"),
            replicas=int(query.get("replicas", "1")),
        )
    raise Invalid(
        f"the bus URL must start with memory:// or nats:// (got {url!r})",
        field="bus_url",
        rule="bus-scheme",
    )
