"""The bus contract both backends keep: ``Bus``, ``Message``, ``Subscription`` and subject rules.

Delivery is at least once. A durable subscription is a consumer group: every subscriber
that shares a ``durable`` name pulls from the same cursor, so each message goes to one of
them. A message is settled by ``ack``; a handler that returns is acked for it, one that
raises is nak'ed with a growing delay, and one that outlives ``ack_wait`` is abandoned so
that the message is redelivered. On the ``max_deliver``-th failed attempt the message is
moved to the dead-letter subject ``deadletter.<durable>.<subject>`` instead of being retried.

Application subjects are dotted (``events.ingested``) and live under a wire prefix
(``fenghuo.events.ingested``); dead letters live under ``<prefix>_deadletter``, so that a
``>`` subscription never receives them by accident.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any, Protocol

from fenghuo import clock
from fenghuo.errors import Invalid
from fenghuo.store import new_id

logger = logging.getLogger("fenghuo.bus")

# JetStream de-duplicates on this header; the in-process bus reads the same one.
HEADER_MESSAGE_ID = "Nats-Msg-Id"
HEADER_PUBLISHED_AT = "Fenghuo-Published-At"
HEADER_DEAD_SUBJECT = "Fenghuo-Dead-Subject"
HEADER_DEAD_MESSAGE_ID = "Fenghuo-Dead-Message-Id"
HEADER_DEAD_DURABLE = "Fenghuo-Dead-Durable"
HEADER_DEAD_DELIVERIES = "Fenghuo-Dead-Deliveries"
HEADER_DEAD_REASON = "Fenghuo-Dead-Reason"

DEAD_LETTER_ROOT = "deadletter"
DEFAULT_PREFIX = "fenghuo"
MAX_RETRY_DELAY = 10.0

_TOKEN = re.compile(r"^[A-Za-z0-9_-]+$")
_DURABLE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

Payload = Mapping[str, Any] | bytes
Handler = Callable[["Message"], Awaitable[None]]


class Publisher(Protocol):
    """The publishing half of the bus (all the outbox relay needs)."""

    async def publish(
        self, subject: str, payload: Payload, *, message_id: str | None = None
    ) -> None:
        """Store ``payload`` on ``subject``; a repeated ``message_id`` is dropped as a duplicate."""


class Bus(Publisher, Protocol):
    """Publish events; consume them through durable, acknowledged subscriptions."""

    async def connect(self) -> None:
        """Open the connection (and create the stream where the backend needs one)."""

    async def close(self) -> None:
        """Stop every subscription and close the connection."""

    def is_ready(self) -> bool:
        """True while the bus can publish and deliver."""

    async def subscribe(
        self,
        subject: str,
        *,
        durable: str,
        handler: Handler,
        ack_wait: float = 30.0,
        max_deliver: int = 5,
    ) -> Subscription:
        """Join the consumer group ``durable`` on ``subject`` (wildcards allowed)."""


class Settlement(Protocol):
    """How a backend answers for one delivered message."""

    async def ack(self) -> None:
        """Mark the message done for this consumer group."""

    async def nak(self, delay: float | None) -> None:
        """Ask for redelivery, after ``delay`` seconds when given."""

    async def dead_letter(self, *, subject: str, data: bytes, headers: dict[str, str]) -> None:
        """Store the dead letter and stop redelivering the original."""


class Message:
    """One delivery of a message to one subscriber of a consumer group."""

    def __init__(
        self,
        *,
        subject: str,
        data: bytes,
        headers: Mapping[str, str],
        num_delivered: int,
        durable: str,
        max_deliver: int,
        settlement: Settlement,
    ) -> None:
        self.subject = subject
        self.data = data
        self.headers = dict(headers)
        self.num_delivered = num_delivered
        self.durable = durable
        self.max_deliver = max_deliver
        self._settlement = settlement
        self._settled = False

    def __repr__(self) -> str:
        return f"Message(subject={self.subject!r}, num_delivered={self.num_delivered})"

    @property
    def message_id(self) -> str:
        """The publisher's identifier (the de-duplication key)."""
        return self.headers.get(HEADER_MESSAGE_ID, "")

    @property
    def published_at(self) -> datetime | None:
        """When the message was published, from the publisher's clock."""
        value = self.headers.get(HEADER_PUBLISHED_AT)
        return datetime.fromisoformat(value) if value else None

    @property
    def is_settled(self) -> bool:
        """True once acked, nak'ed or dead-lettered by this subscriber."""
        return self._settled

    @property
    def is_last_attempt(self) -> bool:
        """True when a failure now sends the message to the dead-letter subject."""
        return self.num_delivered >= self.max_deliver

    def json(self) -> Any:
        """The payload decoded as JSON."""
        return json.loads(self.data)

    async def ack(self) -> None:
        """Acknowledge: the consumer group will not see this message again."""
        if not self._settled:
            self._settled = True
            await self._settlement.ack()

    async def nak(self, delay: float | None = None) -> None:
        """Refuse for now: redeliver (after ``delay``), or dead-letter on the last attempt."""
        await self.fail(reason="nak", delay=delay)

    async def fail(self, *, reason: str, delay: float | None = None) -> None:
        """Redeliver later, or dead-letter with ``reason`` when attempts are used up."""
        if self._settled:
            return
        if self.is_last_attempt:
            await self.dead_letter(reason=reason)
            return
        self._settled = True
        await self._settlement.nak(delay)

    async def dead_letter(self, *, reason: str) -> None:
        """Move the message to ``deadletter.<durable>.<subject>`` and stop redelivering it."""
        if self._settled:
            return
        self._settled = True
        headers = {
            HEADER_MESSAGE_ID: f"dead:{self.durable}:{self.message_id}",
            HEADER_PUBLISHED_AT: clock.now().isoformat(),
            HEADER_DEAD_SUBJECT: self.subject,
            HEADER_DEAD_MESSAGE_ID: self.message_id,
            HEADER_DEAD_DURABLE: self.durable,
            HEADER_DEAD_DELIVERIES: str(self.num_delivered),
            HEADER_DEAD_REASON: reason,
        }
        subject = dead_letter_subject(durable=self.durable, subject=self.subject)
        logger.warning(
            "bus: dead-lettering %s (%s) for %s after %d deliveries: %s",
            self.subject,
            self.message_id,
            self.durable,
            self.num_delivered,
            reason,
        )
        await self._settlement.dead_letter(subject=subject, data=self.data, headers=headers)


