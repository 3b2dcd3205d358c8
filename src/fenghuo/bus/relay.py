"""The outbox relay: publishes committed ``OutboxMessage`` rows to the bus, in id order.

Each row is published with its ``message_id`` as the de-duplication key, then marked
``published_at``. A crash between the two re-sends the row on the next pass, and the bus
drops it as a duplicate (JetStream within its duplicate window; the in-process bus the
same way). On PostgreSQL the rows are taken ``FOR UPDATE SKIP LOCKED`` in a transaction
held until they are marked, so several relays (one per ``fenghuo serve``) share the work
instead of racing. On SQLite every transaction holds the database-wide write lock, so
the rows are read and marked in two short transactions and never held across a publish.
Consumers tolerate reordering across relays, as they must for consumer groups anyway.
Database calls run in a worker thread to keep the event loop free.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from fenghuo import clock
from fenghuo.bus.base import Publisher, logger
from fenghuo.bus.outbox import OutboxMessage
from fenghuo.errors import Invalid

DEFAULT_BATCH = 500


@dataclass(frozen=True)
class _Pending:
    id: int
    message_id: str
    subject: str
    payload: dict[str, Any]


async def relay_once(
    session_factory: sessionmaker[Session], bus: Publisher, *, batch: int = DEFAULT_BATCH
) -> int:
    """Publish up to ``batch`` pending outbox rows; return how many were published."""
    if batch < 1:
        raise Invalid("batch must be at least 1", field="batch", rule="relay-batch")
    session = session_factory()
    try:
        rows = await asyncio.to_thread(_claim, session, batch)
        published: list[int] = []
        try:
            for row in rows:
                await bus.publish(row.subject, row.payload, message_id=row.message_id)
                published.append(row.id)
        finally:
            # Mark what did go out even when a publish failed midway, so the next pass
            # resumes at the first unsent row instead of re-sending the whole batch.
            await asyncio.to_thread(_mark_published, session, published)
        return len(published)
    except BaseException:
        await asyncio.to_thread(session.rollback)
        raise
    finally:
        await asyncio.to_thread(session.close)


async def run_relay(
    session_factory: sessionmaker[Session],
    bus: Publisher,
    *,
    interval: float,
    stop: asyncio.Event,
    batch: int = DEFAULT_BATCH,
) -> None:
    """Relay until ``stop`` is set: drain the outbox, then wait ``interval`` seconds."""
    while not stop.is_set():
        try:
            sent = await relay_once(session_factory, bus, batch=batch)
        except Exception:
            # A bus or database outage must not kill the relay; the rows wait for the next pass.
            logger.exception("bus: outbox relay pass failed")
            sent = 0
        if sent == batch:
            continue  # more are waiting: go again at once
        try:
            async with asyncio.timeout(interval):
                await stop.wait()
        except TimeoutError:
            pass


def _claim(session: Session, batch: int) -> list[_Pending]:
    statement = (
        select(
            OutboxMessage.id,
            OutboxMessage.message_id,
            OutboxMessage.subject,
            OutboxMessage.payload,
        )
        .where(OutboxMessage.published_at.is_(None))
        .order_by(OutboxMessage.id)
        .limit(batch)
        .with_for_update(skip_locked=True)  # not rendered on SQLite
    )
    rows = [_Pending(*row) for row in session.execute(statement)]
    if session.get_bind().dialect.name == "sqlite":
        session.commit()  # release SQLite's database-wide write lock while publishing
    return rows


def _mark_published(session: Session, ids: list[int]) -> None:
    if ids:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(published_at=clock.now())
            .execution_options(synchronize_session=False)
        )
    session.commit()
