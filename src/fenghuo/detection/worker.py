"""Detection from the bus: each ``monitoring.events.ingested`` notice is one transaction.

Workers sharing the durable name form a consumer group, so N workers share the batches.
A message is acknowledged only after its transaction committed; a worker killed before
that leaves it unacknowledged, and the group gets it again after ``ack_wait``. The batch
marker and ``UNIQUE(rule_id, event_id)`` make the second processing a no-op.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from fenghuo.authority import Actor, Policy
from fenghuo.bus import Bus, Handler, Message, Subscription
from fenghuo.detection import flows
from fenghuo.detection.engine import Engine
from fenghuo.errors import NotFound
from fenghuo.settings import Settings

SUBJECT = "monitoring.events.ingested"
DURABLE = "detection-detect"
ACK_WAIT = 60.0
MAX_DELIVER = 5

logger = logging.getLogger("fenghuo.detection.worker")
# Who this member is, in the audit details of each batch it processes.
WORKER = f"{socket.gethostname()}:{os.getpid()}"


def starter_rules() -> Path:
    """The folder of the packaged starter rule set."""
    return Path(str(resources.files("fenghuo.detection") / "starter_rules"))


def load_engine(extra: Iterable[Path] = (), *, starter: bool = True) -> Engine:
    """The packaged starter rules (unless ``starter`` is false) and every rule under ``extra``."""
    paths = [starter_rules()] if starter else []
    return Engine.from_paths([*paths, *extra])


def process_message(
    *,
    sessions: sessionmaker[Session],
    settings: Settings,
    actor: Actor,
    engine: Engine,
    batch_id: str,
) -> flows.Processed:
    """Process one batch in one transaction (committed on return)."""
    for attempt in (1, 2):
        try:
            with sessions.begin() as session:
                return flows.process_batch(
                    session=session,
                    actor=actor,
                    settings=settings,
                    engine=engine,
                    batch_id=batch_id,
                    worker=WORKER,
                )
        except IntegrityError:
            if attempt == 2:
                raise
            # Another member committed this batch meanwhile: the retry reads its marker.
    raise AssertionError("unreachable")


def detect_handler(
    *, sessions: sessionmaker[Session], settings: Settings, policy: Policy, engine: Engine
) -> Handler:
    """A bus handler running the detection pipeline on each ingested batch."""
    actor = Actor.system(policy, label=flows.ACTOR_LABEL)

    async def handle(message: Message) -> None:
        payload = message.json()
        batch_id = payload.get("batch_id") if isinstance(payload, dict) else None
        if not isinstance(batch_id, str):
            await message.dead_letter(reason="no batch_id")
            return
        try:
            processed = await asyncio.to_thread(
                process_message,
                sessions=sessions,
                settings=settings,
                actor=actor,
                engine=engine,
                batch_id=batch_id,
            )
        except NotFound as missing:
            logger.warning("detect: batch %s cannot be read: %s", batch_id, missing)
            raise
        logger.info(
            "detect: batch %s: %d events, %d detections%s",
            processed.batch_id,
            processed.events,
            processed.detections,
            " (already processed)" if processed.repeated else "",
        )

    return handle


async def subscribe_detect(
    bus: Bus,
    *,
    sessions: sessionmaker[Session],
    settings: Settings,
    policy: Policy,
    engine: Engine,
    durable: str = DURABLE,
    ack_wait: float = ACK_WAIT,
) -> Subscription:
    """Join the detection consumer group on ``monitoring.events.ingested``."""
    handler = detect_handler(sessions=sessions, settings=settings, policy=policy, engine=engine)
    return await bus.subscribe(
        SUBJECT, durable=durable, handler=handler, ack_wait=ack_wait, max_deliver=MAX_DELIVER
    )