class Subscription:
    """A running member of a consumer group: pulls one message at a time and handles it."""

    def __init__(
        self,
        *,
        subject: str,
        durable: str,
        handler: Handler,
        ack_wait: float,
        receive: Callable[[], Awaitable[Message | None]],
        release: Callable[[], Awaitable[None]],
    ) -> None:
        self.subject = subject
        self.durable = durable
        self._handler = handler
        self._ack_wait = ack_wait
        self._receive = receive
        self._release = release
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def start(self) -> None:
        """Start pulling in the background."""
        self._task = asyncio.create_task(self._run(), name=f"bus:{self.durable}:{self.subject}")

    @property
    def is_running(self) -> bool:
        """True until closed (or crashed)."""
        return self._task is not None and not self._task.done()

    async def close(self) -> None:
        """Stop; a message being handled is left unacked, so the group gets it again."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        # Python 3.11's asyncio.timeout can swallow a cancellation that lands as the handler's
        # ack_wait expires; cancel until the task has really stopped.
        while not task.done():
            task.cancel()
            await asyncio.wait({task}, timeout=1.0)
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await self._release()

    async def _run(self) -> None:
        while not self._stopping:
            try:
                message = await self._receive()
                if message is not None:
                    await handle(message, self._handler, ack_wait=self._ack_wait)
            except Exception:
                # An ack lost with the connection, say: the message comes back after
                # ack_wait, and this member must keep pulling rather than die quietly.
                logger.exception("bus: subscription %s on %s failed", self.durable, self.subject)
                await asyncio.sleep(1.0)


async def handle(message: Message, handler: Handler, *, ack_wait: float) -> None:
    """Run ``handler`` on ``message`` within ``ack_wait`` and settle the outcome."""
    if message.num_delivered > message.max_deliver:
        # The backend redelivered after the last attempt's ack_wait lapsed (a crashed or
        # hung subscriber): the handler has had its chances.
        await message.dead_letter(reason="expired")
        return
    try:
        async with asyncio.timeout(ack_wait) as budget:
            await handler(message)
    except TimeoutError:
        if not budget.expired():
            logger.exception("bus: handler for %s raised", message.subject)
            await message.fail(reason="error", delay=retry_delay(message.num_delivered))
        elif message.is_last_attempt:
            await message.dead_letter(reason="timeout")
        else:
            # The ack deadline has passed: the backend is already redelivering it.
            logger.warning("bus: handler for %s exceeded ack_wait", message.subject)
        return
    except Exception:
        logger.exception("bus: handler for %s raised", message.subject)
        await message.fail(reason="error", delay=retry_delay(message.num_delivered))
        return
    await message.ack()


def retry_delay(num_delivered: int) -> float:
    """Back off after a handler error: 0.1 s, 0.2 s, 0.4 s ... at most ``MAX_RETRY_DELAY``."""
    return float(min(0.1 * 2 ** (num_delivered - 1), MAX_RETRY_DELAY))


def validate_subject(subject: str, *, wildcards: bool) -> str:
    """Check a dotted subject; ``*`` and a final ``>`` are allowed only where ``wildcards``."""
    tokens = subject.split(".")
    for index, token in enumerate(tokens):
        if _TOKEN.match(token):
            continue
        if wildcards and (token == "*" or (token == ">" and index == len(tokens) - 1)):
            continue
        raise Invalid(
            f"bad subject {subject!r}: dotted tokens of letters, digits, '-' and '_'"
            + ("; '*' or a final '>' as wildcards" if wildcards else "; no wildcards"),
            field="subject",
            rule="bus-subject",
        )
    return subject


def validate_publish_subject(subject: str) -> str:
    """A subject an application may publish to: concrete, outside the dead-letter space."""
    validate_subject(subject, wildcards=False)
    if subject.split(".")[0] == DEAD_LETTER_ROOT:
        raise Invalid(
            f"{DEAD_LETTER_ROOT}.* is written by the bus itself",
            field="subject",
            rule="bus-reserved-subject",
        )
    return subject


def validate_durable(durable: str) -> str:
    """A consumer group name: 1-64 letters, digits, '-' or '_' (a JetStream consumer name)."""
    if not _DURABLE.match(durable):
        raise Invalid(
            f"bad durable name {durable!r}: 1-64 letters, digits, '-' or '_'",
            field="durable",
            rule="bus-durable",
        )
    return durable


def validate_limits(*, ack_wait: float, max_deliver: int) -> None:
    """Refuse an ack_wait or max_deliver that would never deliver or never stop."""
    if not 0 < ack_wait <= 3600:
        raise Invalid("ack_wait must be in (0, 3600] s", field="ack_wait", rule="bus-ack-wait")
    if not 1 <= max_deliver <= 1000:
        raise Invalid(
            "max_deliver must be in [1, 1000]", field="max_deliver", rule="bus-max-deliver"
        )


def dead_letter_subject(*, durable: str, subject: str) -> str:
    """Where a consumer group's failed messages go."""
    return f"{DEAD_LETTER_ROOT}.{durable}.{subject}"


