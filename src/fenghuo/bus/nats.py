"""``NatsBus``: the scale-out bus on NATS JetStream (``nats://host:port``).

One limits-retention stream (``FENGHUO`` by default) holds ``<prefix>.>`` for events and
``<prefix>_deadletter.>`` for dead letters. A durable is a JetStream pull consumer with
explicit acks; every process that subscribes with the same durable name pulls from it,
so workers scale out as a consumer group. Publishing sets ``Nats-Msg-Id``, so the
stream's duplicate window drops a message the outbox relay sends twice.

JetStream stops redelivering after ``max_deliver`` and only raises an advisory, so the
consumer is given one delivery more than asked: that extra delivery is never handed to
the handler but moved to the dead-letter subject (see ``base.handle``).
"""

from __future__ import annotations

import asyncio
import contextlib

import nats
import nats.errors
import nats.js.errors
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StorageType, StreamConfig

from fenghuo.bus.base import (
    DEFAULT_PREFIX,
    Handler,
    Message,
    Payload,
    Subscription,
    app_subject,
    encode_payload,
    envelope_headers,
    logger,
    stream_subjects,
    validate_durable,
    validate_limits,
    validate_publish_subject,
    validate_subject,
    wire_subject,
)
from fenghuo.errors import Invalid, Unavailable

DEFAULT_STREAM = "FENGHUO"
DEFAULT_MAX_AGE = 7 * 24 * 3600.0  # seconds a message stays for late durables and replays
DUPLICATE_WINDOW = 120.0  # seconds; the outbox relay re-sends within this after a crash
ATTEMPT_SECONDS = 2  # one TCP connection attempt
POLL_SECONDS = 1.0  # a short pull keeps an abandoned pull request from holding messages


class _Settlement:
    """Answers for one JetStream delivery."""

    def __init__(self, bus: NatsBus, msg: Msg) -> None:
        self._bus = bus
        self._msg = msg

    async def ack(self) -> None:
        """Acknowledge to the consumer."""
        await self._msg.ack()

    async def nak(self, delay: float | None) -> None:
        """Negative-acknowledge, so that JetStream redelivers after ``delay``."""
        await self._msg.nak(delay=delay)

    async def dead_letter(self, *, subject: str, data: bytes, headers: dict[str, str]) -> None:
        """Publish the dead letter, then terminate the original (no more redeliveries)."""
        await self._bus.store(subject=subject, data=data, headers=headers)
        await self._msg.term()


