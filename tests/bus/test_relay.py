"""The outbox relay, on SQLite and PostgreSQL, publishing to the in-process bus.

Rows are committed through a session factory of their own (the ``session`` fixture's
rolled-back transaction is invisible to the relay's connection) and deleted afterwards.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from fenghuo.bus import InProcessBus, Payload
from fenghuo.bus.outbox import OutboxMessage, emit
from fenghuo.bus.relay import relay_once, run_relay
from fenghuo.errors import Unavailable
from fenghuo.store import make_session_factory
from tests.bus.helpers import Inbox, eventually

pytestmark = pytest.mark.anyio


@pytest.fixture
def root() -> str:
    """A subject root of this test's own."""
    return f"relaytest{uuid.uuid4().hex[:10]}"


@pytest.fixture
def factory(engine: Engine, root: str) -> Iterator[sessionmaker[Session]]:
    """A session factory on the migrated engine; this test's rows are deleted afterwards."""
    session_factory = make_session_factory(engine)
    yield session_factory
    with session_factory.begin() as session:
        session.execute(delete(OutboxMessage).where(OutboxMessage.subject.like(f"{root}.%")))


@pytest.fixture
async def bus() -> AsyncIterator[InProcessBus]:
    """A connected in-process bus (the relay needs only ``publish``, whatever the backend)."""
    memory = InProcessBus()
    await memory.connect()
    yield memory
    await memory.close()


def emit_rows(factory: sessionmaker[Session], root: str, count: int) -> list[str]:
    """Commit ``count`` outbox rows; return their message ids in id order."""
    with factory.begin() as session:
        rows = [emit(session, f"{root}.happened", {"n": n}) for n in range(count)]
        session.flush()
        return [row.message_id for row in rows]


def pending(factory: sessionmaker[Session]) -> int:
    """Unpublished rows in the whole outbox."""
    with factory() as session:
        statement = select(func.count()).where(OutboxMessage.published_at.is_(None))
        return session.scalar(statement) or 0


async def test_relay_publishes_pending_rows_in_order_and_marks_them(
    factory: sessionmaker[Session], bus: InProcessBus, root: str
) -> None:
    inbox = Inbox()
    await bus.subscribe(f"{root}.>", durable="relayed", handler=inbox)
    ids = emit_rows(factory, root, 3)

    waiting = pending(factory)  # other tests' committed rows, if any, go out too

    assert await relay_once(factory, bus, batch=10_000) == waiting
    await eventually(lambda: len(inbox.messages) == 3)
    assert [m.message_id for m in inbox.messages] == ids
    assert inbox.payloads == [{"n": 0}, {"n": 1}, {"n": 2}]
    with factory() as session:
        rows = session.scalars(select(OutboxMessage).where(OutboxMessage.message_id.in_(ids)))
        assert all(row.published_at is not None for row in rows)
    assert await relay_once(factory, bus) == 0


async def test_relay_takes_at_most_a_batch_per_pass(
    factory: sessionmaker[Session], bus: InProcessBus, root: str
) -> None:
    emit_rows(factory, root, 3)
    waiting = pending(factory)

    assert await relay_once(factory, bus, batch=2) == 2
    assert pending(factory) == waiting - 2


async def test_a_row_resent_after_a_crash_is_delivered_once(
    factory: sessionmaker[Session], bus: InProcessBus, root: str
) -> None:
    inbox = Inbox()
    await bus.subscribe(f"{root}.>", durable="once", handler=inbox)
    first, second = emit_rows(factory, root, 2)
    # The relay published the first row, then died before marking it.
    await bus.publish(f"{root}.happened", {"n": 0}, message_id=first)

    await relay_once(factory, bus)
    await eventually(lambda: len(inbox.messages) == 2)
    await asyncio.sleep(0.1)
    assert [m.message_id for m in inbox.messages] == [first, second]


class FailsAfter:
    """A bus whose publish stops working after ``good`` messages (an outage midway)."""

    def __init__(self, inner: InProcessBus, good: int) -> None:
        self.inner = inner
        self.good = good

    async def publish(
        self, subject: str, payload: Payload, *, message_id: str | None = None
    ) -> None:
        if self.good == 0:
            raise Unavailable("bus went away")
        self.good -= 1
        await self.inner.publish(subject, payload, message_id=message_id)


async def test_an_outage_midway_keeps_the_unsent_rows_pending(
    factory: sessionmaker[Session], bus: InProcessBus, root: str
) -> None:
    ids = emit_rows(factory, root, 3)
    waiting = pending(factory)

    with pytest.raises(Unavailable):
        await relay_once(factory, FailsAfter(bus, good=waiting - 2), batch=10_000)
    with factory() as session:
        statement = select(OutboxMessage.message_id).where(
            OutboxMessage.message_id.in_(ids), OutboxMessage.published_at.is_(None)
        )
        assert set(session.scalars(statement)) == set(ids[1:])


async def test_run_relay_publishes_until_stopped(
    factory: sessionmaker[Session], bus: InProcessBus, root: str
) -> None:
    inbox = Inbox()
    await bus.subscribe(f"{root}.>", durable="loop", handler=inbox)
    stop = asyncio.Event()
    relay = asyncio.create_task(run_relay(factory, bus, interval=0.05, stop=stop))

    emit_rows(factory, root, 2)
    await eventually(lambda: len(inbox.messages) == 2)
    stop.set()
    await asyncio.wait_for(relay, 1.0)


class Counting:
    """A slow publisher that counts what it was asked to send, then passes it on."""

    def __init__(self, inner: InProcessBus) -> None:
        self.inner = inner
        self.sent: list[str] = []

    async def publish(
        self, subject: str, payload: Payload, *, message_id: str | None = None
    ) -> None:
        await asyncio.sleep(0.02)  # keep both relays mid-batch at the same time
        self.sent.append(message_id or "")
        await self.inner.publish(subject, payload, message_id=message_id)


async def test_two_relays_at_once_deliver_each_row_once(
    factory: sessionmaker[Session], bus: InProcessBus, root: str, database_url: str
) -> None:
    inbox = Inbox()
    await bus.subscribe(f"{root}.>", durable="pair", handler=inbox)
    ids = emit_rows(factory, root, 4)
    counting = Counting(bus)

    await asyncio.gather(relay_once(factory, counting), relay_once(factory, counting))
    await eventually(lambda: len(inbox.messages) == 4)
    await asyncio.sleep(0.1)
    assert [m.message_id for m in inbox.messages] == ids
    if database_url.startswith("postgresql"):
        # SKIP LOCKED: the second relay passes over the rows the first one holds.
        assert sorted(m for m in counting.sent if m in ids) == sorted(ids)
