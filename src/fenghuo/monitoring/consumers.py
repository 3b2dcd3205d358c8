"""Ingest from the bus: NDJSON published on ``monitoring.events.submit.<source name>``.

A sender on the bus is trusted as far as the bus is (NATS accounts guard who may publish);
it acts as the named source's service account, so authority and audit read as for the API.
A redelivered message finds its batch already recorded and is only acknowledged.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from fenghuo.accounts import credentials
from fenghuo.accounts import service as accounts_service
from fenghuo.authority import Policy
from fenghuo.bus import Bus, Handler, Message, Subscription
from fenghuo.monitoring import flows, pipeline
from fenghuo.monitoring import service as monitoring_service
from fenghuo.monitoring.formats import Rejected
from fenghuo.monitoring.models import IngestBatch
from fenghuo.settings import Settings

SUBMIT = "monitoring.events.submit"
DURABLE = "monitoring-ingest"
_BATCH_IDS = uuid.UUID("5f1e0c5e-6b0e-4c8e-9a57-3c1f2b7d9e10")


def batch_id_for(source: str, message_id: str) -> str:
    """The batch id of a bus message: the same message always gives the same batch."""
    return str(uuid.uuid5(_BATCH_IDS, f"{source}/{message_id}"))


@dataclass(frozen=True)
class Received:
    """What became of a bus message (``repeated``: it had been ingested before)."""

    batch_id: str
    accepted: int
    rejected: int
    repeated: bool


def ingest_message(
    *,
    sessions: sessionmaker[Session],
    settings: Settings,
    policy: Policy,
    subject: str,
    data: bytes,
    message_id: str,
) -> Received:
    """Ingest one bus message in one transaction; refuse it (Rejected) if it cannot be taken."""
    name = subject.rsplit(".", 1)[-1]
    if data[:2] == b"\x1f\x8b":
        data = pipeline.gunzip(data, settings.ingest_max_bytes)
    elif len(data) > settings.ingest_max_bytes:
        raise pipeline.BodyTooLarge(f"the message is larger than {settings.ingest_max_bytes} bytes")
    batch_id = batch_id_for(name, message_id or str(uuid.uuid4()))
    with sessions.begin() as session:
        done = session.get(IngestBatch, batch_id)
        if done is not None:
            return Received(done.id, done.accepted, done.rejected, repeated=True)
        source = monitoring_service.get_by_name(session=session, name=name)
        if source is None or not source.is_active:
            raise Rejected(f"no active source is called {name!r}")
        user = accounts_service.get_user_or_raise(session=session, user_id=source.service_user_id)
        actor = credentials.actor_for(user, policy, token_scopes=[flows.INGEST])
        ingested = flows.ingest_events(
            session=session,
            actor=actor,
            settings=settings,
            source=source,
            lines=pipeline.split_lines(data),
            origin=f"bus:{message_id}",
            batch_id=batch_id,
        )
        batch = ingested.batch
        return Received(batch.id, batch.accepted, batch.rejected, repeated=False)


def ingest_handler(
    *, sessions: sessionmaker[Session], settings: Settings, policy: Policy
) -> Handler:
    """A bus handler ingesting each message; a message that cannot be taken is dead-lettered."""

    async def handle(message: Message) -> None:
        try:
            await asyncio.to_thread(
                ingest_message,
                sessions=sessions,
                settings=settings,
                policy=policy,
                subject=message.subject,
                data=message.data,
                message_id=message.message_id,
            )
        except Rejected as rejected:
            # Retrying would not help: the message itself (or its source) is wrong.
            await message.dead_letter(reason=rejected.reason)

    return handle


async def subscribe_ingest(
    bus: Bus, *, sessions: sessionmaker[Session], settings: Settings, policy: Policy
) -> Subscription:
    """Join the ingest consumer group on ``monitoring.events.submit.*``."""
    handler = ingest_handler(sessions=sessions, settings=settings, policy=policy)
    return await bus.subscribe(f"{SUBMIT}.*", durable=DURABLE, handler=handler)
