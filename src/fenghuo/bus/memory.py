"""``InProcessBus``: the embedded default (``memory://``), JetStream's semantics in one process.

One bounded stream holds every message in publish order (the oldest are dropped past
``max_messages``, as a JetStream limits stream with ``discard: old``). A durable is a
cursor over that stream plus a table of messages delivered but not yet acknowledged; a
new durable starts at the oldest retained message ("deliver all"). Subscribers of one
durable pull from the same cursor, which is what makes them a consumer group. Nothing
survives the process: the outbox in the database is what makes events durable here.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict, deque
from dataclasses import dataclass

from fenghuo.bus.base import (
    DEFAULT_PREFIX,
    HEADER_MESSAGE_ID,
    Handler,
    Message,
    Payload,
    Subscription,
    encode_payload,
    envelope_headers,
    matches,
    validate_durable,
    validate_limits,
    validate_publish_subject,
    validate_subject,
    wire_subject,
)
from fenghuo.errors import Invalid, Unavailable

DEFAULT_MAX_MESSAGES = 100_000
DEFAULT_DUPLICATE_WINDOW = 120.0  # seconds; JetStream's default duplicate window


@dataclass(frozen=True)
class _Stored:
    seq: int
    subject: str  # the application subject
    wire: str
    data: bytes
    headers: dict[str, str]


@dataclass
class _Pending:
    deliveries: int
    due: float  # loop time: the ack deadline when in flight, else when to redeliver
    in_flight: bool


class _Stream:
    """The retained messages, in order, with JetStream-style de-duplication."""

    def __init__(self, *, max_messages: int, duplicate_window: float) -> None:
        self._messages: deque[_Stored] = deque()
        self._max_messages = max_messages
        self._duplicate_window = duplicate_window
        self._seen: OrderedDict[str, float] = OrderedDict()
        self.last_seq = 0

    @property
    def first_seq(self) -> int:
        """The sequence of the oldest retained message (or the next one when empty)."""
        return self._messages[0].seq if self._messages else self.last_seq + 1

    def append(self, *, subject: str, wire: str, data: bytes, headers: dict[str, str]) -> bool:
        """Store a message; False when its id was seen within the duplicate window."""
        now = asyncio.get_running_loop().time()
        while self._seen and next(iter(self._seen.values())) <= now:
            self._seen.popitem(last=False)
        message_id = headers[HEADER_MESSAGE_ID]
        if message_id in self._seen:
            return False
        self._seen[message_id] = now + self._duplicate_window
        self.last_seq += 1
        self._messages.append(_Stored(self.last_seq, subject, wire, data, headers))
        if len(self._messages) > self._max_messages:
            self._messages.popleft()
        return True

    def get(self, seq: int) -> _Stored | None:
        """The message at ``seq``, if still retained."""
        index = seq - self.first_seq
        return self._messages[index] if 0 <= index < len(self._messages) else None


class _Consumer:
    """A durable: cursor, unacknowledged deliveries, and the wake-up for its members."""

    def __init__(
        self, *, bus: InProcessBus, durable: str, wire: str, ack_wait: float, max_deliver: int
    ) -> None:
        self.bus = bus
        self.durable = durable
        self.wire = wire
        self.ack_wait = ack_wait
        self.max_deliver = max_deliver
        self.cursor = bus.stream.first_seq  # deliver all: a new durable sees retained history
        self.pending: dict[int, _Pending] = {}
        self.wake = asyncio.Event()

    async def receive(self) -> Message:
        """Wait for the next message this member should handle."""
        loop = asyncio.get_running_loop()
        while True:
            taken = await self._take(loop.time())
            if taken is not None:
                return taken
            self.wake.clear()
            due = min((p.due for p in self.pending.values()), default=None)
            timeout = None if due is None else max(due - loop.time(), 0.0)
            try:
                async with asyncio.timeout(timeout):
                    await self.wake.wait()
            except TimeoutError:
                pass

    async def _take(self, now: float) -> Message | None:
        for seq in sorted(self.pending):
            pending = self.pending[seq]
            if pending.due > now:
                continue
            stored = self.bus.stream.get(seq)
            if stored is None:  # dropped by the stream limit while pending
                del self.pending[seq]
            elif pending.in_flight and pending.deliveries >= self.max_deliver:
                # The last attempt's ack_wait lapsed with no answer (a hung or closed member).
                del self.pending[seq]
                expired = self._message(stored, pending.deliveries)
                await expired.dead_letter(reason="expired")
            else:
                pending.deliveries += 1
                pending.due, pending.in_flight = now + self.ack_wait, True
                return self._deliver(stored, pending.deliveries)
        self.cursor = max(self.cursor, self.bus.stream.first_seq)
        while self.cursor <= self.bus.stream.last_seq:
            stored = self.bus.stream.get(self.cursor)
            self.cursor += 1
            if stored is not None and matches(self.wire, stored.wire):
                self.pending[stored.seq] = _Pending(1, now + self.ack_wait, True)
                return self._deliver(stored, 1)
        return None

    def _deliver(self, stored: _Stored, deliveries: int) -> Message:
        # Wake the idle members so they re-arm their timers for this new ack deadline: if
        # this member hangs, one of them must notice the deadline pass.
        self.wake.set()
        return self._message(stored, deliveries)

    def _message(self, stored: _Stored, deliveries: int) -> Message:
        return Message(
            subject=stored.subject,
            data=stored.data,
            headers=stored.headers,
            num_delivered=deliveries,
            durable=self.durable,
            max_deliver=self.max_deliver,
            settlement=_Settlement(self, stored.seq, deliveries),
        )

    def settle(self, seq: int, *, deliveries: int, redeliver_in: float | None) -> None:
        """Forget ``seq`` (ack, term) or schedule its redelivery (nak)."""
        pending = self.pending.get(seq)
        if pending is None or pending.deliveries != deliveries:
            return  # a stale answer: the message was redelivered since
        if redeliver_in is None:
            del self.pending[seq]
        else:
            loop = asyncio.get_running_loop()
            pending.due, pending.in_flight = loop.time() + redeliver_in, False
        self.wake.set()


class _Settlement:
    """Answers for one delivery of an in-process message."""

    def __init__(self, consumer: _Consumer, seq: int, deliveries: int) -> None:
        self._consumer = consumer
        self._seq = seq
        self._deliveries = deliveries

    async def ack(self) -> None:
        """Forget the message for this durable."""
        self._consumer.settle(self._seq, deliveries=self._deliveries, redeliver_in=None)

    async def nak(self, delay: float | None) -> None:
        """Make the message due again after ``delay``."""
        redeliver_in = max(delay or 0.0, 0.0)
        self._consumer.settle(self._seq, deliveries=self._deliveries, redeliver_in=redeliver_in)

    async def dead_letter(self, *, subject: str, data: bytes, headers: dict[str, str]) -> None:
        """Store the dead letter, then forget the original."""
        self._consumer.bus.append(subject=subject, data=data, headers=headers)
        self._consumer.settle(self._seq, deliveries=self._deliveries, redeliver_in=None)


class InProcessBus:
    """The embedded bus: bounded, in memory, the same contract as ``NatsBus``."""

    def __init__(
        self,
        *,
        max_messages: int = DEFAULT_MAX_MESSAGES,
        duplicate_window: float = DEFAULT_DUPLICATE_WINDOW,
    ) -> None:
        self.stream = _Stream(max_messages=max_messages, duplicate_window=duplicate_window)
        self._consumers: dict[str, _Consumer] = {}
        self._subscriptions: set[Subscription] = set()
        self._ready = False

    async def connect(self) -> None:
        """Start accepting messages (the stream survives close and reconnect)."""
        self._ready = True

    async def close(self) -> None:
        """Stop every subscription; unacknowledged messages stay pending."""
        self._ready = False
        for subscription in list(self._subscriptions):
            await subscription.close()

    def is_ready(self) -> bool:
        """True between ``connect`` and ``close``."""
        return self._ready

    async def publish(
        self, subject: str, payload: Payload, *, message_id: str | None = None
    ) -> None:
        """Store ``payload`` on ``subject``; a repeated ``message_id`` is dropped."""
        self._require_ready()
        validate_publish_subject(subject)
        self.append(
            subject=subject, data=encode_payload(payload), headers=envelope_headers(message_id)
        )

    def append(self, *, subject: str, data: bytes, headers: dict[str, str]) -> None:
        """Store a validated message and wake the durables it matches."""
        wire = wire_subject(subject, prefix=DEFAULT_PREFIX)
        if not self.stream.append(subject=subject, wire=wire, data=data, headers=headers):
            return
        for consumer in self._consumers.values():
            if matches(consumer.wire, wire):
                consumer.wake.set()

    async def subscribe(
        self,
        subject: str,
        *,
        durable: str,
        handler: Handler,
        ack_wait: float = 30.0,
        max_deliver: int = 5,
    ) -> Subscription:
        """Join (or create) the durable ``durable`` on ``subject``."""
        self._require_ready()
        validate_subject(subject, wildcards=True)
        validate_durable(durable)
        validate_limits(ack_wait=ack_wait, max_deliver=max_deliver)
        wire = wire_subject(subject, prefix=DEFAULT_PREFIX)
        consumer = self._consumers.get(durable)
        if consumer is None:
            consumer = _Consumer(
                bus=self, durable=durable, wire=wire, ack_wait=ack_wait, max_deliver=max_deliver
            )
            self._consumers[durable] = consumer
        elif consumer.wire != wire:
            raise Invalid(
                f"durable {durable!r} already follows another subject",
                field="durable",
                rule="bus-durable-subject",
            )
        consumer.ack_wait, consumer.max_deliver = ack_wait, max_deliver

        async def release() -> None:
            self._subscriptions.discard(subscription)

        subscription = Subscription(
            subject=subject,
            durable=durable,
            handler=handler,
            ack_wait=ack_wait,
            receive=consumer.receive,
            release=release,
        )
        self._subscriptions.add(subscription)
        subscription.start()
        return subscription

    def _require_ready(self) -> None:
        if not self._ready:
            raise Unavailable("the in-process bus is not connected")