def wire_subject(subject: str, *, prefix: str) -> str:
    """Map an application subject (or pattern) into the stream's subject space."""
    root, _, rest = subject.partition(".")
    if root == DEAD_LETTER_ROOT:
        return f"{prefix}_{DEAD_LETTER_ROOT}.{rest}" if rest else f"{prefix}_{DEAD_LETTER_ROOT}"
    return f"{prefix}.{subject}"


def app_subject(wire: str, *, prefix: str) -> str:
    """The application subject of a wire subject (inverse of ``wire_subject``)."""
    dead = f"{prefix}_{DEAD_LETTER_ROOT}."
    if wire.startswith(dead):
        return f"{DEAD_LETTER_ROOT}.{wire[len(dead) :]}"
    return wire.removeprefix(f"{prefix}.")


def stream_subjects(*, prefix: str) -> list[str]:
    """The subject filters a stream needs to hold events and dead letters."""
    return [f"{prefix}.>", f"{prefix}_{DEAD_LETTER_ROOT}.>"]


def matches(pattern: str, subject: str) -> bool:
    """NATS subject matching: ``*`` is one token, a final ``>`` is one or more."""
    wanted = pattern.split(".")
    tokens = subject.split(".")
    for index, token in enumerate(wanted):
        if token == ">":
            return len(tokens) > index
        if index >= len(tokens) or (token != "*" and token != tokens[index]):
            return False
    return len(tokens) == len(wanted)


def encode_payload(payload: Payload) -> bytes:
    """Bytes as given; a mapping as compact UTF-8 JSON."""
    if isinstance(payload, bytes):
        return payload
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def envelope_headers(message_id: str | None) -> dict[str, str]:
    """The headers every published message carries: its id and when it was published."""
    return {
        HEADER_MESSAGE_ID: message_id or new_id(),
        HEADER_PUBLISHED_AT: clock.now().isoformat(),
    }