class NatsBus:
    """The bus on a NATS JetStream server or cluster."""

    def __init__(
        self,
        url: str,
        *,
        stream: str = DEFAULT_STREAM,
        prefix: str = DEFAULT_PREFIX,
        max_age: float = DEFAULT_MAX_AGE,
        replicas: int = 1,
        storage: str = "file",
        connect_timeout: float = 5.0,
    ) -> None:
        self.url = url
        self.stream = stream
        self.prefix = prefix
        self._max_age = max_age
        self._replicas = replicas
        self._storage = StorageType(storage)
        self._connect_timeout = connect_timeout
        self._nc: Client | None = None
        self._js: JetStreamContext | None = None
        self._subscriptions: set[Subscription] = set()

    async def connect(self) -> None:
        """Connect (trying for ``connect_timeout`` seconds) and create or update the stream."""
        if self.is_ready():
            return
        client = Client()
        try:
            # Reconnect for ever once connected (workers outlive server restarts), but give
            # up on the first connection after connect_timeout so that startup fails loudly.
            async with asyncio.timeout(self._connect_timeout):
                await client.connect(
                    servers=split_servers(self.url),
                    name="fenghuo",
                    connect_timeout=ATTEMPT_SECONDS,
                    allow_reconnect=True,
                    max_reconnect_attempts=-1,
                    error_cb=self._on_error,
                )
        except Exception as exc:  # nats-py raises several unrelated types on refusal
            with contextlib.suppress(Exception):
                await client.close()
            raise Unavailable(f"cannot connect to NATS at {self.url}: {exc!r}") from exc
        self._nc = client
        self._js = client.jetstream()
        await self._ensure_stream()

    async def close(self) -> None:
        """Stop every subscription and drain the connection."""
        for subscription in list(self._subscriptions):
            await subscription.close()
        nc, self._nc, self._js = self._nc, None, None
        if nc is not None and not nc.is_closed:
            await nc.close()

    def is_ready(self) -> bool:
        """True while connected to the server."""
        return self._nc is not None and self._nc.is_connected

    async def publish(
        self, subject: str, payload: Payload, *, message_id: str | None = None
    ) -> None:
        """Store ``payload`` in the stream; JetStream drops a repeated ``message_id``."""
        validate_publish_subject(subject)
        await self.store(
            subject=subject, data=encode_payload(payload), headers=envelope_headers(message_id)
        )

    async def store(self, *, subject: str, data: bytes, headers: dict[str, str]) -> None:
        """Publish a validated message and wait for the stream's acknowledgement."""
        js = self._require_js()
        try:
            await js.publish(
                wire_subject(subject, prefix=self.prefix),
                data,
                stream=self.stream,
                headers=headers,
            )
        except (TimeoutError, nats.errors.Error) as exc:
            raise Unavailable(f"NATS did not store a message on {subject}: {exc!r}") from exc

    async def subscribe(
        self,
        subject: str,
        *,
        durable: str,
        handler: Handler,
        ack_wait: float = 30.0,
        max_deliver: int = 5,
    ) -> Subscription:
        """Join (or create) the pull consumer ``durable`` on ``subject``."""
        js = self._require_js()
        validate_subject(subject, wildcards=True)
        validate_durable(durable)
        validate_limits(ack_wait=ack_wait, max_deliver=max_deliver)
        wire = wire_subject(subject, prefix=self.prefix)
        try:
            await self._ensure_consumer(
                js, durable=durable, wire=wire, ack_wait=ack_wait, max_deliver=max_deliver
            )
            pull = await js.pull_subscribe_bind(durable=durable, stream=self.stream)
        except (TimeoutError, nats.errors.Error) as exc:
            raise Unavailable(f"NATS refused the consumer {durable}: {exc!r}") from exc

        async def receive() -> Message | None:
            try:
                msgs = await pull.fetch(batch=1, timeout=POLL_SECONDS)
            except TimeoutError:  # nats.errors.TimeoutError included: nothing to do
                return None
            except nats.errors.Error as exc:
                logger.warning("bus: fetch for %s failed: %r", durable, exc)
                await asyncio.sleep(POLL_SECONDS)
                return None
            return self._message(msgs[0], durable=durable, max_deliver=max_deliver)

        async def release() -> None:
            self._subscriptions.discard(subscription)
            # The inbox may already be gone with the connection.
            with contextlib.suppress(nats.errors.Error, ValueError):
                await pull.unsubscribe()

        subscription = Subscription(
            subject=subject,
            durable=durable,
            handler=handler,
            ack_wait=ack_wait,
            receive=receive,
            release=release,
        )
        self._subscriptions.add(subscription)
        subscription.start()
        return subscription

    async def _ensure_stream(self) -> None:
        js = self._require_js()
        config = StreamConfig(
            name=self.stream,
            subjects=stream_subjects(prefix=self.prefix),
            storage=self._storage,
            max_age=self._max_age,
            duplicate_window=DUPLICATE_WINDOW,
            num_replicas=self._replicas,
        )
        try:
            try:
                await js.stream_info(self.stream)
            except nats.js.errors.NotFoundError:
                await js.add_stream(config)
            else:
                await js.update_stream(config)
        except (TimeoutError, nats.errors.Error) as exc:
            raise Unavailable(f"NATS refused the stream {self.stream}: {exc!r}") from exc

    async def _ensure_consumer(
        self, js: JetStreamContext, *, durable: str, wire: str, ack_wait: float, max_deliver: int
    ) -> None:
        try:
            info = await js.consumer_info(self.stream, durable)
        except nats.js.errors.NotFoundError:
            pass
        else:
            if info.config.filter_subject != wire:
                raise Invalid(
                    f"durable {durable!r} already follows another subject",
                    field="durable",
                    rule="bus-durable-subject",
                )
        config = ConsumerConfig(
            name=durable,
            durable_name=durable,
            filter_subject=wire,
            deliver_policy=DeliverPolicy.ALL,
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=ack_wait,
            # One delivery more than asked: the extra one is turned into the dead letter.
            max_deliver=max_deliver + 1,
        )
        # CONSUMER.CREATE creates, or updates ack_wait/max_deliver of an existing durable.
        await js.add_consumer(self.stream, config)

    def _message(self, msg: Msg, *, durable: str, max_deliver: int) -> Message:
        return Message(
            subject=app_subject(msg.subject, prefix=self.prefix),
            data=msg.data,
            headers=dict(msg.headers or {}),
            num_delivered=msg.metadata.num_delivered,
            durable=durable,
            max_deliver=max_deliver,
            settlement=_Settlement(self, msg),
        )

    def _require_js(self) -> JetStreamContext:
        if self._js is None:
            raise Unavailable(f"the NATS bus at {self.url} is not connected")
        return self._js

    async def _on_error(self, exc: Exception) -> None:
        logger.warning("bus: NATS connection error: %r", exc)


def split_servers(url: str) -> list[str]:
    """``nats://a:4222,b:4222`` as one URL per server; credentials of the first apply to all."""
    scheme, _, rest = url.partition("://")
    hosts = rest.split(",")
    userinfo, at, _ = hosts[0].rpartition("@")
    return [
        f"{scheme}://{host}" if "@" in host or not at else f"{scheme}://{userinfo}@{host}"
        for host in hosts
    ]
